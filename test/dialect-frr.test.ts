// The BFD dialect against Debian's FRR bfdd, in network namespaces: the unit's own bfdd holds
// two Up sessions with the peer's bfdd (300 ms x 3), one over IPv6 and one over IPv4. The peer re-creates both sessions (new
// discriminators), as FRR does when a session is deleted and configured again; the host
// learns the new values from the unit's bfdd (host/dialect/bfd-learn.ts) and re-arms session
// 2; session 1 is deliberately left stale, the control. The unit's bfdd is SIGKILLed (a
// crash), and the fault entry's frames (the core's templates, on the virtual board, out
// through an AF_PACKET socket) go out: session 2 goes Down at the peer within milliseconds
// with "neighbor signaled down"; session 1's stale Your Discriminator is ignored and it falls
// only at its 900 ms detection time. Root; otherwise it FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { fields } from "./helpers/tshark";
import { PeerLan, Frr, DialectUnit, capture, requirePeers, delay } from "./helpers/peers";
import { bfdChanges, bfdDialectFrom, sessionKey, FrrBfdPeer } from "../host/dialect/bfd-learn";
import { parseMac, formatIPv4, formatIPv6 } from "../host/util/addr";
import type { BfdDialect } from "../host/dialect/dialect";

const A = { name: "a", mac: "02:00:00:0a:00:02", ip4: ["192.0.2.2/24"], ip6: ["2001:db8:1::2/64"] };
const B = { name: "b", mac: "02:00:00:0b:00:02", ip4: ["192.0.2.3/24"], ip6: ["2001:db8:1::3/64"] };
// Session 1 over IPv6 (left stale: the control), session 2 over IPv4 (re-armed).
const LOCALS = ["2001:db8:1::2", "192.0.2.2"];
const PEERS = ["2001:db8:1::3", "192.0.2.3"];
const PORTS = [49152, 49153];

const lan = new PeerLan([A, B]);
let setupError: Error | null = null;
let pcap = "";
let before: FrrBfdPeer[] = [];
let after: FrrBfdPeer[] = [];
let down: { s1: Record<string, unknown> | undefined; s2: Record<string, unknown> | undefined } = { s1: undefined, s2: undefined };

/** The dialect as JSON for the sender (addresses and MACs as text). */
function json(d: BfdDialect): Record<string, unknown> {
  const ip = (a: Uint8Array) => (a.length === 4 ? formatIPv4(a) : formatIPv6(a));
  return { ...d, ownMac: A.mac, peerMac: B.mac, src: ip(d.src), dst: ip(d.dst) };
}

const link = (p: FrrBfdPeer) => ({ port: 0, ownMac: parseMac(A.mac), peerMac: parseMac(B.mac), srcPort: PORTS[LOCALS.indexOf(p.local ?? "")] ?? 49199 });

test.before(async () => {
  try {
    requirePeers("dialect-frr.test.ts");
    lan.create();
    const fa = await new Frr(lan, "a", LOCALS.map((l, i) => ({ peer: PEERS[i], local: l, intervalMs: 300, detectMult: 3 }))).start();
    const fb = await new Frr(lan, "b", LOCALS.map((l, i) => ({ peer: l, local: PEERS[i], intervalMs: 300, detectMult: 3 }))).start();
    for (const l of LOCALS) await fb.waitPeer(l, "up", 20_000);
    before = fa.peersJson() as unknown as FrrBfdPeer[];
    const armed = new Map<string, BfdDialect>();
    for (const p of before) armed.set(sessionKey(p), bfdDialectFrom(p, link(p))!);
    const order = LOCALS.map((l) => sessionKey(before.find((p) => p.local === l)!));
    const unit = new DialectUnit(lan, "a", { iface: "eth0", mac: A.mac, dialects: order.map((k) => json(armed.get(k)!)) });
    await unit.start();
    // The peer re-creates both sessions: new discriminators at its end.
    LOCALS.forEach((l, i) => fb.vtysh("configure terminal", "bfd", `no peer ${l} local-address ${PEERS[i]} interface eth0`));
    await delay(100);
    LOCALS.forEach((l, i) => fb.vtysh("configure terminal", "bfd", `peer ${l} local-address ${PEERS[i]} interface eth0`, "receive-interval 300", "transmit-interval 300", "detect-multiplier 3"));
    for (const l of LOCALS) await fb.waitPeer(l, "up", 20_000);
    for (const p of PEERS) await fa.waitPeer(p, "up", 20_000);
    await delay(500);
    after = fa.peersJson() as unknown as FrrBfdPeer[];
    const changes = bfdChanges(armed, after, link);
    // The host re-arms what changed — session 2 only here: session 1 stays stale, the control.
    const s2 = changes.get(order[1]);
    assert.ok(s2, "session 2 changed and is re-armed");
    await unit.rearm(1, json(s2!));
    pcap = path.join(lan.dir, "b.pcap");
    const stop = await capture(lan, "b", pcap, "udp port 3784");
    await delay(350);
    fa.kill();
    await unit.fire();
    await fb.waitPeer(LOCALS[1], "down", 3_000);
    down.s2 = fb.peer(LOCALS[1]);
    await fb.waitPeer(LOCALS[0], "down", 3_000);
    down.s1 = fb.peer(LOCALS[0]);
    // A Down session transmits at 1 s (RFC 5880 §6.8.3): wait for the peer's Down packets.
    await delay(1200);
    await stop();
  } catch (e) {
    setupError = e as Error;
  }
});

test.after(() => lan.cleanup());

/** Rows with src / dst from whichever IP version carried them. */
function both(rows: Record<string, string>[]): (Record<string, string> & { src: string; dst: string })[] {
  return rows.map((r) => ({ ...r, src: r["ip.src"] || r["ipv6.src"], dst: r["ip.dst"] || r["ipv6.dst"] }));
}

function ready(): void {
  if (setupError) throw setupError;
}

test("the learner sees the peer's new discriminators; the re-armed frame names them, never the stale ones", () => {
  ready();
  for (const l of LOCALS) {
    const b = before.find((p) => p.local === l)!;
    const a = after.find((p) => p.local === l)!;
    assert.is(a.id, b.id, "our own discriminator stays");
    assert.is.not(a["remote-id"], b["remote-id"], "the peer picked a new one");
  }
  const rows = both(fields(pcap, ["ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "ip.ttl", "ipv6.hlim", "udp.srcport", "udp.checksum.status", "bfd.sta", "bfd.diag", "bfd.my_discriminator", "bfd.your_discriminator", "bfd.detect_time_multiplier"]));
  const ours = rows.filter((r) => LOCALS.includes(r.src) && r["bfd.sta"] === "0x01");
  const s2 = after.find((p) => p.local === LOCALS[1])!;
  const s1Before = before.find((p) => p.local === LOCALS[0])!;
  const f2 = ours.find((r) => r.src === LOCALS[1]);
  const f1 = ours.find((r) => r.src === LOCALS[0]);
  assert.ok(f2 && f1, JSON.stringify(ours));
  assert.is(Number(f2!["bfd.your_discriminator"]), s2["remote-id"], "re-armed: the peer's current discriminator");
  assert.is(Number(f1!["bfd.your_discriminator"]), s1Before["remote-id"], "the control: the stale one");
  for (const f of [f1!, f2!]) {
    assert.is(f["ip.ttl"] || f["ipv6.hlim"], "255");
    assert.is(f["udp.checksum.status"], "1");
    assert.is(f["bfd.diag"], "0x04", "forwarding plane reset");
    assert.is(f["bfd.detect_time_multiplier"], "3");
  }
  assert.is(f2!["udp.srcport"], String(PORTS[1]));
});

test("bfdd takes the Down at once (neighbor signaled session down); the stale one waits out its detection time", () => {
  ready();
  const rows = both(fields(pcap, ["frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst", "bfd.sta", "bfd.diag"]));
  const t = (r: Record<string, string>) => Number(r["frame.time_epoch"]) * 1000;
  const ourDown = (l: string) => rows.find((r) => r.src === l && r["bfd.sta"] === "0x01")!;
  const peerDown = (l: string, after: number) => rows.find((r) => PEERS.includes(r.src) && r.dst === l && r["bfd.sta"] === "0x01" && t(r) >= after);
  const d2 = peerDown(LOCALS[1], t(ourDown(LOCALS[1])));
  const d1 = peerDown(LOCALS[0], t(ourDown(LOCALS[0])));
  assert.ok(d2 && d1);
  const ms2 = t(d2!) - t(ourDown(LOCALS[1]));
  const ms1 = t(d1!) - t(ourDown(LOCALS[0]));
  console.log(`  FRR 8.4 bfdd, 300 ms x 3: re-armed Down (IPv4) -> peer Down ${ms2.toFixed(2)} ms (${down.s2?.diagnostic}); stale discriminator (IPv6) -> ${ms1.toFixed(1)} ms (${down.s1?.diagnostic})`);
  assert.match(String(down.s2?.diagnostic), /neighbor signaled (session )?down/);
  assert.match(String(down.s1?.diagnostic), /detection time expired/);
  assert.ok(ms2 < 300, `re-armed: ${ms2} ms, well under 3 x 300 ms`);
  assert.ok(ms1 > 500, `stale: ignored, the peer fell at its own timer (${ms1} ms)`);
});

test("cleanup removes every namespace and daemon", () => {
  ready();
  lan.cleanup();
  assert.is(lan.exists(), false);
});

test.run();
