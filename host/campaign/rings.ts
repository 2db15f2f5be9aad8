// The rings campaign: random crashed-driver states on the e1000 and i210-like models, with
// every fault the models inject, and the fault path's takeover judged by an oracle:
//   - when the NIC can send, nic_fault_send returns STEP_DONE and at least `copies` exact
//     copies of the frame reach the wire;
//   - otherwise it returns the named error: E_LINK_DOWN, E_TX_HUNG (hung even after a device
//     reset), E_QUEUE_ENABLE_TIMEOUT;
//   - in fewer than 2,000 register rounds;
//   - it writes nothing outside its own rings and buffers (host-visible memory is the same
//     before and after, except where the NIC's own DMA writes explain it), and every ring
//     base it programs is its own.
// Two settings: the fault core its own instance (the normal case: it cannot even address the
// dead OS's ring), and the fault path in the same instance as the OS's ring (reclaim by TDH).

import * as R from "../../assembly/shared/e1000";
import * as RINGS from "../../assembly/shared/rings";
import * as St from "../../assembly/shared/status";
import * as MAP from "../../assembly/shared/memmap";
import { STEP_DONE } from "../../assembly/shared/regop";
import { Core } from "../core/core";
import { CoreRings, TX_STAGE } from "../nic/rings";
import { statusName } from "../core/status";
import { Rng } from "../util/rng";
import { OS_WINDOW } from "../board/sim";
import { rig, frame, padded, hexOf, MAC_A, Rig, RegAccess, OS_PHYS, FAULT_PHYS } from "./rig";
import type { CampaignKind, Block, Trial } from "./campaign";

const BCAST = Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

export type Mode =
  | "pending-tx-disabled" | "garbage-descriptors" | "frozen" | "frozen-dead" | "ring-full"
  | "deferred" | "lost-doorbells" | "link-down" | "garbage-registers" | "os-dma-revoked" | "slow-queue-enable";
export const MODES: Mode[] = [
  "pending-tx-disabled", "garbage-descriptors", "frozen", "frozen-dead", "ring-full", "deferred",
  "lost-doorbells", "link-down", "garbage-registers", "os-dma-revoked", "slow-queue-enable",
];

export interface RingTrial {
  seed: number;
  sameInstance: boolean;
  model: "e1000" | "i210";
  txQueues: number;
  faultQueue?: number;
  modes: Set<Mode>;
  expect: number;
}

function pickModes(rng: Rng, sameInstance: boolean, ownQueue: boolean): Set<Mode> {
  const modes = new Set<Mode>();
  const n = rng.int(4); // 0..3 modes at once: a clean takeover is a state too
  for (let i = 0; i < n; i++) modes.add(rng.pick(MODES));
  if (sameInstance) {
    modes.delete("os-dma-revoked"); // it would revoke the fault ring too
    // Reclaiming queue 0 needs no queue enable, so whether a slow one matters would depend
    // on the path: keep the oracle simple and use it only where a queue must be enabled.
    if (!ownQueue) modes.delete("slow-queue-enable");
  }
  return modes;
}

/** The OS side: normal traffic, then the crash, each mode as a dying driver or failing part leaves it. */
function crash(r: Rig, t: RingTrial, rng: Rng): void {
  const nic = r.board.nics[0];
  const os = r.os;
  const osx = r.board.os.exports;
  const size = os.ringInfo(0, RINGS.RING_TX, RINGS.RINGINFO_SIZE);
  const relevant = t.faultQueue ?? 0; // the queue the fault path transmits on
  os.must("nic_tx_init", 0);
  // Normal life: some frames, so head and tail stand anywhere in the ring.
  const before = rng.int(size * 2);
  for (let sent = 0; sent < before; ) {
    const n = os.enqueue(0, Array.from({ length: 1 + rng.int(size - 1) }, (_, i) => frame(BCAST, MAC_A, sent + i, 60 + rng.int(200))));
    os.must("nic_tx_confirm", 0);
    sent += Math.max(n, 1);
  }
  const q0 = R.txQueueBase(0);
  const pending = (n: number) => {
    os.enqueue(0, Array.from({ length: n }, (_, i) => frame(BCAST, MAC_A, 1000 + i)));
    nic.write32(q0 + R.TXQ_OFF_TDT, osx.nic_ring_info(0, RINGS.RING_TX, RINGS.RINGINFO_USE));
  };
  if (t.modes.has("deferred")) nic.faults.deferTx(1 + rng.int(300_000), { queue: rng.bool() ? relevant : 0, mode: rng.bool() ? "engine" : "writeback" });
  if (t.modes.has("lost-doorbells")) {
    const queue = rng.bool() ? relevant : 0;
    if (rng.bool()) nic.faults.loseDoorbells({ queue, count: 1 + rng.int(3) });
    else nic.faults.loseDoorbells({ queue, probability: 0.3 });
  }
  if (t.modes.has("pending-tx-disabled")) {
    nic.write32(R.REG_TCTL, 0);
    pending(1 + rng.int(size - 2));
  }
  if (t.modes.has("garbage-descriptors")) {
    // Random bytes where the next descriptors go, then a doorbell over them: a driver that
    // scribbled on its ring before dying. With TX on, the NIC walks them now.
    const d = os.ringInfo(0, RINGS.RING_TX, RINGS.RINGINFO_DESC);
    let use = os.ringInfo(0, RINGS.RING_TX, RINGS.RINGINFO_USE);
    const n = 1 + rng.int(size - 2);
    for (let i = 0; i < n; i++) {
      r.board.os.bytes.set(rng.bytes(16), d + 16 * use);
      use = (use + 1) % size;
    }
    nic.write32(q0 + R.TXQ_OFF_TDT, use);
  }
  if (t.modes.has("frozen")) {
    nic.faults.freezeTx({ queue: 0 });
    pending(1 + rng.int(size - 2));
  }
  if (t.modes.has("ring-full")) {
    if (!t.modes.has("frozen") && !t.modes.has("pending-tx-disabled")) nic.faults.freezeTx({ queue: 0 });
    const free = osx.nic_tx_free(0);
    if (free > 0) pending(free);
  }
  if (t.modes.has("frozen-dead")) nic.faults.freezeTx({ queue: rng.bool(0.8) ? relevant : 0, survivesReset: true });
  if (t.modes.has("garbage-registers")) {
    for (const off of [R.TXQ_OFF_TDBAL, R.TXQ_OFF_TDBAH, R.TXQ_OFF_TDLEN, R.TXQ_OFF_TDH, R.TXQ_OFF_TDT]) {
      if (rng.bool()) nic.write32(q0 + off, rng.u32());
    }
  }
  if (t.modes.has("os-dma-revoked")) nic.faults.revokeDma(OS_WINDOW);
  if (t.modes.has("link-down")) {
    nic.faults.linkDownTx = rng.bool() ? "stall" : "drop";
    nic.setLink(false);
  }
}

/** What the takeover must return (the oracle). */
function expected(t: RingTrial, r: Rig): number {
  if (t.modes.has("link-down")) return St.E_LINK_DOWN;
  if (t.modes.has("slow-queue-enable") && t.model === "i210") return St.E_QUEUE_ENABLE_TIMEOUT;
  const f = r.board.nics[0].faults.tx[t.faultQueue ?? 0];
  if (f.frozen && f.frozenSurvivesReset) return St.E_TX_HUNG;
  return STEP_DONE;
}

/** Host-visible memory the writer must not change: everything but its rings and the REGOP list. */
function guardedSpans(rings: CoreRings, sameInstance: boolean, end: number): [number, number][] {
  const allowed: [number, number][] = [[MAP.REGOP_BASE, MAP.REGOP_BASE + MAP.REGOP_SIZE]];
  const kinds = sameInstance ? [RINGS.RING_TX, RINGS.RING_FAULT] : [RINGS.RING_FAULT];
  for (const k of kinds) {
    const size = rings.ringInfo(0, k, RINGS.RINGINFO_SIZE);
    const d = rings.ringInfo(0, k, RINGS.RINGINFO_DESC);
    const b = rings.ringInfo(0, k, RINGS.RINGINFO_BUFS);
    allowed.push([d, d + size * R.DESC_SIZE], [b, b + size * RINGS.NIC_BUF_SIZE]);
  }
  allowed.sort((a, b) => a[0] - b[0]);
  const spans: [number, number][] = [];
  let at = MAP.HOST_BASE;
  for (const [a, b] of allowed) {
    if (a > at) spans.push([at, a]);
    at = Math.max(at, b);
  }
  if (at < end) spans.push([at, end]);
  return spans;
}

/** Ring bases and lengths the writer may program: its own rings only. */
function badRegisterWrite(log: RegAccess[], rings: CoreRings, phys: number, sameInstance: boolean): string | undefined {
  const own = (sameInstance ? [RINGS.RING_TX, RINGS.RING_FAULT] : [RINGS.RING_FAULT]).map((k) => ({
    base: phys + (rings.ringInfo(0, k, RINGS.RINGINFO_DESC) - MAP.DMA_BASE),
    len: rings.ringInfo(0, k, RINGS.RINGINFO_SIZE) * R.DESC_SIZE,
  }));
  for (const a of log) {
    if (a.kind !== "w") continue;
    const q = [0, 1, 2, 3].find((n) => a.offset >= R.txQueueBase(n) && a.offset < R.txQueueBase(n) + 0x40);
    if (a.offset === R.REG_RDBAL || a.offset === R.REG_RDBAH || a.offset === R.REG_RDLEN) return `wrote RX ring register 0x${a.offset.toString(16)}`;
    if (q === undefined) continue;
    const off = a.offset - R.txQueueBase(q);
    if (off === R.TXQ_OFF_TDBAL && !own.some((o) => o.base % 2 ** 32 === a.value)) return `TDBAL(${q}) = 0x${a.value.toString(16)} is not a ring of ours`;
    if (off === R.TXQ_OFF_TDBAH && !own.some((o) => Math.floor(o.base / 2 ** 32) === a.value)) return `TDBAH(${q}) = 0x${a.value.toString(16)}`;
    if (off === R.TXQ_OFF_TDLEN && !own.some((o) => o.len === a.value)) return `TDLEN(${q}) = ${a.value}`;
  }
  return undefined;
}

/** What one crashed state came to. */
export interface RingResult {
  trial: RingTrial;
  rc: number;
  outcome: string;
  failure?: string;
}

/**
 * One crashed state, from its seed, and the takeover judged. `guard` chooses how much memory
 * is compared before and after (copying all 48 MiB per state would dominate the run):
 * "ports" port 0's DMA slice and below, "dma" the whole DMA region, "all" all of memory.
 */
export function ringTrial(seed: number, sameInstance: boolean, cores: { os: Core; fault: Core }, guard: "ports" | "dma" | "all"): RingResult {
  const rng = new Rng(seed);
  const model = rng.bool() ? "e1000" : "i210";
  const txQueues = model === "e1000" ? 1 : 2 + rng.int(3);
  const faultQueue = model === "i210" && rng.bool(0.7) ? 1 + rng.int(txQueues - 1) : undefined;
  const modes = pickModes(rng, sameInstance, faultQueue !== undefined);
  const t: RingTrial = { seed, sameInstance, model, txQueues, faultQueue, modes, expect: 0 };
  const sizes = [8, 16, 32, 64, 256];
  const r = rig({
    model, txQueues, faultQueue,
    rings: { tx: rng.pick(sizes), rx: 8, fault: rng.pick([8, 16, 32, 64]) },
    queueEnableLatencyNs: modes.has("slow-queue-enable") ? 2_000_000 : undefined,
    seed,
  }, cores);
  // The OS is not under test: let it wait as long as a slow part needs.
  r.board.os.exports.nic_tune(RINGS.TUNE_QUEUE_POLLS, 1000);
  const writer = sameInstance ? r.os : r.fault;
  const wx = writer.core.exports;
  for (let f = 0; f < RINGS.TUNE_FIELDS; f++) if (!sameInstance || f !== RINGS.TUNE_QUEUE_POLLS) wx.nic_tune(f, 0);
  crash(r, t, rng);
  if (sameInstance) wx.nic_tune(RINGS.TUNE_QUEUE_POLLS, 0);
  t.expect = expected(t, r);

  const gasp = frame(BCAST, MAC_A, 0x6a5b, rng.bool(0.2) ? 42 + rng.int(18) : 60 + rng.int(1400), rng);
  const copies = 1 + rng.int(6);
  writer.stage(gasp);
  const end = guard === "all" ? MAP.MEM_END : guard === "dma" ? MAP.SWITCH_BASE : RINGS.portDmaBase(1);
  const spans = guardedSpans(writer, sameInstance, end);
  const before = spans.map(([a, b]) => writer.core.bytes.slice(a, b));
  const wireBefore = r.wire.length;
  const logFrom = r.log.length;
  // The NIC's own DMA writes (DD write-backs, through whatever registers the dead driver
  // left) are the NIC's, not the writer's: recorded, in the writer's core addresses.
  const nicWrites: [number, number][] = [];
  const winPhys = sameInstance ? OS_PHYS : FAULT_PHYS;
  const dmaWrite = r.board.dma.write.bind(r.board.dma);
  r.board.dma.write = (phys: number, data: Uint8Array) => {
    const ok = dmaWrite(phys, data);
    if (ok && phys >= winPhys && phys < winPhys + MAP.DMA_SIZE) nicWrites.push([phys - winPhys + MAP.DMA_BASE, data.length]);
    return ok;
  };

  const rc = writer.run("nic_fault_send", 0, TX_STAGE, gasp.length, copies);
  const info = writer.info();
  const what = `${model}/${txQueues}q, fault queue ${faultQueue ?? "none"}, ${sameInstance ? "same instance" : "own instance"}, modes [${[...modes].join(", ")}]`;
  const outcome = `${model} ${statusName(rc)} via ${["none", "own-queue", "reclaim", "reset"][info.path]}${info.device_resets ? "+device-reset" : ""}`;
  const fail = (why: string): RingResult => ({ trial: t, rc, outcome, failure: `${what}: ${why}` });
  if (rc !== t.expect) return fail(`got ${statusName(rc)}, expected ${statusName(t.expect)}; info ${JSON.stringify(info)}`);
  if (info.rounds >= 2000) return fail(`${info.rounds} register rounds`);

  r.board.clock.runUntilIdle(1_000_000_000);
  if (rc === STEP_DONE) {
    const want = hexOf(padded(gasp));
    const exact = r.wire.slice(wireBefore).filter((w) => hexOf(w.frame) === want).length;
    if (exact < copies) return fail(`${exact} exact copies of ${copies} on the wire`);
  }
  for (let k = 0; k < spans.length; k++) {
    const [a, b] = spans[k];
    const now = writer.core.bytes.subarray(a, b);
    if (Buffer.compare(before[k], now) === 0) continue;
    for (let j = 0; j < now.length; j++) {
      if (now[j] === before[k][j]) continue;
      const at = a + j;
      if (!nicWrites.some(([w, n]) => at >= w && at < w + n)) return fail(`byte 0x${at.toString(16)} changed and no NIC DMA write explains it`);
    }
  }
  const bad = badRegisterWrite(r.log.slice(logFrom), writer, winPhys, sameInstance);
  if (bad) return fail(bad);
  return { trial: t, rc, outcome };
}

/** States per block: its two cores are made once and serve them all (each state re-initialises them). */
const BLOCK = 25;

export const RINGS_CAMPAIGN: CampaignKind = {
  name: "rings",
  unit: "crashed ring states",
  blockSize: BLOCK,
  open(_seed, _block, rng): Block {
    const cores = { os: Core.load(), fault: Core.load() };
    return {
      trial(index): Trial {
        // one state in three with the fault path in the OS ring's own instance; every 10th
        // state guards the whole DMA region, every 100th all of memory
        const sameInstance = rng.int(3) === 0;
        const r = ringTrial(rng.u32(), sameInstance, cores, index % 100 === 0 ? "all" : index % 10 === 0 ? "dma" : "ports");
        return { outcome: `${r.outcome}${sameInstance ? " (same instance)" : ""}`, failure: r.failure };
      },
      close: () => [],
    };
  },
};
