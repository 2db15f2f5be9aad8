// ARP-proxy mode (seed 004): a proxy answers for its clients with its own MAC and announces
// them on registration; on takeover the new proxy announces the shared address and the old
// one stops answering — by an explicit withdraw or by yielding to a peer proxy it hears.
// Hosts (the Linux-like cache) end up at the new proxy; no request is answered by both.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { freshCodec } from "./helpers/core";
import { requireTshark, tmpDir, writePcap, fields } from "./helpers/tshark";
import { ArpProxy, proxyHandover } from "../host/ha/proxy";
import { SimHost } from "../host/sim/endhost";
import { Timeline, ms, sec } from "../host/ha/timeline";
import { Rng } from "../host/util/rng";
import { formatIPv4, formatMac } from "../host/util/addr";

const codec = freshCodec();
const SHARED = "203.0.113.50";
const P1 = "02:00:00:00:01:45"; // proxy server 145 (fig. 1B) in front of client 140
const P2 = "02:00:00:00:01:55"; // proxy server 155 in front of client 150
const HOST = { mac: "02:00:00:00:01:25", ip4: "203.0.113.125", prefixLen: 24 };

function proxies(opts: { yieldTo?: boolean } = {}, tl = new Timeline()) {
  const knobs = { count: 1, secondBurstDelayNs: 0 };
  const p1 = new ArpProxy({ name: "proxy145", mac: P1, codec, knobs, yieldTo: opts.yieldTo ? [P2] : [], timeline: tl });
  const p2 = new ArpProxy({ name: "proxy155", mac: P2, codec, knobs, yieldTo: opts.yieldTo ? [P1] : [], timeline: tl });
  return { p1, p2, tl };
}

function host(): SimHost {
  return new SimHost({ name: "host125", ...HOST, codec, rng: new Rng(2) });
}

/** A broadcast segment: every frame reaches every station but its sender. */
function segment(stations: { name: string; receive: (f: Uint8Array, t: number) => Uint8Array[] }[]) {
  const answeredBy: string[][] = [];
  return {
    answeredBy,
    send(from: string, frames: Uint8Array[], t: number): void {
      for (const f of frames) {
        const answers: string[] = [];
        for (const s of stations) {
          if (s.name === from) continue;
          const replies = s.receive(f, t);
          if (replies.length) answers.push(s.name);
          this.send(s.name, replies, t);
        }
        const d = codec.decodeArp(f);
        if (d.ok && d.arp.op === 1) answeredBy.push(answers.filter((a) => a.startsWith("proxy")));
      }
    },
  };
}

test("a proxy answers ARP for its client's address with its own MAC (tshark reads the reply)", () => {
  requireTshark();
  const { p1 } = proxies();
  p1.register("client140", [SHARED], 0);
  assert.equal(p1.table(), { [SHARED]: "client140" });
  assert.is(p1.clientFor(SHARED), "client140");
  const h = host();
  const req = h.send(SHARED, ms(1)).frames[0];
  const out = p1.receive(req, ms(1));
  assert.is(out.frames.length, 1);
  const file = path.join(tmpDir("proxy"), "reply.pcap");
  writePcap(file, [req, out.frames[0]]);
  const rows = fields(file, ["eth.src", "eth.dst", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.hw_mac", "arp.dst.proto_ipv4"]);
  assert.equal(rows[1], {
    "eth.src": P1, "eth.dst": HOST.mac, "arp.opcode": "2", "arp.src.hw_mac": P1, "arp.src.proto_ipv4": SHARED, "arp.dst.hw_mac": HOST.mac, "arp.dst.proto_ipv4": HOST.ip4,
  });
  h.receive(out.frames[0], ms(2));
  assert.is(h.mapping(SHARED), P1);
});

test("registration announces the shared address with the proxy's MAC (unsolicited reply first)", () => {
  const { p1 } = proxies();
  p1.register("client140", [SHARED], sec(1));
  const frames = p1.tick(sec(1));
  assert.equal(frames.map((f) => f.kind), ["garp-reply", "garp"]);
  for (const f of frames) {
    const d = codec.decodeArp(f.frame);
    assert.ok(d.ok);
    if (!d.ok) return;
    assert.is(formatMac(d.arp.sha), P1);
    assert.is(formatIPv4(d.arp.spa), SHARED);
  }
});

for (const mode of ["explicit withdraw", "yield to the peer's announcement"] as const) {
  test(`takeover by ${mode}: the host moves to the new proxy; never two answers`, () => {
    const { p1, p2, tl } = proxies({ yieldTo: mode !== "explicit withdraw" });
    const h = host();
    const seg = segment([
      { name: "proxy145", receive: (f, t) => p1.receive(f, t).frames },
      { name: "proxy155", receive: (f, t) => p2.receive(f, t).frames },
      { name: "host125", receive: (f, t) => h.receive(f, t).frames },
    ]);
    p1.register("client140", [SHARED], 0);
    seg.send("proxy145", p1.tick(0).map((f) => f.frame), 0);
    seg.send("host125", h.send(SHARED, ms(10)).frames, ms(10));
    assert.is(h.mapping(SHARED), P1, "before: via proxy 145");
    // Client 140 dies; client 150 (same shared IP) takes over behind proxy 155.
    const t = sec(2);
    if (mode === "explicit withdraw") proxyHandover(p1, p2, { old: "client140", new: "client150" }, [SHARED], t);
    else p2.register("client150", [SHARED], t);
    seg.send("proxy155", p2.tick(t).map((f) => f.frame), t);
    assert.is(h.mapping(SHARED), P2, "after: via proxy 155");
    assert.not.ok(p1.answersFor(SHARED), "the old proxy no longer answers");
    assert.is(p2.clientFor(SHARED), "client150");
    if (mode !== "explicit withdraw") assert.is(tl.first("proxy.yield")!.detail!.to, P2);
    // Later resolutions (the host's entry failed, a new host) reach only the new proxy.
    const h2 = new SimHost({ name: "host130", mac: "02:00:00:00:01:30", ip4: "203.0.113.130", prefixLen: 24, codec, rng: new Rng(3) });
    seg.send("host130", h2.send(SHARED, sec(3)).frames, sec(3));
    assert.ok(seg.answeredBy.every((a) => a.length <= 1), JSON.stringify(seg.answeredBy));
    assert.equal(seg.answeredBy.at(-1), ["proxy155"]);
  });
}

test("a conflicting claim from a MAC that is not a peer proxy is reported, not obeyed", () => {
  const { p1, tl } = proxies({ yieldTo: true });
  p1.register("client140", [SHARED], 0);
  const rogue = codec.announce("garp", Uint8Array.from([2, 0, 0, 0, 0x66, 0x66]), Uint8Array.from([203, 0, 113, 50]));
  assert.equal(p1.receive(rogue, ms(5)).yielded, []);
  assert.ok(p1.answersFor(SHARED));
  assert.is(tl.first("proxy.conflict")!.detail!.mac, "02:00:00:00:66:66");
  assert.is(p1.counters.conflicts, 1);
});

test("deregistering one client leaves the others answered and announced", () => {
  const { p1 } = proxies();
  p1.register("a", ["203.0.113.51"], 0);
  p1.register("b", ["203.0.113.52"], 0);
  assert.equal(p1.deregister("a", ms(1)), ["203.0.113.51"]);
  assert.equal(p1.table(), { "203.0.113.52": "b" });
  assert.ok(p1.tick(ms(1)).every((f) => f.vip === "203.0.113.52"));
  assert.throws(() => proxyHandover(p1, proxies().p2, { old: "a", new: "c" }, ["203.0.113.51"], ms(2)), /did not answer/);
});

test.run();
