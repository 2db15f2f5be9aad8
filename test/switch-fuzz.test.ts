// 10^5 random and mutated frames through the switching path: no trap; no write outside the
// frame's buffer and the path's own tables (digests of every other byte of memory before and
// after); no read past the frame's length (a twin instance sees the same frames followed by
// different bytes and must decide and write exactly the same). Then random descriptors, ring
// contents and export arguments.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixture, VIP4, clientIp4 } from "../host/campaign/switch-fixture";
import { frame, TCP } from "../host/campaign/frames";
import { SwitchTwins, switchSeeds, mutate } from "../host/campaign/fuzz";
import { decodeVerdict } from "../host/switch/switch";
import { WireCodec } from "../host/wire/codec";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 100_000);
const rng = new Rng(0x5a17c4);

// The frames, the mutations and the twin-instance judgement are the fuzz campaign's
// (host/campaign/fuzz.ts, `lastgasp campaign fuzz`), here through the switching path alone.
test(`${FRAMES.toLocaleString()} fuzzed frames: no trap, no write outside the frame and the path's tables, no read past the length`, () => {
  const twins = new SwitchTwins();
  const seedFrames = switchSeeds(new WireCodec(Core.load()), rng); // built on a core of its own: the twins are watched
  const actions = new Map<string, number>();
  let now = 1000;
  for (let i = 0; i < FRAMES; i++) {
    const f = i % 5 === 0 ? rng.bytes(rng.int(160)) : mutate(rng.pick(seedFrames), rng);
    if (i % 1000 === 0) {
      now += rng.int(400_000);
      twins.tick(now);
    }
    const t = twins.one(f, rng.int(S.SW_MAX_PORTS), rng.bytes(64));
    if (t.failure) assert.unreachable(t.failure);
    const key = String(t.outcome).replace(/^sw_packet /, "");
    actions.set(key, (actions.get(key) ?? 0) + 1);
  }
  assert.equal(twins.check(), []);
  const summary = [...actions].sort().map(([k, n]) => `${k} ${n}`).join(", ");
  for (const k of ["forward", "answer", "punt", "drop_malformed", "drop_udp_no_service", "drop_not_ours"]) {
    assert.ok((actions.get(k) ?? 0) > 100, `the fuzz must reach ${k}: ${summary}`);
  }
});

test("batch descriptors pointing anywhere: bad ones are dropped as bad_desc, good ones processed, no trap", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const D = Core.frame(21);
  const good = frame({ src: clientIp4(1), dst: VIP4, proto: "tcp", sport: 1, dport: 80, flags: TCP.SYN });
  const G = Core.frame(22);
  for (let round = 0; round < 2000; round++) {
    const n = 1 + rng.int(32);
    const expectBad: boolean[] = [];
    for (let i = 0; i < n; i++) {
      const d = D + i * S.BD_SIZE;
      const isGood = rng.bool(0.3);
      core.write(G, good);
      const buf = isGood ? G : rng.pick([0, 1, MAP.STATE_BASE, MAP.SWITCH_BASE, MAP.SWITCH_BASE - 10, MAP.SW_CONN_BASE, MAP.MEM_END - 4, rng.u32(), 0xffffffff]);
      const len = isGood ? good.length : rng.int(0x10000);
      const cap = isGood ? 2048 : rng.pick([len, 0xffff, 60]);
      core.view.setUint32(d + S.BD_BUF, buf >>> 0, true);
      core.view.setUint16(d + S.BD_LEN, len, true);
      core.view.setUint16(d + S.BD_CAP, cap, true);
      core.view.setUint8(d + S.BD_IN_PORT, isGood ? 0 : rng.int(256));
      const inPacketMemory = buf >= MAP.HOST_BASE && buf + cap <= MAP.SWITCH_BASE;
      const bad = !(inPacketMemory && len <= cap && core.view.getUint8(d + S.BD_IN_PORT) < S.SW_MAX_PORTS);
      expectBad.push(bad);
    }
    const rc = core.exports.sw_batch(D, n, round);
    assert.is(rc, n);
    for (let i = 0; i < n; i++) {
      const v = decodeVerdict(core.view.getInt32(D + i * S.BD_SIZE + S.BD_VERDICT, true));
      if (expectBad[i]) assert.is(v.reason, "drop_bad_desc");
      else assert.is.not(v.reason, "drop_bad_desc");
    }
  }
  assert.ok(core.exports.sw_batch(MAP.SW_CONN_BASE, 4, 0) < 0, "descriptors in the tables: refused");
  assert.ok(core.exports.sw_batch(D, S.SW_BATCH_MAX + 1, 0) < 0);
});

test("random DOWN-ring contents: every slot consumed or refused, no trap, output stays in its buffer", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const hdr = MAP.SW_RING_HDR_BASE + S.PUNT_DOWN * S.PUNT_HDR_SIZE;
  const OUT = Core.frame(23);
  for (let round = 0; round < 300; round++) {
    core.bytes.set(rng.bytes(4096), MAP.SW_PUNT_DOWN_BASE + rng.int(S.PUNT_SLOTS) * S.PUNT_SLOT_SIZE);
    const tail = core.view.getUint32(hdr + S.PUNT_TAIL, true);
    core.view.setUint32(hdr + S.PUNT_HEAD, (tail + rng.pick([0, 1, 5, 127, 128, 129, 1 << 30])) >>> 0, true);
    const guard = Buffer.from(core.bytes.subarray(OUT + 2048, OUT + 4096));
    for (let k = 0; k < 200; k++) {
      let rc: number;
      try {
        rc = core.exports.sw_inject_next(OUT, 2048);
      } catch (e) {
        assert.unreachable(`trap: ${(e as Error).message}`);
        return;
      }
      if (rc === 0) break;
      if (rc > 0) decodeVerdict(rc);
    }
    assert.ok(Buffer.compare(Buffer.from(core.bytes.subarray(OUT + 2048, OUT + 4096)), guard) === 0);
  }
});

test("random arguments to every sw_ export: a status or a verdict, never a trap", () => {
  const { sw } = fixture({ capacity: 1 << 10 });
  const core = sw.core;
  const names = Object.keys(core.exports).filter((n) => n.startsWith("sw_") && n !== "sw_init");
  for (let i = 0; i < 20_000; i++) {
    const fn = rng.pick(names);
    const args = Array.from({ length: 4 }, () => rng.pick([0, -1, 1, 2, 16, 0x7fffffff, -0x80000000, MAP.MEM_END - 1, MAP.SWITCH_BASE, MAP.SW_CONN_BASE, MAP.STATE_BASE, Core.frame(5), rng.u32() | 0]));
    try {
      const rc = core.exports[fn](...args);
      assert.ok(Number.isInteger(rc));
    } catch (e) {
      assert.unreachable(`${fn}(${args}) trapped: ${(e as Error).message}`);
    }
  }
  const fresh = Core.load();
  for (const fn of names) assert.ok(fresh.exports[fn](0, 0, 0, 0) < 0, `${fn} before sw_init refuses`);
});

test.run();
