// Campaigns: long randomized runs that look for the one input in millions that breaks the
// core — fuzzed frames through the decoders and the switching path's filter, crashed NIC
// rings taken over by the fault path, failovers on lossy links, config-sync streams, forged
// gasps — sharded over worker threads (`lastgasp campaign`, docs/cli.md).
//
// A campaign is a count of trials cut into blocks of consecutive indices. A block starts
// from fresh state (new core instances, a new rig) and its own random stream, both derived
// from (seed, block) alone, and runs its trials in order; so a trial's result depends only
// on the seed and its index, whichever worker ran it and however many there were, and any
// failure is reproduced by running its block again up to that index (`--seed S --index I`).
// Workers take blocks from a queue (a slow block does not hold the others back); the
// counts per outcome add up in any order.

import * as os from "os";
import * as path from "path";
import { Worker } from "worker_threads";
import { Rng } from "../util/rng";

export const CAMPAIGNS = ["fuzz", "rings", "failover", "sync", "forgery"] as const;
export type CampaignName = (typeof CAMPAIGNS)[number];

/** What one trial came to: one or more outcomes to count; a failure when it broke a property. */
export interface Trial {
  outcome: string | string[];
  failure?: string;
}

/** A block of consecutive trials on fresh state. */
export interface Block {
  /** Trial `index` (the block's trials run in order, each once). */
  trial(index: number): Trial;
  /** Checks after the block's last trial (memory nobody may write, counters): the failures found. */
  close(): string[];
}

export interface CampaignKind {
  name: CampaignName;
  /** What a trial is, for reports: "fuzzed frames", "crashed ring states", ... */
  unit: string;
  /** Trials per block: large where a trial is microseconds, 1 where it is a whole scenario. */
  blockSize: number;
  /** Fresh state for block `block` of a campaign seeded with `seed`; rng is its random stream. */
  open(seed: number, block: number, rng: Rng): Block;
  /** Outcomes reported even when none occurred (forgery: `accepted`, which must stay 0). */
  alwaysReported?: string[];
}

/** The random stream of one block: a function of the seed and the block's number only. */
export function blockRng(seed: number, block: number): Rng {
  let x = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(block + 1, 0x85ebca77)) >>> 0;
  x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
  return new Rng((x ^ (x >>> 12)) >>> 0);
}

/** The campaign kinds, loaded on demand (a worker loads only its own). */
export function campaignKind(name: CampaignName): CampaignKind {
  switch (name) {
    case "fuzz": return (require("./fuzz") as typeof import("./fuzz")).FUZZ;
    case "rings": return (require("./rings") as typeof import("./rings")).RINGS_CAMPAIGN;
    case "failover": return (require("./failover") as typeof import("./failover")).FAILOVER;
    case "sync": return (require("./sync") as typeof import("./sync")).SYNC;
    case "forgery": return (require("./forgery") as typeof import("./forgery")).FORGERY;
  }
}

// A failure planted at one index, so that the reporting path (counts, reproducer, exit
// status) can be tested end to end without a bug in the core: LASTGASP_CAMPAIGN_FAIL=INDEX.
const PLANTED = process.env.LASTGASP_CAMPAIGN_FAIL;
const plantedAt = PLANTED !== undefined && /^\d+$/.test(PLANTED) ? Number(PLANTED) : -1;

export interface Failure {
  index: number;
  message: string;
}

export interface BlockResult {
  block: number;
  trials: number;
  outcomes: [string, number][];
  failures: Failure[];
  /** The outcomes of the block's last trial run (what a reproduction shows). */
  lastTrial: string[];
}

/** Runs block `block` of a campaign of `count` trials (up to `last` when reproducing one trial). */
export function runBlock(kind: CampaignKind, seed: number, count: number, block: number, last = Infinity): BlockResult {
  const first = block * kind.blockSize;
  const end = Math.min(count, first + kind.blockSize, last + 1);
  const outcomes = new Map<string, number>();
  const failures: Failure[] = [];
  const b = kind.open(seed, block, blockRng(seed, block));
  const tally = (o: string) => outcomes.set(o, (outcomes.get(o) ?? 0) + 1);
  let lastTrial: string[] = [];
  for (let i = first; i < end; i++) {
    let t: Trial;
    try {
      t = b.trial(i);
    } catch (e) {
      t = { outcome: "exception", failure: `exception: ${(e as Error).message}` };
    }
    lastTrial = Array.isArray(t.outcome) ? t.outcome : [t.outcome];
    lastTrial.forEach(tally);
    if (t.failure !== undefined) failures.push({ index: i, message: t.failure });
    if (i === plantedAt) failures.push({ index: i, message: "planted failure (LASTGASP_CAMPAIGN_FAIL)" });
  }
  // The block's closing checks run when its last trial ran (always, but for a reproduction
  // that stops earlier); their failures are the last trial's.
  if (end === Math.min(count, first + kind.blockSize)) {
    let closing: string[];
    try {
      closing = b.close();
    } catch (e) {
      closing = [`exception in the closing checks: ${(e as Error).message}`];
    }
    for (const m of closing) failures.push({ index: end - 1, message: `after trials ${first}..${end - 1}: ${m}` });
  }
  return { block, trials: end - first, outcomes: [...outcomes], failures, lastTrial };
}

export interface CampaignOptions {
  kind: CampaignName;
  count: number;
  seed: number;
  workers: number;
  /** Called after every block with the trials done so far. */
  onProgress?(done: number, failures: number): void;
}

export interface CampaignReport {
  kind: CampaignName;
  unit: string;
  count: number;
  seed: number;
  workers: number;
  seconds: number;
  perSecond: number;
  /** The machine's 1-minute load average when the run started and when it ended. */
  load: [number, number];
  cpus: number;
  outcomes: Record<string, number>;
  failureCount: number;
  /** The first failures by index (at most MAX_REPORTED), each with its reproducer. */
  failures: (Failure & { reproduce: string })[];
  ok: boolean;
}

export const MAX_REPORTED = 100;

export function reproducer(kind: CampaignName, count: number, seed: number, index: number): string {
  return `lastgasp campaign ${kind} --count ${count} --seed ${seed} --index ${index}`;
}

/** The worker script: compiled next to this module, or the TypeScript source under ts-node. */
function workerScript(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename); // this module's own twin, in whichever form it runs
  const file = path.join(__dirname, `worker${ext}`);
  return { file, execArgv: ext === ".ts" ? ["-r", "ts-node/register"] : [] };
}

/** Runs a campaign over `workers` worker threads; resolves with the report. */
export async function runCampaign(opts: CampaignOptions): Promise<CampaignReport> {
  const kind = campaignKind(opts.kind);
  const blocks = Math.ceil(opts.count / kind.blockSize);
  const outcomes = new Map<string, number>();
  for (const o of kind.alwaysReported ?? []) outcomes.set(o, 0);
  const failures: Failure[] = [];
  let failureCount = 0;
  let done = 0;
  let next = 0;
  const loadStart = os.loadavg()[0];
  const t0 = process.hrtime.bigint();
  const add = (r: BlockResult) => {
    done += r.trials;
    for (const [o, n] of r.outcomes) outcomes.set(o, (outcomes.get(o) ?? 0) + n);
    failureCount += r.failures.length;
    failures.push(...r.failures);
    failures.sort((a, b) => a.index - b.index);
    failures.length = Math.min(failures.length, MAX_REPORTED);
    opts.onProgress?.(done, failureCount);
  };
  const workers = Math.max(1, Math.min(opts.workers, blocks));
  const { file, execArgv } = workerScript();
  await Promise.all(Array.from({ length: workers }, () => new Promise<void>((resolve, reject) => {
    const w = new Worker(file, { execArgv, workerData: { kind: opts.kind, seed: opts.seed, count: opts.count } });
    let finished = false;
    const feed = () => {
      if (next < blocks) {
        w.postMessage(next++);
      } else {
        finished = true;
        void w.terminate().then(() => resolve());
      }
    };
    w.on("message", (r: BlockResult) => {
      add(r);
      feed();
    });
    w.on("error", reject);
    w.on("exit", (code) => {
      if (!finished) reject(new Error(`a campaign worker exited (code ${code}) with work in hand`));
    });
    w.once("online", feed);
  })));
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const sorted = Object.fromEntries([...outcomes].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)));
  return {
    kind: opts.kind,
    unit: kind.unit,
    count: opts.count,
    seed: opts.seed,
    workers,
    seconds,
    perSecond: opts.count / seconds,
    load: [loadStart, os.loadavg()[0]],
    cpus: os.cpus().length,
    outcomes: sorted,
    failureCount,
    failures: failures.map((f) => ({ ...f, reproduce: reproducer(opts.kind, opts.count, opts.seed, f.index) })),
    ok: failureCount === 0,
  };
}

/**
 * Runs trial `index` of a campaign of `count` trials again, in this thread: its block from
 * the start up to it (and the block's closing checks when it is the block's last trial).
 * Returns what the trial came to and its failures.
 */
export function reproduce(name: CampaignName, count: number, seed: number, index: number): { outcomes: string[]; failures: Failure[] } {
  const kind = campaignKind(name);
  const r = runBlock(kind, seed, count, Math.floor(index / kind.blockSize), index);
  return { outcomes: r.lastTrial, failures: r.failures.filter((f) => f.index === index) };
}
