// The VRRP dialect against Debian's keepalived, in network namespaces: a "master" unit runs
// keepalived (priority 255, its own MAC) and its fault path armed with one priority-0 advert
// per virtual router; a keepalived backup (use_vmac) at priority 100 or 254, VRRP v2 and v3,
// IPv4 and IPv6, two of them in a sync group; a client whose neighbour entries point at the
// master. The master's keepalived is SIGKILLed (a crash: it says nothing), then the fault
// entry's frames — the ones the core put in the fault ring on the virtual board, written out
// through an AF_PACKET socket — go out. The judges: keepalived's own log ("Backup received
// priority 0 advertisement", "Entering MASTER STATE"), a capture on the client (the
// backup's first advert and GARP / unsolicited NA after the dialect frame: Skew_Time, far
// under the 3.6 s of keepalived's timer), the client kernel's neighbour table (the virtual
// MAC), and tshark (every dialect frame with VRRP checksum Good, TTL / hop limit 255).
// Root; otherwise it FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { fields } from "./helpers/tshark";
import { PeerLan, Keepalived, DialectUnit, VrrpInstance, keepalivedConf, capture, requirePeers, delay } from "./helpers/peers";

const A = { name: "a", mac: "02:00:00:0a:00:02", ip4: ["192.0.2.2/24"], ip6: ["2001:db8:1::2/64"] };
const B = { name: "b", mac: "02:00:00:0b:00:02", ip4: ["192.0.2.3/24"], ip6: ["2001:db8:1::3/64"] };
const C = { name: "c", mac: "02:00:00:0c:00:01", ip4: ["192.0.2.100/24"], ip6: ["2001:db8:1::100/64"] };

/** The backup's instances; the master has the same at priority 255. */
const CASES: (Omit<VrrpInstance, "state" | "advertInt"> & { group?: boolean })[] = [
  { name: "V2_4_100", vrid: 21, version: 2, family: 4, priority: 100, vip: "192.0.2.21" },
  { name: "V2_4_254", vrid: 22, version: 2, family: 4, priority: 254, vip: "192.0.2.22", password: "lg-pass" },
  { name: "V3_4_100", vrid: 31, version: 3, family: 4, priority: 100, vip: "192.0.2.31" },
  { name: "V3_4_254", vrid: 32, version: 3, family: 4, priority: 254, vip: "192.0.2.32" },
  { name: "V3_6_100", vrid: 61, version: 3, family: 6, priority: 100, vip: "2001:db8:1::61" },
  { name: "V3_6_254", vrid: 62, version: 3, family: 6, priority: 254, vip: "2001:db8:1::62" },
  { name: "SG_4", vrid: 71, version: 3, family: 4, priority: 254, vip: "192.0.2.71", group: true },
  { name: "SG_6", vrid: 72, version: 3, family: 6, priority: 254, vip: "2001:db8:1::72", group: true },
];
const GROUP = CASES.filter((c) => c.group).map((c) => c.name);
const vmac = (c: { vrid: number; family: number }) => `00:00:5e:00:0${c.family === 6 ? 2 : 1}:${c.vrid.toString(16).padStart(2, "0")}`;

const lan = new PeerLan([A, B, C]);
let setupError: Error | null = null;
const results: Record<string, { takeoverMs: number; garpMs: number | null }> = {};
let pcap = "";
let backupLog: string[] = [];

test.before(async () => {
  try {
    requirePeers("dialect-keepalived.test.ts");
    lan.create();
    const llA = lan.linkLocal("a");
    const master = new Keepalived(lan, "a", keepalivedConf(CASES.map((c) => ({ ...c, state: "MASTER", priority: 255, advertInt: 1 })), [GROUP])).start();
    const backup = new Keepalived(lan, "b", keepalivedConf(CASES.map((c) => ({ ...c, state: "BACKUP", advertInt: 1, vmac: true })), [GROUP])).start();
    backupLog = backup.log;
    // The master's fault path: one priority-0 advert per virtual router it masters, 3 copies.
    const unit = new DialectUnit(lan, "a", {
      iface: "eth0", mac: A.mac,
      dialects: CASES.map((c) => ({
        kind: "vrrp", port: 0, copies: 3, version: c.version, vrid: c.vrid, interval: c.version === 2 ? 1 : 100,
        src: c.family === 4 ? "192.0.2.2" : llA, addrs: [c.vip], password: c.password,
      })),
    });
    await Promise.all([unit.start(), master.waitState(CASES.map((c) => c.name), "MASTER", 15_000)]);
    await backup.waitState(CASES.map((c) => c.name), "BACKUP", 15_000);
    await delay(1500); // the backup hears the master's adverts (advert_int 1 s)
    for (const c of CASES) lan.exec("c", "ip", ["neigh", "replace", c.vip, "lladdr", A.mac, "nud", "stale", "dev", "eth0"]);
    pcap = path.join(lan.dir, "client.pcap");
    const stop = await capture(lan, "c", pcap, "vrrp or ip6 proto 112 or arp or icmp6");
    master.kill();
    const sent = await unit.fire();
    assert.is(sent, 2 + 3 * CASES.length, "the gasp (after a lead copy: queue 0 was reset), then 3 copies of every advert");
    await backup.waitState(CASES.map((c) => c.name), "MASTER", 8_000);
    await delay(300);
    await stop();
    if (process.env.LG_KEEP_PCAP) require("fs").copyFileSync(pcap, process.env.LG_KEEP_PCAP);
  } catch (e) {
    setupError = e as Error;
  }
});

test.after(() => lan.cleanup());

function ready(): void {
  if (setupError) throw setupError;
}

test("every dialect frame on the wire: priority 0, TTL / hop limit 255, virtual router MAC, VRRP checksum Good (tshark)", () => {
  ready();
  const rows = fields(pcap, ["vrrp.virt_rtr_id", "vrrp.prio", "vrrp.version", "vrrp.checksum.status", "ip.ttl", "ipv6.hlim", "eth.src", "vrrp.auth_string", "vrrp.adver_int", "vrrp.short_adver_int"]).filter((r) => r["vrrp.prio"] === "0");
  for (const c of CASES) {
    const mine = rows.filter((r) => r["vrrp.virt_rtr_id"] === String(c.vrid) && r["vrrp.version"] === String(c.version));
    assert.is(mine.length, 3, `${c.name}: three copies back to back`);
    for (const r of mine) {
      assert.is(r["vrrp.checksum.status"], "1", `${c.name}: checksum`);
      assert.is(r[c.family === 4 ? "ip.ttl" : "ipv6.hlim"], "255", `${c.name}: TTL`);
      assert.is(r["eth.src"], vmac(c), `${c.name}: source MAC`);
      if (c.password) assert.is(r["vrrp.auth_string"], c.password);
      assert.is(c.version === 2 ? r["vrrp.adver_int"] : r["vrrp.short_adver_int"], c.version === 2 ? "1" : "100");
    }
  }
});

test("keepalived takes each priority-0 advert: the backup runs Skew_Time, not its 3.6 s timer", () => {
  ready();
  const rows = fields(pcap, ["frame.time_epoch", "vrrp.virt_rtr_id", "vrrp.prio", "vrrp.version", "eth.src", "arp.src.proto_ipv4", "arp.src.hw_mac", "icmpv6.type", "icmpv6.nd.na.target_address", "eth.type"]);
  const t = (r: Record<string, string>) => Number(r["frame.time_epoch"]) * 1000;
  const lines: string[] = [];
  for (const c of CASES) {
    const vr = rows.filter((r) => r["vrrp.virt_rtr_id"] === String(c.vrid) && r["vrrp.version"] === String(c.version));
    const gasp = vr.find((r) => r["vrrp.prio"] === "0");
    assert.ok(gasp, `${c.name}: dialect frame captured`);
    const advert = vr.find((r) => t(r) >= t(gasp!) && r["vrrp.prio"] === String(c.priority));
    assert.ok(advert, `${c.name}: the backup advertises`);
    const garp = rows.find((r) => t(r) >= t(gasp!) && (c.family === 4 ? r["arp.src.proto_ipv4"] === c.vip && r["arp.src.hw_mac"] === vmac(c) : r["icmpv6.type"] === "136" && r["icmpv6.nd.na.target_address"] === c.vip));
    const takeoverMs = t(advert!) - t(gasp!);
    const garpMs = garp ? t(garp) - t(gasp!) : null;
    results[c.name] = { takeoverMs, garpMs };
    lines.push(`${c.name} (v${c.version}, IPv${c.family}, backup priority ${c.priority}): takeover ${takeoverMs.toFixed(2)} ms, ${c.family === 4 ? "GARP" : "NA"} ${garpMs?.toFixed(2) ?? "none"} ms`);
    assert.ok(garp, `${c.name}: GARP / NA from the virtual MAC`);
    // Skew_Time is (256 - P)/256 s: 0.61 s at 100, 8 ms at 254. On top of it, the backup's one
    // keepalived process goes master for all eight routers in turn (VIPs, GARPs, NAs): on a
    // CPU-starved machine (load average 10 on 2 cores) that took up to 623 ms at 254. Without
    // the dialect the earliest takeover is Master_Down_Interval (3 x 1 s + Skew_Time) after the
    // master's last advert, which came at most 1 s before the kill: >= 2 s after the dialect
    // frame. So 1 s at 254 (2 s at 100) still proves the dialect did it, with a second to spare;
    // keepalived's log says so too (below).
    const bound = c.priority === 254 ? 1000 : 2000;
    assert.ok(takeoverMs < bound, `${c.name}: ${takeoverMs.toFixed(1)} ms (bound ${bound} ms)`);
    assert.ok(takeoverMs < 3000);
  }
  console.log(`  keepalived 2.2.7 backup, advert_int 1 s, after the dialect frame:\n    ${lines.join("\n    ")}`);
  const p0 = backupLog.filter((l) => /received priority 0 advertisement/i.test(l));
  assert.ok(p0.length >= CASES.length, `keepalived logged priority-0 adverts: ${p0.length}`);
});

test("the client's neighbour entries move to the VRRP virtual MACs", () => {
  ready();
  for (const c of CASES) {
    const n = lan.neigh("c", c.vip);
    assert.is(n?.lladdr, vmac(c), `${c.name}: ${JSON.stringify(n)}`);
  }
});

test("cleanup removes every namespace and daemon", () => {
  ready();
  lan.cleanup();
  assert.is(lan.exists(), false);
});

test.run();
