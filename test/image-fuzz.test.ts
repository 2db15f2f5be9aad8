// Fuzzing the core's image parser: 10^5 mutated images (flips, field rewrites with
// interesting values, insertions, deletions, splices between genuine images, truncation and
// extension — half of them with the header's length fixed up so the parser goes deeper),
// in verify and parse mode. Nothing but a genuine image may be accepted, and nothing traps.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as F from "../assembly/shared/image";
import { Core } from "../host/core/core";
import { Rng } from "../host/util/rng";
import { runImage } from "../host/image/verifier";
import { testKey, smallImage, WASM_PREAMBLE } from "./helpers/image";

const RUNS = 100_000;

test(`${RUNS} mutated images: only genuine ones accepted, every refusal has a reason, no trap`, () => {
  const key = testKey(7);
  const other = testKey(8);
  const rng = new Rng(0xf022);
  const genuine = [
    smallImage(key),
    smallImage(key, { native: rng.bytes(40), securityCounter: 9 }),
    smallImage(key, { extensions: [{ type: 0x0101, value: rng.bytes(21) }], core: Uint8Array.from([...WASM_PREAMBLE, ...rng.bytes(70)]) }),
    smallImage(other, { boardId: "linecard-b" }),
  ];
  const known = new Set(genuine.map((g) => Buffer.from(g).toString("hex")));
  const core = Core.load();
  const outcomes = new Map<string, number>();
  const interesting = [0, 1, 7, 8, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x8001, 0x8002, 0x8003, 0x8010, 0x8011, 0x7fffffff, 0xffffffff];
  let accepted = 0;

  for (let i = 0; i < RUNS; i++) {
    const base = genuine[rng.int(genuine.length)];
    let m = base.slice();
    let fixLength = rng.bool();
    switch (rng.int(8)) {
      case 0: // 1..4 random byte changes
        for (let k = 1 + rng.int(4); k > 0; k--) m[rng.int(m.length)] ^= 1 + rng.int(255);
        fixLength = false;
        break;
      case 1: { // a header or record-header field set to an interesting value
        const dv = new DataView(m.buffer);
        const at = rng.bool() ? rng.int(16) * 4 : (() => {
          // the start of some record: walk the records
          const offs: number[] = [];
          for (let o = 64; o + 8 <= m.length; ) { offs.push(o); const l = dv.getUint32(o + 4, true); o += 8 + ((l + 7) & ~7); if (l > m.length) break; }
          return rng.pick(offs) + rng.pick([0, 2, 4]);
        })();
        const v = rng.pick(interesting);
        if (at + 4 <= m.length && rng.bool()) dv.setUint32(at, v >>> 0, true);
        else if (at + 2 <= m.length) dv.setUint16(at, v & 0xffff, true);
        fixLength = false;
        break;
      }
      case 2: { // insert 1..40 bytes
        const at = rng.int(m.length + 1);
        m = Uint8Array.from([...m.subarray(0, at), ...rng.bytes(1 + rng.int(40)), ...m.subarray(at)]);
        break;
      }
      case 3: { // delete 1..40 bytes
        const at = rng.int(m.length);
        m = Uint8Array.from([...m.subarray(0, at), ...m.subarray(Math.min(m.length, at + 1 + rng.int(40)))]);
        break;
      }
      case 4: { // splice a range of another genuine image over this one (mix and match)
        const src = genuine[rng.int(genuine.length)];
        const from = rng.int(src.length);
        const n = 1 + rng.int(Math.min(120, src.length - from));
        const to = rng.int(m.length);
        m.set(src.subarray(from, Math.min(src.length, from + Math.min(n, m.length - to))), to);
        break;
      }
      case 5: // truncate
        m = m.subarray(0, rng.int(m.length)).slice();
        break;
      case 6: // extend with zeros or garbage
        m = Uint8Array.from([...m, ...(rng.bool() ? new Array(1 + rng.int(64)).fill(0) : rng.bytes(1 + rng.int(64)))]);
        break;
      default: // a whole record moved to another place
        {
          const dv = new DataView(m.buffer);
          const offs: number[] = [];
          for (let o = 64; o + 8 <= m.length; ) { const l = dv.getUint32(o + 4, true); const end = o + 8 + ((l + 7) & ~7); offs.push(o); if (end > m.length) break; offs.push(end); o = end; }
          const a = rng.pick(offs), b = rng.pick(offs);
          const lo = Math.min(a, b), hi = Math.max(a, b);
          if (hi > lo) {
            const chunk = m.slice(lo, hi);
            const rest = Uint8Array.from([...m.subarray(0, lo), ...m.subarray(hi)]);
            const at = 64 + rng.int(Math.max(1, rest.length - 64));
            m = Uint8Array.from([...rest.subarray(0, at), ...chunk, ...rest.subarray(at)]);
          }
        }
    }
    if (fixLength && m.length >= 12) new DataView(m.buffer, m.byteOffset).setUint32(F.IMG_OFF_IMAGE_LEN, m.length, true);
    const isGenuine = known.has(Buffer.from(m).toString("hex"));
    const mode = i % 4 === 3 ? "parse" : "verify";
    let r;
    try {
      r = runImage(core, m, { mode, trust: mode === "verify" ? [key.pub, other.pub] : undefined });
    } catch (err) {
      assert.unreachable(`mutant ${i} trapped (${(err as Error).message}): ${Buffer.from(m).toString("hex")}`);
      return;
    }
    if (r.status === 0) {
      accepted++;
      if (!isGenuine && mode === "verify") assert.unreachable(`mutant ${i} accepted: ${Buffer.from(m).toString("hex")}`);
    } else {
      if (!r.reason || r.reason.includes("\n")) assert.unreachable(`mutant ${i}: reason "${r.reason}"`);
    }
    outcomes.set(r.statusName, (outcomes.get(r.statusName) ?? 0) + 1);
  }
  assert.is(core.exports.last_abort_line(), 0, "no abort fired");
  // The mutants reach deep into the parser: most refusal codes occur.
  const codes = [...outcomes.keys()].filter((k) => k !== "OK");
  assert.ok(codes.length >= 12, `only ${codes.join(", ")}`);
  assert.ok(accepted < RUNS / 20, `${accepted} accepted`);
});

test.run();
