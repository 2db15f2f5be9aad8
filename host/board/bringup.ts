// `lastgasp bringup`: bring a board up, step by step, and say which step failed — on the
// virtual board or on real ports (runtime.ts: sim, pci, linux; the steps do not care which).
// docs/boards.md describes each step. The steps, in order:
//
//   load         read the file, parse JSON
//   schema       boards/schema.json (ajv) and the checks a schema cannot express
//   instantiate  the OS and fault core instances and the ports (sim: NIC models, a loopback
//                plug per port; pci, linux: the native addon's port table)
//   regtest      the core's register self-test: reset values, RAL0/RAH0, write masks
//   link         STATUS.LU polled with a timeout (sim.linkWaitUs)
//   loopback     TX and RX rings initialised by the core; frames of every size out and back
//   wrap         more frames than either ring holds, in batches: both rings wrap, order kept
//   counters     GPTC/TPT/GOTC and GPRC/TPR/GORC agree with what was sent; MPC/RNBC zero
//   fault-tx     the fault core takes the TX path over (its own queue on boards that have one:
//                QUEUE_ENABLE must read back) and sends an ARP announcement that comes back
//
// The first failing step ends the run; the rest are reported as skipped. A step that cannot
// apply to a port kind (the register self-test on a device that was not just reset, the
// loopback steps where sent frames cannot come back) is reported as not applicable ("n/a")
// with the reason.

import * as R from "../../assembly/shared/e1000";
import * as RINGS from "../../assembly/shared/rings";
import { STEP_DONE } from "../../assembly/shared/regop";
import * as S from "../../assembly/shared/status";
import { DMA_BASE } from "../../assembly/shared/memmap";
import * as W from "../../assembly/shared/wire";
import { statusName } from "../core/status";
import { CoreRings, TX_STAGE, OpInfo, pathName } from "../nic/rings";
import { modelRegisters } from "./registers";
import { openBoard, BoardOpenError, type BoardRuntime } from "./runtime";
import { WireCodec } from "../wire/codec";
import { padToMinimum } from "../wire/frame";
import { parseIPv4 } from "../util/addr";
import { Board, BoardError } from "./board";
import { readBoardFile, validateBoard, toBoard } from "./load";
import { problemLine, type Problem } from "../util/problems";

export const STEPS = ["load", "schema", "instantiate", "regtest", "link", "loopback", "wrap", "counters", "fault-tx"] as const;
export type StepName = (typeof STEPS)[number];

export interface StepResult {
  step: StepName;
  /** n/a: the step does not apply to this board's ports (the detail says why). */
  status: "pass" | "fail" | "skip" | "n/a";
  /** One line: what was checked, or what went wrong. */
  detail: string;
  /** The core's status name when a core operation failed (E_LINK_DOWN, E_TX_HUNG, ...). */
  error?: string;
  /** Simulated time the step took, in microseconds (virtual boards). */
  simUs?: number;
  /** Time the step took, in microseconds (real ports). */
  us?: number;
  /** Per-port figures. */
  ports?: Record<string, unknown>[];
}

export interface BringupReport {
  file: string;
  board: string | null;
  ok: boolean;
  failedStep: StepName | null;
  steps: StepResult[];
  /** When the file could not be used (load or schema failed): every problem, located. */
  problems?: Problem[];
  /** When the board could not be opened on this machine (not root, no such interface...): every problem. */
  openProblems?: Problem[];
}

/** A step's failure: its one-line detail and, when the core said so, the status. */
class StepFailure extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
  }
}

const LINK_POLL_US = 1_000;
/** Frame sizes the loopback step sends (42 and 59 come back padded to 60). */
const LOOPBACK_SIZES = [60, 64, 128, 256, 512, 1024, 1514, 42, 59];
/** How long a real port gets for a batch of frames to come back. */
const SETTLE_US = 2_000_000;

/** Physical address in hex for messages. */
const hex = (n: number) => `0x${n.toString(16)}`;

class Bringup {
  /** Frames and bytes (as counted on the wire: padded to 60, plus FCS) since counters were cleared. */
  readonly sent: { frames: number; bytes: number; unpadded: number }[];
  readonly received: { frames: number; bytes: number }[];
  private seq = 0;

  constructor(readonly board: Board, readonly rt: BoardRuntime) {
    this.sent = board.ports.map(() => ({ frames: 0, bytes: 0, unpadded: 0 }));
    this.received = board.ports.map(() => ({ frames: 0, bytes: 0 }));
  }

  private portName(i: number): string {
    return this.board.ports[i].name;
  }

  /** A register's name from the NIC's register table. */
  private regName(i: number, offset: number): string {
    return this.rt.regName(i, offset);
  }

  /** Ports the loopback steps run on, and a "not applicable" result when there are none. */
  private loopPorts(step: StepName): { ports: number[]; na?: StepResult; note: string } {
    const ports = this.board.ports.map((_, i) => i).filter((i) => this.rt.ports[i].loopback !== null);
    const out = this.board.ports.map((p, i) => ({ p, r: this.rt.ports[i] })).filter((x) => x.r.loopback === null);
    const note = out.map((x) => `${x.p.name}: not applicable (${x.r.loopbackSkip ?? "sent frames cannot come back"})`).join("; ");
    if (ports.length) return { ports, note: note ? `; ${note}` : "" };
    return { ports, note, na: { step, status: "n/a", detail: note } };
  }

  /** Runs a core operation; a failure becomes a StepFailure naming the port and the status. */
  private op(rings: CoreRings, i: number, what: string, explain: (info: OpInfo, rc: number) => string, begin: string, ...args: number[]): OpInfo {
    const rc = rings.run(begin, i, ...args);
    const info = rings.info();
    if (rc !== STEP_DONE) {
      const why = explain(info, rc);
      throw new StepFailure(`${this.portName(i)}: ${what}: ${statusName(rc)}${why ? `: ${why}` : ""}`, rc);
    }
    return info;
  }

  regtest(): StepResult {
    let checks = 0;
    const tested: string[] = [];
    const skipped: string[] = [];
    this.board.ports.forEach((p, i) => {
      const skip = this.rt.ports[i].regtestSkip;
      if (skip !== null) {
        skipped.push(`${p.name}: not applicable (${skip})`);
        return;
      }
      const info = this.op(this.rt.osRings, i, "register self-test", (x, rc) => {
        const reg = this.regName(i, x.reg);
        const mask = (x.mask >>> 0) === 0xffffffff ? "" : ` under mask ${hex(x.mask >>> 0)}`;
        return rc === S.E_REG_RESET
          ? `${reg} reads ${hex(x.read >>> 0)} after reset, expected ${hex(x.expect >>> 0)}${mask}`
          : rc === S.E_REG_READBACK
            ? `${reg}: wrote ${hex(x.wrote >>> 0)}, read back ${hex(x.read >>> 0)}, expected ${hex(x.expect >>> 0)}${mask}`
            : "";
      }, "nic_regtest");
      checks += info.checks;
      tested.push(p.name);
    });
    if (!tested.length) return { step: "regtest", status: "n/a", detail: skipped.join("; ") };
    return { step: "regtest", status: "pass", detail: `${checks} register checks on ${tested.length} port(s): reset values, RAL0/RAH0 = MAC, write masks${skipped.length ? `; ${skipped.join("; ")}` : ""}` };
  }

  link(): StepResult {
    const ports: Record<string, unknown>[] = [];
    const start = this.rt.now();
    this.board.ports.forEach((p, i) => {
      const waitUs = this.rt.ports[i].linkWaitUs;
      const polls = Math.ceil(waitUs / LINK_POLL_US);
      this.op(this.rt.osRings, i, "link", () => `STATUS.LU still clear after ${waitUs / 1000} ms (${polls} polls, ${LINK_POLL_US} us apart)`, "nic_link_wait", polls, LINK_POLL_US);
      ports.push({ port: p.name, upAtUs: Math.round((this.rt.now() - start) / 1000) });
    });
    return { step: "link", status: "pass", detail: ports.map((p) => `${p.port} up at ${p.upAtUs} us`).join("; "), ports };
  }

  /** A frame addressed to the port itself, with a sequence number and a recognisable payload. */
  private testFrame(i: number, len: number): Uint8Array {
    const mac = this.board.ports[i].macBytes;
    const f = new Uint8Array(len);
    f.set(mac, W.ETH_OFF_DST);
    f.set(mac, W.ETH_OFF_SRC);
    new DataView(f.buffer).setUint16(W.ETH_OFF_TYPE, W.ETHERTYPE_LOCAL_EXP1);
    const s = this.seq++;
    for (let k = W.ETH_HEADER_LEN; k < len; k++) f[k] = (s * 31 + k * 7) & 0xff;
    if (len >= W.ETH_HEADER_LEN + 4) new DataView(f.buffer).setUint32(W.ETH_HEADER_LEN, s);
    return f;
  }

  private wireBytes(len: number): number {
    return Math.max(len, W.ETH_MIN_FRAME) + W.ETH_FCS_LEN;
  }

  /** Sends frames on port i (queued, confirmed by TDH), lets them come back, harvests them. */
  private roundTrip(i: number, frames: Uint8Array[]): Uint8Array[] {
    const rings = this.rt.osRings;
    const queued = rings.enqueue(i, frames);
    if (queued !== frames.length) throw new StepFailure(`${this.portName(i)}: only ${queued} of ${frames.length} frames fit the TX ring`);
    this.op(rings, i, "transmit", (x) => `TDH stayed at ${x.head} with TDT at ${x.tail} for ${x.polls} polls (${x.polls * RINGS.DEFAULT_POLL_US} us)`, "nic_tx_confirm");
    for (const f of frames) {
      this.sent[i].frames++;
      this.sent[i].bytes += this.wireBytes(f.length);
      this.sent[i].unpadded += f.length + W.ETH_FCS_LEN;
    }
    this.rt.settle(i, frames.length, SETTLE_US);
    const got = rings.harvest(i);
    this.op(rings, i, "RX refill", () => "RDT write failed", "nic_rx_doorbell");
    for (const f of got.frames) {
      this.received[i].frames++;
      this.received[i].bytes += this.wireBytes(f.length);
    }
    if (got.errors) throw new StepFailure(`${this.portName(i)}: ${got.errors} frame(s) received with errors`);
    return got.frames;
  }

  private compare(i: number, sent: Uint8Array[], got: Uint8Array[], what: string): void {
    const want = sent.map((f) => Buffer.from(padToMinimum(f)).toString("hex"));
    const have = got.map((f) => Buffer.from(f).toString("hex"));
    const where = `${this.portName(i)}: ${what}`;
    if (have.length < want.length) {
      const k = want.findIndex((w) => !have.includes(w));
      throw new StepFailure(`${where}: ${have.length} of ${want.length} frames came back (first missing: #${k}, ${sent[k].length} bytes)`);
    }
    if (have.length > want.length) throw new StepFailure(`${where}: ${have.length} frames came back for ${want.length} sent`);
    const k = want.findIndex((w, j) => w !== have[j]);
    if (k >= 0) {
      const at = have.indexOf(want[k]);
      throw new StepFailure(`${where}: frame #${k} (${sent[k].length} bytes) ${at < 0 ? "came back altered" : `came back as #${at}: out of order`}`);
    }
  }

  /** Zeroes the statistics counters (they clear on read). */
  private clearCounters(i: number): void {
    const nic = this.rt.nics[i];
    for (const r of modelRegisters(this.board.nic.model)) if (r.access === "RC" && r.offset >= R.REG_CRCERRS && r.offset < R.REG_STATS_END) nic.read32(r.offset);
  }

  loopback(): StepResult {
    const { ports: run, na, note } = this.loopPorts("loopback");
    if (na) return na;
    const ports: Record<string, unknown>[] = [];
    for (const i of run) {
      const p = this.board.ports[i];
      const rings = this.rt.osRings;
      this.op(rings, i, "TX init", (x) => `TXDCTL.QUEUE_ENABLE did not read back after ${x.polls} polls`, "nic_tx_init");
      this.op(rings, i, "RX init", () => "", "nic_rx_init");
      this.clearCounters(i);
      const frames = LOOPBACK_SIZES.map((len) => this.testFrame(i, len));
      const t0 = this.rt.now();
      // In batches a ring of the schema's smallest size (8: 7 in flight) holds.
      const batch = Math.min(this.board.rings.tx - 1, this.board.rings.rx - 1);
      for (let k = 0; k < frames.length; k += batch) {
        const part = frames.slice(k, k + batch);
        this.compare(i, part, this.roundTrip(i, part), "loopback");
      }
      ports.push({ port: p.name, frames: frames.length, roundTripUs: Math.round((this.rt.now() - t0) / 1000), through: this.rt.ports[i].loopback });
    }
    return {
      step: "loopback", status: "pass",
      detail: ports.map((x) => `${x.port}: ${x.frames} frames of ${Math.min(...LOOPBACK_SIZES)}..${Math.max(...LOOPBACK_SIZES)} bytes out and back byte for byte in ${x.roundTripUs} us (through ${x.through})`).join("; ") + note,
      ports,
    };
  }

  wrap(): StepResult {
    const { tx, rx } = this.board.rings;
    const total = 3 * Math.max(tx, rx);
    const batch = Math.min(tx - 1, rx - 1, 64);
    const { ports: run, na, note } = this.loopPorts("wrap");
    if (na) return na;
    const ports: Record<string, unknown>[] = [];
    run.forEach((i) => {
      const p = this.board.ports[i];
      let sentN = 0;
      let batches = 0;
      while (sentN < total) {
        const n = Math.min(batch, total - sentN);
        const frames = Array.from({ length: n }, (_, k) => this.testFrame(i, 60 + ((sentN + k) * 37) % 1455));
        this.compare(i, frames, this.roundTrip(i, frames), `wrap (batch ${batches + 1})`);
        sentN += n;
        batches++;
      }
      ports.push({ port: p.name, frames: total, batches, txWraps: total / tx, rxWraps: total / rx });
    });
    return {
      step: "wrap", status: "pass",
      detail: `${total} frames per port in batches of ${batch}: TX ring (${tx}) wrapped ${total / tx}x, RX ring (${rx}) ${total / rx}x, order kept${note}`,
      ports,
    };
  }

  counters(): StepResult {
    const { ports: run, na, note } = this.loopPorts("counters");
    if (na) return na;
    const ports: Record<string, unknown>[] = [];
    run.forEach((i) => {
      const p = this.board.ports[i];
      const nic = this.rt.nics[i];
      const rd = (off: number) => nic.read32(off) >>> 0;
      const rd64 = (lo: number, hi: number) => {
        const l = rd(lo); // the low half first: reading the high half clears both
        return rd(hi) * 2 ** 32 + l;
      };
      const c = {
        GPTC: rd(R.REG_GPTC), TPT: rd(R.REG_TPT), GOTC: rd64(R.REG_GOTCL, R.REG_GOTCH),
        GPRC: rd(R.REG_GPRC), TPR: rd(R.REG_TPR), GORC: rd64(R.REG_GORCL, R.REG_GORCH),
        MPC: rd(R.REG_MPC), RNBC: rd(R.REG_RNBC), CRCERRS: rd(R.REG_CRCERRS),
      };
      const s = this.sent[i];
      const r = this.received[i];
      const want: [keyof typeof c, number][] = [
        ["GPTC", s.frames], ["TPT", s.frames], ["GOTC", s.bytes],
        ["GPRC", r.frames], ["TPR", r.frames], ["GORC", r.bytes],
        ["MPC", 0], ["RNBC", 0], ["CRCERRS", 0],
      ];
      // The SDM counts a short frame's padding in GOTC (PSP pads it on the wire); QEMU's
      // e1000 sends short frames unpadded and counts what it sent. Either is a NIC that
      // counted every frame; the detail says which.
      const unpadded = c.GOTC !== s.bytes && c.GOTC === s.unpadded;
      const bad = want.filter(([k, v]) => c[k] !== v && !(k === "GOTC" && unpadded));
      if (bad.length) throw new StepFailure(`${p.name}: ${bad.map(([k, v]) => `${k} = ${c[k]}, expected ${v}`).join("; ")}`);
      ports.push({ port: p.name, ...c, ...(unpadded ? { gotcUnpadded: true } : {}) });
    });
    return {
      step: "counters", status: "pass",
      detail: ports.map((c) => `${c.port}: GPTC=TPT=${c.GPTC} GOTC=${c.GOTC}${c.gotcUnpadded ? " (short frames counted unpadded, as QEMU's e1000 sends them)" : ""} GPRC=TPR=${c.GPRC} GORC=${c.GORC} MPC=RNBC=CRCERRS=0`).join("; ") + note,
      ports,
    };
  }

  /**
   * The frame the fault core sends: on the virtual board an ARP announcement of the port's
   * VIP (or address); on a real port a test frame addressed to the port itself — an
   * announcement of the VIP on a live network would take the address from the active unit.
   */
  private gaspFrame(i: number): Uint8Array {
    const p = this.board.ports[i];
    const ip = this.board.vips.find((v) => v.port === p.name && v.ipv4)?.ipv4 ?? p.ipv4[0]?.split("/")[0];
    if (!ip || this.rt.ports[i].kind !== "sim") return this.testFrame(i, 60);
    return new WireCodec(this.rt.fault).announce("garp", p.macBytes, parseIPv4(ip));
  }

  faultTx(): StepResult {
    const { ports: run, na, note } = this.loopPorts("fault-tx");
    if (na) return na;
    const ports: Record<string, unknown>[] = [];
    const fq = this.board.nic.faultQueue;
    run.forEach((i) => {
      const p = this.board.ports[i];
      const rings = this.rt.faultRings;
      const gasp = this.gaspFrame(i);
      rings.stage(gasp);
      const copies = 2;
      const t0 = this.rt.now();
      const info = this.op(rings, i, "fault-path takeover", (x, rc) => {
        const queue = x.path === RINGS.PATH_OWN_QUEUE ? `own queue ${fq}` : "queue 0";
        if (rc === S.E_QUEUE_ENABLE_TIMEOUT || rc === S.E_QUEUE_DISABLE_TIMEOUT) return `${queue}: TXDCTL.QUEUE_ENABLE did not read back (${x.polls} polls, ${x.device_resets} device reset(s))`;
        if (rc === S.E_TX_HUNG) return `${queue}: TDH stayed at ${x.head} with TDT at ${x.tail}, even after ${x.resets} ring reset(s) and ${x.device_resets} device reset(s)`;
        return `${x.polls} polls`;
      }, "nic_fault_send", TX_STAGE, gasp.length, copies);
      const sentUs = Math.round((this.rt.now() - t0) / 1000);
      // The copies (and a lead copy after a ring reset) come back.
      this.rt.settle(i, copies + info.lead, SETTLE_US);
      const got = this.rt.osRings.harvest(i).frames;
      const back = got.filter((f) => Buffer.compare(Buffer.from(f), Buffer.from(padToMinimum(gasp))) === 0).length;
      if (back < copies) throw new StepFailure(`${p.name}: ${back} of ${copies} copies came back through the loopback`);
      const how = info.path === RINGS.PATH_OWN_QUEUE
        ? `own TX queue ${fq} enabled (QUEUE_ENABLE read back)`
        : info.path === RINGS.PATH_RESET ? `queue 0 reset to the fault core's ring at ${hex(this.board.dma.fault + this.rt.fault.exports.nic_ring_info(i, RINGS.RING_FAULT, RINGS.RINGINFO_DESC) - DMA_BASE)}` : "queue 0 reclaimed";
      ports.push({ port: p.name, path: pathName(info.path), how, copies, leadCopy: info.lead === 1, cameBack: back, rounds: info.rounds, deviceResets: info.device_resets, sentUs });
    });
    return {
      step: "fault-tx", status: "pass",
      detail: ports.map((x) => `${x.port}: ${x.how}; ${x.cameBack} copies of ${this.rt.ports[0].kind === "sim" ? "the announcement" : "a test frame"} out and back (${x.rounds} register rounds, ${x.sentUs} us to confirm)`).join("; ") + note,
      ports,
    };
  }
}

/**
 * Brings a board file up on whatever its ports are. Never throws for a bad board: the report
 * says (a board that cannot be opened here — not root, no such interface — fails at
 * instantiate with openProblems, which the CLI reports as bad input).
 */
export function bringup(file: string, opts: { pcapDir?: string; beforeRun?: () => void } = {}): BringupReport {
  const steps: StepResult[] = [];
  const report: BringupReport = { file, board: null, ok: false, failedStep: null, steps };
  const fail = (step: StepName, detail: string, error?: string) => {
    steps.push({ step, status: "fail", detail, ...(error ? { error } : {}) });
    report.failedStep = step;
    for (const s of STEPS.slice(STEPS.indexOf(step) + 1)) steps.push({ step: s, status: "skip", detail: "not run" });
    return report;
  };

  let raw: unknown;
  let text: string;
  try {
    ({ raw, text } = readBoardFile(file));
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    report.problems = e.problems.map((p) => ({ file, ...p }));
    return fail("load", e.first);
  }
  steps.push({ step: "load", status: "pass", detail: `${file} parsed` });
  let board: Board;
  try {
    validateBoard(file, raw, text);
    board = toBoard(file, raw);
  } catch (e) {
    if (!(e instanceof BoardError)) throw e;
    report.problems = e.problems.map((p) => ({ file, ...p }));
    const n = e.problems.length;
    return fail("schema", n === 1 ? e.first : `${n} problems, the first: ${e.first}`);
  }
  report.board = board.id;
  steps.push({ step: "schema", status: "pass", detail: `valid against boards/schema.json: ${board.nic.model}, ${board.ports.length} port(s), rings ${board.rings.tx}/${board.rings.rx}/${board.rings.fault}` });

  opts.beforeRun?.();
  let rt: BoardRuntime;
  try {
    rt = openBoard(board);
  } catch (e) {
    if (e instanceof BoardOpenError) {
      report.openProblems = e.problems.map((p) => ({ file, ...p }));
      const first = problemLine(report.openProblems[0]);
      return fail("instantiate", e.problems.length === 1 ? first : `${e.problems.length} problems, the first: ${first}`);
    }
    return fail("instantiate", (e as Error).message);
  }
  try {
    runSteps(board, rt, steps, fail, opts.pcapDir);
  } finally {
    rt.close();
  }
  report.ok = report.failedStep === null;
  return report;
}

function runSteps(board: Board, rt: BoardRuntime, steps: StepResult[], fail: (step: StepName, detail: string, error?: string) => void, pcapDir?: string): void {
  const b = new Bringup(board, rt);
  const sim = rt.ports.every((p) => p.kind === "sim");
  steps.push({
    step: "instantiate", status: "pass",
    detail: `OS core DMA at ${hex(board.dma.os)}, fault core at ${hex(board.dma.fault)}; ${board.ports.length} ${board.nic.model} port(s)` +
      (board.nic.faultQueue !== null ? ` with fault queue ${board.nic.faultQueue} of ${board.nic.txQueues}` : "") +
      (sim ? "; each looped back through the virtual wire" : `: ${board.ports.map((p, i) => `${p.name} ${rt.ports[i].describe}`).join("; ")}`),
  });

  const run: [StepName, () => StepResult][] = [
    ["regtest", () => b.regtest()],
    ["link", () => b.link()],
    ["loopback", () => b.loopback()],
    ["wrap", () => b.wrap()],
    ["counters", () => b.counters()],
    ["fault-tx", () => b.faultTx()],
  ];
  for (const [name, fn] of run) {
    const t0 = rt.now();
    try {
      if (name === "loopback") rt.beforeTraffic?.();
      const r = fn();
      const us = (rt.now() - t0) / 1000;
      if (sim) r.simUs = us;
      else r.us = Math.round(us);
      steps.push(r);
    } catch (e) {
      if (!(e instanceof StepFailure)) throw e;
      fail(name, e.message, e.status !== undefined ? statusName(e.status) : undefined);
      break;
    }
  }
  if (pcapDir) rt.savePcaps?.(pcapDir);
}
