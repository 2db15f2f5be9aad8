// The dialects against the stock peers, side by side in one run (docs/dialects.md): a
// keepalived pair (backup at priority 254, advert_int 1 s, use_vmac), the master crashed by
// SIGKILL (its addresses gone with it), with and without the master's fault path sending the
// VRRP dialect; and an FRR bfdd pair (300 ms x 3), the unit's bfdd SIGKILLed, with and without
// the BFD Down. Crash -> the client's neighbour entry moved (the backup's GARP reaching the
// client) and crash -> the client's first echo reply from the new master (its outage, pinging
// every 5 ms); crash -> the BFD peer's Down. The crash's time is the wall clock the capture
// uses, read at the SIGKILL (1 ms resolution); the dialect frame's own time on the wire is
// in the capture too (dialect frame -> peer: test/dialect-*.test.ts). Medians over RUNS (default 10) runs each,
// interleaved. Root, keepalived, FRR and dumpcap needed (scripts/install-deps.sh).
//
//   RUNS=10 node bench/run.js dialects

import * as path from "path";
import { fields } from "../test/helpers/tshark";
import { PeerLan, Keepalived, Frr, DialectUnit, keepalivedConf, capture, requirePeers, delay, VrrpInstance } from "../test/helpers/peers";
import { bfdDialectFrom, FrrBfdPeer } from "../host/dialect/bfd-learn";
import { parseMac } from "../host/util/addr";
import { median, quantile } from "./stats";
import { measurePairs } from "./run-pair.bench";

const RUNS = Number(process.env.RUNS ?? 10);
const A = { name: "a", mac: "02:00:00:0a:00:02", ip4: ["192.0.2.2/24"] };
const B = { name: "b", mac: "02:00:00:0b:00:02", ip4: ["192.0.2.3/24"] };
const C = { name: "c", mac: "02:00:00:0c:00:01", ip4: ["192.0.2.100/24"] };
const VIP = "192.0.2.1";
const VMAC = "00:00:5e:00:01:33";
/** The wall clock the capture's timestamps use (CLOCK_REALTIME), read fresh: 1 ms resolution. */
const now = () => Date.now();

const row = (name: string, xs: number[]) =>
  xs.length ? `| ${name} | ${median(xs).toFixed(1)} ms | ${quantile(xs, 0).toFixed(1)}–${quantile(xs, 1).toFixed(1)} ms | ${xs.length} |` : `| ${name} | — | not measured | 0 |`;

async function vrrpBench(): Promise<string[]> {
  const lan = new PeerLan([A, B, C]).create();
  try {
    const inst: Omit<VrrpInstance, "state" | "priority"> = { name: "VI", vrid: 51, version: 3, family: 4, advertInt: 1, vip: VIP };
    const backup = new Keepalived(lan, "b", keepalivedConf([{ ...inst, state: "BACKUP", priority: 254, vmac: true }])).start();
    const unit = await new DialectUnit(lan, "a", { iface: "eth0", mac: A.mac, dialects: [{ kind: "vrrp", port: 0, copies: 3, version: 3, vrid: 51, interval: 100, src: "192.0.2.2", addrs: [VIP] }] }).start();
    const pcap = path.join(lan.dir, "client.pcap");
    const stop = await capture(lan, "c", pcap, "arp or icmp");
    // The client's traffic for the outage rows (iputils-ping; without it those rows say so).
    lan.spawn("c", "ping", ["-n", "-q", "-i", "0.005", VIP]).on("error", () => undefined);
    const crashes: { t: number; dialect: boolean }[] = [];
    for (let r = 0; r < 2 * RUNS; r++) {
      const dialect = r % 2 === 1;
      for (const a of A.ip4) lan.exec("a", "ip", ["addr", "replace", a, "dev", "eth0"]);
      const master = new Keepalived(lan, "a", keepalivedConf([{ ...inst, state: "MASTER", priority: 255 }])).start();
      await master.waitState(["VI"], "MASTER", 10_000);
      await delay(2500); // the backup hears the master; the client's entry points at the master's MAC
      const t = now();
      master.kill();
      lan.exec("a", "ip", ["addr", "flush", "dev", "eth0", "scope", "global"]); // a crash takes its addresses with it
      if (dialect) await unit.fire();
      crashes.push({ t, dialect });
      await backup.waitState(["VI"], "MASTER", 8_000).catch(() => undefined);
      await delay(dialect ? 600 : 4500);
      backup.log.length = 0;
    }
    await stop();
    const rows = fields(pcap, ["frame.time_epoch", "arp.src.proto_ipv4", "arp.src.hw_mac", "icmp.type", "eth.src", "ip.src"]);
    const t = (x: Record<string, string>) => Number(x["frame.time_epoch"]) * 1000;
    const res = { alone: { moved: [] as number[], outage: [] as number[] }, dialect: { moved: [] as number[], outage: [] as number[] } };
    for (const c of crashes) {
      const after = rows.filter((x) => t(x) > c.t);
      const garp = after.find((x) => x["arp.src.proto_ipv4"] === VIP && x["arp.src.hw_mac"] === VMAC);
      // The first echo reply for the VIP from the new master: the dead master's kernel answers
      // from its own MAC until its addresses are flushed, a few ms after the kill.
      const reply = after.find((x) => x["icmp.type"] === "0" && x["ip.src"] === VIP && x["eth.src"] !== A.mac);
      const k = c.dialect ? res.dialect : res.alone;
      if (garp) k.moved.push(t(garp) - c.t);
      if (reply) k.outage.push(t(reply) - c.t);
    }
    return [
      row("keepalived pair alone: crash → client's neighbour entry moved", res.alone.moved),
      row("keepalived backup + VRRP dialect: crash → neighbour entry moved", res.dialect.moved),
      row("keepalived pair alone: crash → client's first reply (outage)", res.alone.outage),
      row("keepalived backup + VRRP dialect: crash → first reply (outage)", res.dialect.outage),
      `| ratio (neighbour moved, medians) | ${(median(res.alone.moved) / median(res.dialect.moved)).toFixed(1)}× | | |`,
      `| ratio (outage, medians) | ${res.dialect.outage.length ? (median(res.alone.outage) / median(res.dialect.outage)).toFixed(1) : "—"}× | | |`,
    ];
  } finally {
    lan.cleanup();
  }
}

async function bfdBench(): Promise<string[]> {
  const lan = new PeerLan([A, B]).create();
  try {
    const fb = await new Frr(lan, "b", [{ peer: "192.0.2.2", local: "192.0.2.3", intervalMs: 300, detectMult: 3 }]).start();
    const link = { port: 0, ownMac: parseMac(A.mac), peerMac: parseMac(B.mac), srcPort: 49152 };
    let unit: DialectUnit | undefined;
    const pcap = path.join(lan.dir, "b.pcap");
    const stop = await capture(lan, "b", pcap, "udp port 3784");
    const crashes: { t: number; dialect: boolean }[] = [];
    for (let r = 0; r < 2 * RUNS; r++) {
      const dialect = r % 2 === 1;
      for (const a of A.ip4) lan.exec("a", "ip", ["addr", "replace", a, "dev", "eth0"]);
      const fa = await new Frr(lan, "a", [{ peer: "192.0.2.3", local: "192.0.2.2", intervalMs: 300, detectMult: 3 }]).start();
      await fb.waitPeer("192.0.2.2", "up", 20_000);
      await delay(700);
      const d = bfdDialectFrom(fa.peer("192.0.2.3") as unknown as FrrBfdPeer, link)!;
      const json = { ...d, ownMac: A.mac, peerMac: B.mac, src: "192.0.2.2", dst: "192.0.2.3" };
      if (!unit) unit = await new DialectUnit(lan, "a", { iface: "eth0", mac: A.mac, dialects: [json] }).start();
      else await unit.rearm(0, json); // the session was re-created: new discriminators
      const t = now();
      fa.kill();
      if (dialect) await unit.fire();
      crashes.push({ t, dialect });
      await fb.waitPeer("192.0.2.2", "down", 5_000);
      await delay(300);
    }
    await stop();
    const rows = fields(pcap, ["frame.time_epoch", "ip.src", "bfd.sta"]);
    const t = (x: Record<string, string>) => Number(x["frame.time_epoch"]) * 1000;
    const res = { alone: [] as number[], dialect: [] as number[] };
    for (const c of crashes) {
      const down = rows.find((x) => t(x) > c.t && x["ip.src"] === "192.0.2.3" && x["bfd.sta"] === "0x01");
      if (down) (c.dialect ? res.dialect : res.alone).push(t(down) - c.t);
    }
    return [
      row("FRR bfdd pair alone (300 ms × 3): crash → peer Down", res.alone),
      row("FRR bfdd peer + BFD Down dialect: crash → peer Down", res.dialect),
      `| ratio (medians) | ${(median(res.alone) / median(res.dialect)).toFixed(1)}× | | |`,
    ];
  } finally {
    lan.cleanup();
  }
}

/** The lastgasp pair (`lastgasp run`, its gasp from the crash path): bench/run-pair.bench.ts's runs. */
async function lastgaspPair(): Promise<string[]> {
  const r = (await measurePairs(RUNS, ["lastgasp"])).lastgasp;
  return [
    row("lastgasp pair (`lastgasp run`, gasp): crash → client's neighbour entry moved", r.moved),
    row("lastgasp pair (`lastgasp run`, gasp): crash → first reply (outage; 1 ping/ms)", r.outage),
  ];
}

async function main(): Promise<void> {
  requirePeers("bench/dialects.bench.ts");
  const lines = ["| Case | median | range | runs |", "|---|---|---|---|", ...(await vrrpBench()), ...(await lastgaspPair()), ...(await bfdBench())];
  console.log(lines.join("\n"));
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
