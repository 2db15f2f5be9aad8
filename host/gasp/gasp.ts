// Typed wrappers over the gasp exports: a sender (arm, update, fire, hello) and a receiver
// (configure, receive, counters, replay state). Thin: every decision is the core's.
//
// Slot use: ABI slots 40..43 and frame slots 12..13 belong to these wrappers.

import { Core } from "../core/core";
import { statusName } from "../core/status";
import * as S from "../../assembly/shared/status";
import * as G from "../../assembly/shared/gasp";
import { GASP_BASE, FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";
import * as R from "./repr";

const CFG = Core.slot(40);
const RX_CFG = Core.slot(41);
const MSG = Core.slot(42);
const HIGHEST = Core.slot(43);
const RX_FRAME = Core.frame(12);
const EXCERPT = Core.frame(13);

const hi = (x: bigint) => Number((x >> 32n) & 0xffffffffn) | 0;
const lo = (x: bigint) => Number(x & 0xffffffffn) | 0;

export interface FaultInfo {
  cause: number;
  /** Exception vector or syndrome (ESR, vector | error code). */
  vector?: number;
  pc?: bigint;
  uptimeUs?: bigint;
  /** At most GASP_EXCERPT_MAX bytes are sent; longer is cut and flagged. */
  excerpt?: Uint8Array | string;
}

export class GaspSender {
  constructor(readonly core: Core) {}

  /** Puts the chassis key in an HMAC slot (precomputed states) under keyId (0..255). */
  setKey(slot: number, key: Uint8Array, keyId: number): void {
    this.core.write(EXCERPT, key);
    this.core.call("hmac_set_key", slot, EXCERPT, key.length, keyId);
    this.core.bytes.fill(0, EXCERPT, EXCERPT + key.length);
  }

  /** Builds the templates; returns the number of frames per message. */
  arm(cfg: R.GaspConfig): number {
    R.writeConfig(this.core.bytes, CFG, cfg);
    return this.core.call("gasp_arm", CFG);
  }

  update(role: number, priority: number, epoch: number): void {
    this.core.call("gasp_update", role, priority, epoch | 0);
  }

  /** The fault path: frames ready in the GASP region, described by the result table. */
  fire(f: FaultInfo): R.GaspBuilt {
    const excerpt = typeof f.excerpt === "string" ? new TextEncoder().encode(f.excerpt) : (f.excerpt ?? new Uint8Array(0));
    const n = Math.min(excerpt.length, FRAME_SLOT_SIZE);
    this.core.write(EXCERPT, excerpt.subarray(0, n));
    const pc = f.pc ?? 0n;
    const up = f.uptimeUs ?? 0n;
    this.core.call("gasp_fire", f.cause, (f.vector ?? 0) | 0, hi(pc), lo(pc), hi(up), lo(up), EXCERPT, excerpt.length);
    return this.lastGasp();
  }

  hello(uptimeUs: bigint = 0n): R.GaspBuilt {
    this.core.call("gasp_hello", hi(uptimeUs), lo(uptimeUs));
    return this.lastHello();
  }

  lastGasp(): R.GaspBuilt {
    return R.readResult(this.core.bytes, GASP_BASE + G.GASP_REG_RESULT);
  }

  lastHello(): R.GaspBuilt {
    return R.readResult(this.core.bytes, GASP_BASE + G.GASP_REG_HELLO_RESULT);
  }
}

export type GaspReceived =
  | { ok: true; message: R.GaspMessage }
  | { ok: false; status: number; reason: string; /** set for E_GASP_DUPLICATE */ message?: R.GaspMessage };

/** Counter names: "accepted" and every E_GASP_* status the receiver can return. */
export const RX_REASONS: [string, number][] = [["accepted", S.OK]];
for (let code = G.GASP_RX_REASON_FIRST; code >= G.GASP_RX_REASON_LAST; code--) RX_REASONS.push([statusName(code), code]);

/** The receiver's replay table as a host persists it. seq is a decimal string (64-bit). */
export interface ReplayState {
  version: 1;
  chassis: number;
  senders: { unit: number; boot: number; seq: string }[];
}

export class GaspReceiver {
  private chassis = -1;

  constructor(readonly core: Core) {}

  /** Sets the receiver up; forgets every sender and counter (restore state afterwards). */
  configure(cfg: R.GaspRxConfig): void {
    R.writeRxConfig(this.core.bytes, RX_CFG, cfg);
    this.core.call("gasp_rx_config", RX_CFG);
    this.chassis = cfg.chassis >>> 0;
  }

  receive(frame: Uint8Array): GaspReceived {
    if (frame.length > FRAME_SLOT_SIZE) throw new RangeError(`frame of ${frame.length} bytes exceeds ${FRAME_SLOT_SIZE}`);
    this.core.write(RX_FRAME, frame);
    const rc = this.core.exports.gasp_receive(RX_FRAME, frame.length, MSG);
    if (rc >= 0) return { ok: true, message: R.readMessage(this.core.bytes, MSG) };
    const out: GaspReceived = { ok: false, status: rc, reason: statusName(rc) };
    if (rc === S.E_GASP_DUPLICATE) out.message = R.readMessage(this.core.bytes, MSG);
    return out;
  }

  counters(): Record<string, number> {
    return Object.fromEntries(RX_REASONS.map(([name, code]) => [name, this.core.call("gasp_rx_count", code)]));
  }

  highest(unit: number): { boot: number; seq: bigint } | null {
    const known = this.core.call("gasp_rx_highest", unit, HIGHEST);
    if (!known) return null;
    const v = this.core.view;
    const seq = (BigInt(v.getUint32(HIGHEST + G.GASP_HS_SEQ_HI, true)) << 32n) | BigInt(v.getUint32(HIGHEST + G.GASP_HS_SEQ_LO, true));
    return { boot: v.getUint32(HIGHEST + G.GASP_HS_BOOT, true), seq };
  }

  /** Raise-only restore of one sender's highest (boot, seq); true when it changed. */
  restore(unit: number, boot: number, seq: bigint): boolean {
    return this.core.call("gasp_rx_restore", unit, boot | 0, hi(seq), lo(seq)) === 1;
  }

  replayState(): ReplayState {
    const senders: ReplayState["senders"] = [];
    for (let unit = 0; unit < G.GASP_UNITS; unit++) {
      const h = this.highest(unit);
      if (h) senders.push({ unit, boot: h.boot, seq: h.seq.toString() });
    }
    return { version: 1, chassis: this.chassis, senders };
  }

  /** Restores a persisted table; refuses one written for another chassis. */
  restoreState(state: ReplayState): number {
    if (state.version !== 1) throw new Error(`replay state version ${state.version}: expected 1`);
    if (state.chassis >>> 0 !== this.chassis) throw new Error(`replay state is for chassis ${state.chassis}, receiver is configured for ${this.chassis}`);
    return state.senders.filter((s) => this.restore(s.unit, s.boot, BigInt(s.seq))).length;
  }
}
