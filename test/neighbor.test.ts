// The simulated hosts' neighbour cache: the Linux rules table (shared with the namespace
// test, frames in as bytes), the NUD timers (DELAY, PROBE, INCOMPLETE, FAILED, REACHABLE
// expiry), queueing, and the misdelivery counters through a takeover with and without GARPs.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { freshCodec } from "./helpers/core";
import { requireTshark, tmpDir, writePcap, fields, expertItems } from "./helpers/tshark";
import { NEIGH_CASES, vipFor, caseFrame, HOST_MAC, HOST_IP4, HOST_PREFIX, OLD_MAC, NEW_MAC } from "./helpers/neigh-cases";
import { SimHost } from "../host/sim/endhost";
import { NeighborCache, LINUX_DEFAULTS } from "../host/sim/neighbor";
import { ArpResponder } from "../host/ha/responder";
import { Rng } from "../host/util/rng";
import { parseMac, formatIPv4, formatMac } from "../host/util/addr";
import { ms, sec } from "../host/ha/timeline";

const codec = freshCodec();
const VIP = "203.0.113.10";

function host(opts: { arpAccept?: 0 | 1 | 2; owner?: (vip: string) => string | null; seed?: number } = {}): SimHost {
  return new SimHost({
    name: "h1", mac: HOST_MAC, ip4: HOST_IP4, prefixLen: HOST_PREFIX, codec, rng: new Rng(opts.seed ?? 1),
    params: { arpAccept: opts.arpAccept ?? 0 }, owner: opts.owner,
  });
}

NEIGH_CASES.forEach((c, i) => {
  test(`rule: ${c.name}`, () => {
    const h = host({ arpAccept: c.arpAccept });
    const vip = vipFor(c, i);
    if (c.before) h.cache.replace(vip, OLD_MAC, c.before.state, 0);
    const t = c.fresh ? ms(100) : ms(1500);
    h.receive(caseFrame(codec, c, vip), t);
    const e = h.cache.get(vip);
    const mac = e?.mac ?? null;
    assert.is(mac, c.expect.mac === null ? null : c.expect.mac === "new" ? NEW_MAC : OLD_MAC, "MAC");
    if (c.expect.state !== null) assert.is(e?.state, c.expect.state, "state");
    const kind = c.family === 4 ? "arp" : "na";
    assert.is(h.updates[`${kind}:${c.expect.outcome}`], 1, `outcome ${c.expect.outcome}; got ${JSON.stringify(h.updates)}`);
  });
});

test("the table covers every outcome the rules distinguish", () => {
  const outcomes = new Set(NEIGH_CASES.map((c) => c.expect.outcome));
  for (const o of ["created", "updated", "ignored-locktime", "ignored-no-entry", "ignored-permanent", "ignored-no-override", "stale-only"]) {
    assert.ok(outcomes.has(o as never), o);
  }
});

test("NA for a FAILED entry is ignored (ndisc_recv_na), ARP for it is not", () => {
  const cache = new NeighborCache<number>({ ip4: [{ ip: HOST_IP4, prefixLen: 24 }] }, new Rng(1));
  cache.output("2001:db8::5", 1, 0);
  cache.output(VIP, 1, 0);
  cache.tick(sec(10));
  assert.is(cache.get("2001:db8::5")!.state, "failed");
  const na = cache.naIn({ flags: 0x20, target: "2001:db8::5", tlla: parseMac(NEW_MAC) }, sec(11));
  assert.is(na.outcome, "ignored-failed");
  const arp = cache.arpIn({ op: 1, sha: parseMac(NEW_MAC), spa: VIP, tha: new Uint8Array(6), tpa: VIP, unicastToUs: false }, sec(11));
  assert.is(arp.outcome, "updated");
  assert.is(cache.get(VIP)!.state, "stale");
});

test("a repeat of the cached MAC does not demote a REACHABLE entry", () => {
  const h = host();
  h.cache.replace(VIP, NEW_MAC, "reachable", 0);
  h.receive(codec.announce("garp", parseMac(NEW_MAC), Uint8Array.from([203, 0, 113, 10])), ms(10));
  assert.is(h.cache.get(VIP)!.state, "reachable");
  assert.is(h.updates["arp:unchanged"], 1);
});

test("STALE: sending moves to DELAY; unconfirmed, PROBE sends 3 unicast probes 1 s apart, then FAILED", () => {
  const h = host();
  h.cache.replace(VIP, OLD_MAC, "stale", 0);
  const out = h.send(VIP, sec(1));
  assert.is(out.delivered[0].mac, OLD_MAC);
  assert.is(h.cache.get(VIP)!.state, "delay");
  assert.is(h.nextDeadline(), sec(6), "delay_first_probe_time 5 s");
  const probes: { t: number; frame: Uint8Array }[] = [];
  for (let t = h.nextDeadline(); t !== null; t = h.nextDeadline()) for (const f of h.tick(t).frames) probes.push({ t, frame: f });
  assert.equal(probes.map((p) => p.t), [sec(6), sec(7), sec(8)]);
  for (const p of probes) {
    const d = codec.decodeArp(p.frame);
    assert.ok(d.ok);
    if (!d.ok) return;
    assert.is(formatMac(d.eth.dst), OLD_MAC, "unicast probe to the cached MAC");
    assert.is(d.arp.op, 1);
    assert.is(formatIPv4(d.arp.tpa), VIP);
    assert.is(formatIPv4(d.arp.spa), HOST_IP4);
  }
  assert.is(h.cache.get(VIP)!.state, "failed");
  assert.is(h.countersFor(VIP).solicits, 3);
});

test("DELAY with a confirmation in time returns to REACHABLE", () => {
  const h = host();
  h.cache.replace(VIP, OLD_MAC, "stale", 0);
  h.send(VIP, sec(1));
  h.cache.confirm(VIP, sec(2));
  h.tick(sec(6));
  assert.is(h.cache.get(VIP)!.state, "reachable");
});

test("REACHABLE lasts a random [15 s, 45 s) per cache, then STALE when unused", () => {
  const seen = new Set<number>();
  for (let seed = 1; seed <= 50; seed++) {
    const h = host({ seed });
    const r = h.cache.reachableNs;
    assert.ok(r >= LINUX_DEFAULTS.baseReachableNs / 2 && r < (LINUX_DEFAULTS.baseReachableNs * 3) / 2, String(r));
    seen.add(r);
    h.cache.replace(VIP, OLD_MAC, "reachable", 0);
    assert.is(h.nextDeadline(), r);
    h.tick(r);
    assert.is(h.cache.get(VIP)!.state, "stale");
  }
  assert.ok(seen.size > 40, "drawn from the Rng");
});

test("no entry: INCOMPLETE, 3 broadcast requests 1 s apart, packets queued, FAILED drops them", () => {
  const h = host();
  const first = h.send(VIP, 0);
  h.send(VIP, ms(500));
  assert.is(first.frames.length, 1, "one broadcast request at once");
  assert.equal(first.delivered, []);
  const times: number[] = [0];
  for (let t = h.nextDeadline(); t !== null; t = h.nextDeadline()) if (h.tick(t).frames.length) times.push(t);
  assert.equal(times, [0, sec(1), sec(2)]);
  assert.is(h.cache.get(VIP)!.state, "failed");
  assert.equal({ ...h.countersFor(VIP) }, { sent: 0, misdelivered: 0, queued: 2, dropped: 2, solicits: 3, solicitsUnbuilt: 0 });
  // FAILED: the next packet starts resolution again.
  const again = h.send(VIP, sec(4));
  assert.is(again.frames.length, 1);
  assert.is(h.cache.get(VIP)!.state, "incomplete");
});

test("INCOMPLETE resolved by the owner's reply releases the queue to the new MAC", () => {
  const owner = new ArpResponder("u2", codec, parseMac(NEW_MAC));
  owner.hold(VIP);
  const h = host();
  const out = h.send(VIP, 0);
  h.send(VIP, ms(1));
  const reply = owner.receive(out.frames[0], ms(2)).reply;
  assert.ok(reply, "the owner answers the broadcast request");
  const rx = h.receive(reply!, ms(3));
  assert.equal(rx.delivered.map((d) => [d.seq, d.mac]), [[0, NEW_MAC], [1, NEW_MAC]]);
  assert.is(rx.frames.length, 2, "both queued datagrams go out");
  assert.is(h.cache.get(VIP)!.state, "reachable", "a unicast reply asserts reachability");
});

test("unres_qlen: beyond 101 queued packets the oldest are dropped", () => {
  const h = host();
  for (let i = 0; i < 110; i++) h.send(VIP, i);
  assert.is(h.countersFor(VIP).dropped, 9);
  assert.is(h.cache.get(VIP)!.queue[0].seq, 9);
});

test("frames a host puts on the wire are what tshark expects (request, probe, reply, datagram)", () => {
  requireTshark();
  const h = host();
  const frames: Uint8Array[] = [];
  frames.push(...h.send(VIP, 0).frames); // broadcast request
  frames.push(...h.receive(codec.announce("garp", parseMac(NEW_MAC), Uint8Array.from([203, 0, 113, 10])), ms(1)).frames); // resolves: queued datagram
  frames.push(...h.receive(caseFrame(codec, NEIGH_CASES.find((c) => c.frame === "request-to-us")!, "203.0.113.77"), ms(2)).frames); // our ARP reply
  const file = path.join(tmpDir("neighbor"), "host.pcap");
  writePcap(file, frames);
  const rows = fields(file, ["eth.dst", "arp.opcode", "arp.dst.proto_ipv4", "udp.dstport", "ip.dst", "udp.checksum.status"]);
  assert.equal(rows.map((r) => [r["eth.dst"], r["arp.opcode"], r["arp.dst.proto_ipv4"], r["ip.dst"], r["udp.dstport"]]), [
    ["ff:ff:ff:ff:ff:ff", "1", VIP, "", ""],
    [NEW_MAC, "", "", VIP, "9"],
    [NEW_MAC, "2", "203.0.113.77", "", ""],
  ]);
  assert.is(rows[1]["udp.checksum.status"], "1");
  assert.equal(expertItems(file).filter((e) => e.severity === "error"), []);
});

/** A takeover seen by one host sending every 10 ms; returns its counters after 60 s. */
function takeover(withGarp: boolean) {
  let ownerMac = OLD_MAC;
  const h = host({ owner: () => ownerMac });
  const newOwner = new ArpResponder("u2", codec, parseMac(NEW_MAC));
  h.cache.replace(VIP, OLD_MAC, "reachable", 0);
  const crashAt = sec(2);
  let firstToNew: number | null = null;
  for (let t = 0; t <= sec(60); t += ms(10)) {
    if (t === crashAt) {
      ownerMac = NEW_MAC; // the standby took the VIP; the old owner is dead and silent
      newOwner.hold(VIP);
      if (withGarp) h.receive(codec.announce("garp", parseMac(NEW_MAC), Uint8Array.from([203, 0, 113, 10])), t);
    }
    const frames = [...h.tick(t).frames, ...h.send(VIP, t).frames];
    for (const f of frames) {
      const d = codec.decodeEth(f);
      if (!d.ok) continue;
      const dst = formatMac(d.eth.dst);
      // Frames to the dead owner vanish; the new owner answers ARP for the VIP.
      if (dst === OLD_MAC && t >= crashAt) continue;
      const r = newOwner.receive(f, t);
      if (r.reply) h.receive(r.reply, t);
    }
    if (firstToNew === null && h.mapping(VIP) === NEW_MAC) firstToNew = t;
  }
  return { counters: h.countersFor(VIP), firstToNew, crashAt };
}

test("takeover: a GARP moves the host at once; without it the host needs the NUD timers", () => {
  const g = takeover(true);
  assert.is(g.firstToNew, g.crashAt);
  assert.is(g.counters.misdelivered, 0);
  const n = takeover(false);
  assert.ok(n.firstToNew !== null, "eventually resolved through PROBE/FAILED/INCOMPLETE");
  // REACHABLE until its expiry (≥ 15 s), DELAY 5 s, PROBE 3 s, then a fresh resolution.
  assert.ok(n.firstToNew! - n.crashAt >= sec(13), `resolved after ${(n.firstToNew! - n.crashAt) / 1e9} s`);
  assert.ok(n.counters.misdelivered > 1000, `misdelivered ${n.counters.misdelivered}`);
  assert.ok(n.counters.sent + n.counters.dropped + n.counters.queued >= 6000);
});

test.run();
