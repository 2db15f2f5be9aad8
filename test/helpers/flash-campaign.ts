// The power-cut campaign (docs/flashing.md, "Power cuts"): a whole update sequence — write,
// mark trial, boot, confirm, a second update whose trial is never confirmed and reverts,
// a third that is reverted by hand — run once on a recording model; then, for every
// mutating flash operation of it, at every tear granularity, several times with random tear
// points: the flash as it was just before that operation, the operation cut part way, power
// back, and the core's boot stage run. What must hold after every cut is checked against the
// flash itself, not against the core's word:
//   - the boot stage chooses a slot, and the bytes in that slot are exactly one of the
//     genuine images written (read independently, bad blocks skipped as the layout says);
//   - that image is acceptable: golden, or a security counter at least the one in force
//     before the cut; the counter in force never goes down;
//   - the choice is the trial or the confirmed image, never a fallback: the confirmed slot is
//     never written here, so anything else means the state lost track;
//   - the golden slot is never written (the model throws if it is, and its bytes are compared).
// Replaying the deterministic sequence up to operation i gives the same flash every time, so
// the flash before each operation is taken once, from the recording run.

import * as S from "../../assembly/shared/status";
import { FlashModel, ModelOp, PowerCut, Tear, TEARS } from "../../host/flash/model";
import { FlashCard } from "../../host/flash/card";
import { FlashReport } from "../../host/flash/driver";
import { FlashType } from "../../host/flash/device";
import { FlashLayout, RegionName } from "../../host/flash/layout";
import { Core } from "../../host/core/core";
import { Rng } from "../../host/util/rng";
import { TestKey } from "./image";
import { layoutOf, geometryOf, sizedImage, sha, NAND_BAD_BLOCKS } from "./flash";

interface Recorded {
  index: number;
  step: string;
  op: ModelOp;
  before: Uint8Array;
  counterBefore: number;
}

export interface CampaignResult {
  type: FlashType;
  ops: number;
  cuts: number;
  byStep: Record<string, number>;
  chosen: Record<string, number>;
  reasons: Record<string, number>;
  liveness: number;
  failures: string[];
  ms: number;
}

/** Region r's logical bytes [0, len), good blocks only: the test's own reader. */
function readSlot(dev: FlashModel, layout: FlashLayout, r: RegionName, len: number, bad: number[]): Uint8Array {
  const out = new Uint8Array(len);
  const e = layout.eraseSize;
  let got = 0;
  for (let b = layout.regions[r].offset / e; got < len && b < (layout.regions[r].offset + layout.regions[r].size) / e; b++) {
    if (bad.includes(b)) continue;
    const n = Math.min(e, len - got);
    const chunk = new Uint8Array(n);
    dev.read(b * e, chunk);
    out.set(chunk, got);
    got += n;
  }
  return got === len ? out : new Uint8Array(0);
}

export function runCampaign(type: FlashType, key: TestKey, tearsPerOp: number, seed = 1, livenessEvery = 50): CampaignResult {
  const t0 = Date.now();
  const layout = layoutOf(type);
  const bad = type === "nand" ? NAND_BAD_BLOCKS : [];
  const trust = { keys: [key.pub], board: "linecard-a" };
  const core = Core.load();
  const golden = sizedImage(key, 1, 1, 5000, 11);
  const v1 = sizedImage(key, 1, 1, 6000, 12);
  const v2 = sizedImage(key, 2, 2, 9000, 13); // three erase blocks
  const v3 = sizedImage(key, 3, 3, 7000, 14);
  const v4 = sizedImage(key, 4, 4, 6500, 15);
  const vNext = sizedImage(key, 9, 9, 5500, 16);
  const genuine = new Map([golden, v1, v2, v3, v4, vNext].map((img) => [sha(img), img]));
  const goldenRange = { from: layout.regions.golden.offset, to: layout.regions.golden.offset + layout.regions.golden.size, name: "golden" };

  // ---- the recording run -------------------------------------------------------------------
  const rec: Recorded[] = [];
  let step = "setup";
  let recording = false;
  const dev = FlashModel.inMemory(geometryOf(layout), {
    badBlocks: bad,
    beforeMutate: (op, m) => {
      if (recording) rec.push({ index: rec.length, step, op: { ...op, data: op.data && Uint8Array.from(op.data) }, before: m.raw(), counterBefore: -1 });
    },
  });
  const card = new FlashCard(dev, layout, trust, core);
  const must = (r: FlashReport, what: string) => {
    if (r.status !== S.OK) throw new Error(`recording run: ${what}: ${r.statusName}`);
    return r;
  };
  must(card.golden(golden), "golden");
  must(card.flash(v1), "flash v1");
  must(card.boot(), "boot v1");
  must(card.confirm(), "confirm v1");
  const base = dev.raw();
  recording = true;
  const sequence: [string, () => FlashReport][] = [
    ["write v2", () => card.flash(v2)],
    ["boot trial v2", () => card.boot()],
    ["confirm v2", () => card.confirm()],
    ["write v3", () => card.flash(v3)],
    ["boot trial v3 (1)", () => card.boot()],
    ["boot trial v3 (2)", () => card.boot()],
    ["boot: v3 reverts", () => card.boot()],
    ["write v4", () => card.flash(v4)],
    ["revert v4", () => card.revert()],
    ["boot after revert", () => card.boot()],
  ];
  for (const [name, f] of sequence) {
    step = name;
    must(f(), name);
  }
  recording = false;
  const goldenBytes = base.slice(goldenRange.from, goldenRange.to);

  // The counter in force before each operation, as the core reads it from that flash.
  for (const r of rec) {
    const m = FlashModel.inMemory(geometryOf(layout), { badBlocks: bad }, r.before.slice());
    r.counterBefore = new FlashCard(m, layout, trust, core).status().state.securityCounter;
  }

  // ---- the cuts ----------------------------------------------------------------------------------
  const res: CampaignResult = { type, ops: rec.length, cuts: 0, byStep: {}, chosen: {}, reasons: {}, liveness: 0, failures: [], ms: 0 };
  const fail = (what: string) => {
    if (res.failures.length < 20) res.failures.push(what);
  };
  for (const r of rec) {
    for (const tear of TEARS as Tear[]) {
      for (let k = 0; k < tearsPerOp; k++) {
        const rng = new Rng((seed * 1_000_003 + r.index * 7919 + TEARS.indexOf(tear) * 104_729 + k) >>> 0);
        const m = FlashModel.inMemory(geometryOf(layout), { badBlocks: bad, cut: { atOp: 0, tear, rng }, guard: goldenRange }, r.before.slice());
        const where = `${type} op ${r.index} (${r.step}: ${r.op.kind} at 0x${r.op.off.toString(16)}), ${tear} tear #${k}`;
        try {
          if (r.op.kind === "erase") m.erase(r.op.off);
          else m.program(r.op.off, r.op.data!);
          fail(`${where}: the cut did not happen`);
          continue;
        } catch (e) {
          if (!(e instanceof PowerCut)) throw e;
        }
        m.powerOn();
        res.cuts++;
        res.byStep[r.step] = (res.byStep[r.step] ?? 0) + 1;
        const c = new FlashCard(m, layout, trust, core);
        let rep: FlashReport;
        try {
          rep = c.boot();
        } catch (e) {
          fail(`${where}: boot threw ${(e as Error).message}`);
          continue;
        }
        if (rep.status !== S.OK || !rep.chosen) {
          fail(`${where}: boot chose nothing (${rep.statusName})`);
          continue;
        }
        res.chosen[rep.chosen] = (res.chosen[rep.chosen] ?? 0) + 1;
        // The confirmed slot is never written in this sequence: golden is never needed, and a
        // counter raised before confirmation (so the confirmed image no longer verifies) shows here.
        if (rep.reason !== "trial" && rep.reason !== "confirmed") fail(`${where}: chose ${rep.chosen} (${rep.reason}), not the trial or the confirmed slot`);
        res.reasons[rep.reason!] = (res.reasons[rep.reason!] ?? 0) + 1;
        const region = rep.chosen.toLowerCase() as RegionName;
        const head = readSlot(m, layout, region, 64, bad);
        const len = head.length ? new DataView(head.buffer).getUint32(8, true) : 0;
        const img = len > 0 && len < 0x10000 ? readSlot(m, layout, region, len, bad) : new Uint8Array(0);
        const known = genuine.get(sha(img));
        if (!known) {
          fail(`${where}: slot ${rep.chosen} chosen, but it does not hold a genuine image`);
          continue;
        }
        const counter = new DataView(known.buffer, known.byteOffset).getUint32(56, true);
        if (region === "golden" ? known !== golden : counter < r.counterBefore) fail(`${where}: chose ${rep.chosen} with counter ${counter} below ${r.counterBefore}`);
        if (rep.state.securityCounter < r.counterBefore) fail(`${where}: security counter went down: ${r.counterBefore} -> ${rep.state.securityCounter}`);
        const g = m.raw(goldenRange.from, goldenRange.to - goldenRange.from);
        if (Buffer.compare(Buffer.from(g), Buffer.from(goldenBytes)) !== 0) fail(`${where}: the golden slot changed`);
        // Now and then: the card still updates normally after this cut.
        if (livenessEvery > 0 && res.cuts % livenessEvery === 0) {
          const w = c.flash(vNext);
          const b = c.boot();
          const cf = c.confirm();
          const b2 = c.boot();
          if (w.status !== S.OK || b.reason !== "trial" || cf.status !== S.OK || b2.reason !== "confirmed" || b2.state.securityCounter !== 9) {
            fail(`${where}: no clean update after the cut: write ${w.statusName}, boot ${b.reason}, confirm ${cf.statusName}, boot ${b2.reason} counter ${b2.state.securityCounter}`);
          } else res.liveness++;
        }
      }
    }
  }
  res.ms = Date.now() - t0;
  return res;
}
