// The takeover announcer: schedule shape (counts, spacing, second burst, refresh, again,
// stop) against the knobs, the Announcer class against the pure schedule, and every frame
// it builds judged by tshark at its scheduled time.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as path from "path";
import { freshCodec } from "./helpers/core";
import { requireTshark, tmpDir, fields, expertItems } from "./helpers/tshark";
import { PcapWriter } from "../host/pcap";
import { Rng } from "../host/util/rng";
import {
  Announcer, announceSchedule, burstSchedule, knobs, parseVip, DEFAULT_KNOBS, AnnounceKnobs, ScheduledAnnouncement, BuiltAnnouncement,
} from "../host/ha/announcer";
import { Timeline, ms, sec } from "../host/ha/timeline";

const codec = freshCodec();
const MAC = "02:00:5e:00:01:07";
const V4 = ["203.0.113.10", "203.0.113.11"];
const V6 = ["2001:db8::10"];
const VIPS = [...V4, ...V6].map(parseVip);

function countBy(xs: ScheduledAnnouncement[], f: (x: ScheduledAnnouncement) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[f(x)] = (out[f(x)] ?? 0) + 1;
  return out;
}

/** Runs an announcer from its deadlines only (as the chassis would) until untilNs. */
function drive(a: Announcer, untilNs: number): BuiltAnnouncement[] {
  const out: BuiltAnnouncement[] = [];
  for (let t = a.nextDeadline(); t !== null && t <= untilNs; t = a.nextDeadline()) out.push(...a.tick(t));
  return out;
}

test("defaults are keepalived's (5 now, 5 more after 5 s, no refresh) with both ARP variants", () => {
  assert.is(DEFAULT_KNOBS.count, 5);
  assert.is(DEFAULT_KNOBS.secondBurstDelayNs, sec(5));
  assert.is(DEFAULT_KNOBS.secondBurstCount, 5);
  assert.is(DEFAULT_KNOBS.refreshNs, 0);
  assert.equal(DEFAULT_KNOBS.arpVariants, ["garp", "garp-reply"]);
});

test("default schedule: per burst, count rounds × (IPv4 VIPs × variants + IPv6 VIPs)", () => {
  const t0 = sec(12);
  const s = announceSchedule(knobs(), VIPS, t0, t0 + sec(3600));
  const perBurst = 5 * (V4.length * 2 + V6.length);
  assert.equal(countBy(s, (x) => x.burst), { first: perBurst, second: perBurst });
  assert.ok(s.filter((x) => x.burst === "first").every((x) => x.tNs === t0), "spacing 0: first burst at t0");
  assert.ok(s.filter((x) => x.burst === "second").every((x) => x.tNs === t0 + sec(5)));
  assert.equal(countBy(s, (x) => `${x.kind} ${x.vip}`), {
    "garp 203.0.113.10": 10, "garp-reply 203.0.113.10": 10, "garp 203.0.113.11": 10, "garp-reply 203.0.113.11": 10, "na 2001:db8::10": 10,
  });
  // Within a round: the IPv4 VIPs with each variant in order, then the IPv6 VIPs.
  assert.equal(s.slice(0, 5).map((x) => `${x.kind} ${x.vip}`), [
    "garp 203.0.113.10", "garp-reply 203.0.113.10", "garp 203.0.113.11", "garp-reply 203.0.113.11", "na 2001:db8::10",
  ]);
});

test("spacing separates consecutive frames; the second burst starts at its delay", () => {
  const k = knobs({ count: 3, spacingNs: ms(10), secondBurstDelayNs: sec(2), secondBurstCount: 2 });
  const s = announceSchedule(k, [parseVip("203.0.113.10")], 0, sec(10));
  const first = s.filter((x) => x.burst === "first");
  assert.equal(first.map((x) => x.tNs), [0, 1, 2, 3, 4, 5].map((i) => ms(10 * i)));
  assert.equal(first.map((x) => x.round), [0, 0, 1, 1, 2, 2]);
  const second = s.filter((x) => x.burst === "second");
  assert.equal(second.map((x) => x.tNs), [0, 1, 2, 3].map((i) => sec(2) + ms(10 * i)));
});

test("no second burst when its delay is 0; refresh every period from the start", () => {
  const k = knobs({ count: 2, secondBurstDelayNs: 0, refreshNs: sec(60), refreshCount: 2, arpVariants: ["garp"] });
  const s = announceSchedule(k, [parseVip("203.0.113.10")], sec(1), sec(1) + sec(200));
  assert.equal(countBy(s, (x) => x.burst), { first: 2, refresh: 6 });
  const refreshTimes = [...new Set(s.filter((x) => x.burst === "refresh").map((x) => x.tNs))];
  assert.equal(refreshTimes, [sec(61), sec(121), sec(181)]);
});

test("keepalived-like knob validation: bad values are refused", () => {
  assert.throws(() => knobs({ count: -1 }), /count/);
  assert.throws(() => knobs({ count: 1.5 }), /count/);
  assert.throws(() => knobs({ spacingNs: -5 }), /spacingNs/);
  assert.throws(() => knobs({ refreshNs: 10, spacingNs: 10 }), /refreshNs/);
  assert.throws(() => knobs({ arpVariants: ["arp-probe" as never] }), /arpVariants/);
  assert.throws(() => knobs({ vlanTci: 0xfff }), /vlanTci/);
});

test("Announcer driven by its deadlines emits exactly the pure schedule (random knobs)", () => {
  const rng = new Rng(7);
  for (let i = 0; i < 60; i++) {
    const k: Partial<AnnounceKnobs> = {
      count: rng.int(6),
      spacingNs: rng.pick([0, ms(1), ms(20)]),
      secondBurstDelayNs: rng.pick([0, sec(1), sec(5)]),
      refreshNs: rng.pick([0, sec(3), sec(30)]),
      refreshCount: 1 + rng.int(3),
      arpVariants: rng.pick([["garp"], ["garp-reply"], ["garp", "garp-reply"], ["garp-reply", "garp"]]) as AnnounceKnobs["arpVariants"],
    };
    const vips = [...V4.slice(0, rng.int(3)), ...V6.slice(0, rng.int(2))];
    const t0 = rng.int(1e9);
    const until = t0 + sec(65);
    const a = new Announcer({ name: "u1", encoder: codec, mac: MAC, vips, knobs: k });
    a.start(t0);
    const got = drive(a, until).map(({ frame: _f, ...x }) => x);
    assert.equal(got, announceSchedule(knobs(k), vips.map(parseVip), t0, until), `case ${i}`);
  }
});

test("again() adds a full burst now and keeps the rest; stop() ends everything", () => {
  const tl = new Timeline();
  const a = new Announcer({ name: "u1", encoder: codec, mac: MAC, vips: ["203.0.113.10"], knobs: { count: 2, refreshNs: sec(60) }, timeline: tl });
  a.start(0);
  assert.is(a.tick(0).length, 4);
  a.again(sec(1), "split brain won");
  const again = a.tick(sec(1));
  assert.equal(again.map((x) => `${x.burst}/${x.kind}`), ["again/garp", "again/garp-reply", "again/garp", "again/garp-reply"]);
  assert.is(a.nextDeadline(), sec(5), "second burst still pending");
  a.stop(sec(2), "stepped down");
  assert.is(a.nextDeadline(), null);
  assert.equal(a.tick(sec(100)), []);
  assert.equal(tl.names(), ["announce.start", ...Array(4).fill("announce.sent"), "announce.again", ...Array(4).fill("announce.sent"), "announce.stop"]);
});

test("again() on a stopped announcer starts it", () => {
  const a = new Announcer({ name: "u1", encoder: codec, mac: MAC, vips: ["203.0.113.10"] });
  a.again(sec(3), "peer gasp");
  assert.ok(a.active);
  assert.is(a.tick(sec(3)).length, 10);
});

test("tshark: every announced frame, at its scheduled time, is what the knobs say", () => {
  requireTshark();
  const dir = tmpDir("announcer");
  for (const [label, k] of [
    ["untagged", knobs({ count: 2, spacingNs: ms(3), secondBurstDelayNs: sec(1), secondBurstCount: 1 })],
    ["vlan+router", knobs({ count: 1, spacingNs: ms(1), secondBurstDelayNs: 0, refreshNs: sec(2), naRouter: true, vlanTci: (5 << 13) | 42 })],
  ] as const) {
    const a = new Announcer({ name: "u1", encoder: codec, mac: MAC, vips: [...V4, ...V6], knobs: k });
    a.start(sec(1));
    const built = drive(a, sec(5));
    const w = new PcapWriter();
    for (const b of built) w.add({ timeUs: b.tNs / 1000, data: b.frame });
    const file = path.join(dir, `${label}.pcap`);
    w.save(file);
    const rows = fields(file, ["frame.time_epoch", "eth.src", "eth.dst", "vlan.id", "vlan.priority", "arp.opcode", "arp.src.hw_mac", "arp.src.proto_ipv4", "arp.dst.proto_ipv4", "arp.dst.hw_mac", "arp.isannouncement", "icmpv6.nd.na.flag.r", "icmpv6.nd.na.flag.o", "icmpv6.nd.na.flag.s", "icmpv6.nd.na.target_address", "icmpv6.opt.target_linkaddr", "icmpv6.checksum.status"]);
    assert.is(rows.length, built.length, label);
    assert.equal(expertItems(file).filter((e) => e.severity === "warning" || e.severity === "error"), [], label);
    built.forEach((b, i) => {
      const r = rows[i];
      const where = `${label} frame ${i + 1} (${b.kind} ${b.vip})`;
      assert.is(Math.round(Number(r["frame.time_epoch"]) * 1e6), b.tNs / 1000, where);
      assert.is(r["eth.src"], MAC, where);
      assert.is(r["vlan.id"], k.vlanTci === undefined ? "" : String(k.vlanTci & 0xfff), where);
      if (k.vlanTci !== undefined) assert.is(r["vlan.priority"], String(k.vlanTci >> 13), where);
      if (b.kind === "na") {
        assert.is(r["icmpv6.nd.na.target_address"], b.vip, where);
        assert.is(r["icmpv6.opt.target_linkaddr"], MAC, where);
        assert.is(r["icmpv6.nd.na.flag.o"], "1", where);
        assert.is(r["icmpv6.nd.na.flag.s"], "0", where);
        assert.is(r["icmpv6.nd.na.flag.r"], k.naRouter ? "1" : "0", where);
        assert.is(r["icmpv6.checksum.status"], "1", where);
      } else {
        assert.is(r["eth.dst"], "ff:ff:ff:ff:ff:ff", where);
        assert.is(r["arp.opcode"], b.kind === "garp" ? "1" : "2", where);
        assert.is(r["arp.src.hw_mac"], MAC, where);
        assert.is(r["arp.src.proto_ipv4"], b.vip, where);
        assert.is(r["arp.dst.proto_ipv4"], b.vip, where);
        assert.is(r["arp.dst.hw_mac"], b.kind === "garp" ? "00:00:00:00:00:00" : MAC, where);
        if (b.kind === "garp") assert.is(r["arp.isannouncement"], "1", where);
      }
    });
  }
});

test("burstSchedule with no VIPs or no rounds is empty", () => {
  assert.equal(burstSchedule(knobs(), [], 0, "first", 5), []);
  assert.equal(burstSchedule(knobs(), VIPS, 0, "first", 0), []);
});

test.run();
