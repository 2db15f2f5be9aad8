// The host's thin wrapper over the switching path's exports (docs/switching-path.md):
// configuration records, the per-packet and batch calls, counters, connection lookups.
// The logic is in the core; this file only lays records out and names results.
//
// Slot use: ABI slots 48..50 and frame buffers 24..26 belong to this wrapper.

import { Core } from "../core/core";
import * as MAP from "../../assembly/shared/memmap";
import * as S from "../../assembly/shared/switch";

const REC = Core.slot(48); // one configuration record at a time
const KEY = Core.slot(49);
const COUNTERS = Core.slot(50);
/** Frame buffer the wrapper's process() uses; a 2 KiB frame slot. */
export const SW_FRAME = Core.frame(24);
/** Frame buffer injected frames are copied into. */
export const SW_INJECT_FRAME = Core.frame(25);
/** Descriptor array for batch() (up to 64 descriptors in frame slot 26). */
export const SW_DESCS = Core.frame(26);

export type Family = 4 | 6;

export interface ServiceConfig {
  family: Family;
  vip: Uint8Array;
  protocol: "tcp" | "udp";
  port: number;
  /** "dsr": destination MAC rewrite only; "nat" (IPv4): destination IP/port, reverse NAT. */
  mode: "dsr" | "nat";
  /** NAT: port and next-hop MAC replies to clients leave by. */
  returnPort?: number;
  returnMac?: Uint8Array;
}

export interface BackendConfig {
  family: Family;
  addr: Uint8Array;
  mac: Uint8Array;
  /** The port (NIC) the back end is reached through. */
  txPort: number;
  /** NAT destination port; 0 or absent keeps the service's port. */
  port?: number;
  state?: "up" | "down";
}

export type Action = "forward" | "answer" | "punt" | "drop";
const ACTIONS: Record<number, Action> = { [S.V_FORWARD]: "forward", [S.V_ANSWER]: "answer", [S.V_PUNT]: "punt", [S.V_DROP]: "drop" };

export interface Verdict {
  raw: number;
  action: Action;
  /** forward: egress port; answer/punt: ingress port. */
  port: number;
  /** forward/answer/punt: frame length; drop: 0. */
  length: number;
  /** drop: the counter name of the reason. */
  reason?: string;
}

/** Counter names in index order, from the shared C_* declarations. */
export const COUNTER_NAMES: string[] = (() => {
  const names: string[] = new Array(S.C_COUNT).fill("");
  for (const [k, v] of Object.entries(S)) {
    if (k.startsWith("C_") && k !== "C_COUNT" && typeof v === "number") names[v] = k.slice(2).toLowerCase();
  }
  return names;
})();

export function decodeVerdict(raw: number): Verdict {
  const action = ACTIONS[S.verdictAction(raw)];
  if (raw < 0 || !action) throw new Error(`not a verdict: ${raw}`);
  const port = S.verdictPort(raw);
  const low = S.verdictLow(raw);
  if (action === "drop") return { raw, action, port, length: 0, reason: COUNTER_NAMES[low] ?? `reason ${low}` };
  return { raw, action, port, length: low };
}

export interface SwitchInit {
  /** Connection-table entries: a power of two, 16 .. 2^20. */
  capacity: number;
  seed?: number;
  policy?: "evict" | "drop";
}

export class SwitchPath {
  constructor(readonly core: Core) {}

  static create(init: SwitchInit, core: Core = Core.load()): SwitchPath {
    const sw = new SwitchPath(core);
    sw.init(init);
    return sw;
  }

  init({ capacity, seed = 0x5eed, policy = "evict" }: SwitchInit): void {
    this.core.call("sw_init", capacity, seed | 0, policy === "drop" ? S.CONN_POLICY_DROP : S.CONN_POLICY_EVICT);
  }

  private record(size: number): DataView {
    this.core.bytes.fill(0, REC, REC + size);
    return new DataView(this.core.bytes.buffer, REC, size);
  }

  setPort(port: number, mac: Uint8Array): void {
    this.core.write(REC, mac);
    this.core.call("sw_port_set", port, REC);
  }

  /** Adds (or with null clears) control-processor address i. */
  setCpAddress(i: number, family: Family | null, addr?: Uint8Array): void {
    const v = this.record(S.SW_ADDR_SIZE);
    v.setUint8(S.SW_ADDR_FAMILY, family ?? 0);
    if (family && addr) this.core.write(REC + S.SW_ADDR_ADDR, addr);
    this.core.call("sw_cp_set", i, REC);
  }

  setService(i: number, svc: ServiceConfig | null): void {
    const v = this.record(S.SW_SVC_SIZE);
    if (svc) {
      v.setUint8(S.SW_SVC_FAMILY, svc.family);
      v.setUint8(S.SW_SVC_PROTO, svc.protocol === "tcp" ? 6 : 17);
      v.setUint8(S.SW_SVC_MODE, svc.mode === "nat" ? S.SVC_MODE_NAT : S.SVC_MODE_DSR);
      v.setUint8(S.SW_SVC_RETURN_PORT, svc.returnPort ?? 0);
      v.setUint16(S.SW_SVC_PORT, svc.port, true);
      if (svc.returnMac) this.core.write(REC + S.SW_SVC_RETURN_MAC, svc.returnMac);
      this.core.write(REC + S.SW_SVC_VIP, svc.vip);
    }
    this.core.call("sw_service_set", i, REC);
  }

  setBackend(i: number, be: BackendConfig | null): void {
    const v = this.record(S.SW_BE_SIZE);
    if (be) {
      v.setUint8(S.SW_BE_STATE, be.state === "down" ? S.BE_DOWN : S.BE_UP);
      v.setUint8(S.SW_BE_FAMILY, be.family);
      v.setUint8(S.SW_BE_TX_PORT, be.txPort);
      v.setUint16(S.SW_BE_PORT, be.port ?? 0, true);
      this.core.write(REC + S.SW_BE_MAC, be.mac);
      this.core.write(REC + S.SW_BE_ADDR, be.addr);
    }
    this.core.call("sw_backend_set", i, REC);
  }

  /** Marks back end i up or down, keeping the rest of its record. */
  setBackendState(i: number, state: "up" | "down"): void {
    const rec = MAP.SW_BACKENDS_BASE + i * S.SW_BE_SIZE;
    this.core.bytes.copyWithin(REC, rec, rec + S.SW_BE_SIZE);
    this.core.bytes[REC + S.SW_BE_STATE] = state === "down" ? S.BE_DOWN : S.BE_UP;
    this.core.call("sw_backend_set", i, REC);
  }

  backendStats(i: number): { packets: number; connections: number } {
    const rec = MAP.SW_BACKENDS_BASE + i * S.SW_BE_SIZE;
    return { packets: this.core.view.getUint32(rec + S.SW_BE_PACKETS, true), connections: this.core.view.getUint32(rec + S.SW_BE_CONNS, true) };
  }

  setTimeout(kind: number, ticks: number): void {
    this.core.call("sw_timeout_set", kind, ticks);
  }

  tick(now: number): void {
    this.core.call("sw_tick", now | 0);
  }

  /**
   * Runs one frame (copied into the wrapper's buffer) received on inPort; returns the
   * verdict and the frame as the path left it (length from the verdict; the original
   * length for drops).
   */
  process(frame: Uint8Array, inPort = 0): { verdict: Verdict; frame: Uint8Array } {
    if (frame.length > MAP.FRAME_SLOT_SIZE) throw new RangeError(`frame of ${frame.length} bytes`);
    this.core.write(SW_FRAME, frame);
    const raw = this.core.call("sw_packet", SW_FRAME, frame.length, MAP.FRAME_SLOT_SIZE, inPort);
    const verdict = decodeVerdict(raw);
    const len = verdict.action === "drop" ? frame.length : verdict.length;
    return { verdict, frame: this.core.read(SW_FRAME, len) };
  }

  /**
   * Runs frames as one batch at tick now (each in its own 2 KiB buffer in frame slots
   * 27..31 and then the DMA window); returns the verdicts and frames.
   */
  batch(frames: { frame: Uint8Array; port: number }[], now: number): { verdict: Verdict; frame: Uint8Array }[] {
    if (frames.length > 64) throw new RangeError("at most 64 frames per wrapper batch");
    const bufs = frames.map((_, i) => MAP.DMA_BASE + i * MAP.FRAME_SLOT_SIZE);
    frames.forEach((f, i) => {
      this.core.write(bufs[i], f.frame);
      const d = SW_DESCS + i * S.BD_SIZE;
      this.core.view.setUint32(d + S.BD_BUF, bufs[i], true);
      this.core.view.setUint16(d + S.BD_LEN, f.frame.length, true);
      this.core.view.setUint16(d + S.BD_CAP, MAP.FRAME_SLOT_SIZE, true);
      this.core.view.setUint8(d + S.BD_IN_PORT, f.port);
    });
    this.core.call("sw_batch", SW_DESCS, frames.length, now | 0);
    return frames.map((f, i) => {
      const verdict = decodeVerdict(this.core.view.getInt32(SW_DESCS + i * S.BD_SIZE + S.BD_VERDICT, true));
      const len = verdict.action === "drop" ? f.frame.length : verdict.length;
      return { verdict, frame: this.core.read(bufs[i], len) };
    });
  }

  /** The next frame the control processor queued, as the path sends it; null when none. */
  injectNext(): { verdict: Verdict; frame: Uint8Array } | null {
    const raw = this.core.call("sw_inject_next", SW_INJECT_FRAME, MAP.FRAME_SLOT_SIZE);
    if (raw === 0) return null;
    const verdict = decodeVerdict(raw);
    return { verdict, frame: this.core.read(SW_INJECT_FRAME, verdict.length) };
  }

  counters(): Record<string, number> {
    const n = this.core.call("sw_counters", COUNTERS, S.C_COUNT);
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) out[COUNTER_NAMES[i]] = this.core.view.getUint32(COUNTERS + i * 4, true);
    return out;
  }

  /** Back end of the live connection from client (addr, port) to service svc, or null. */
  connectionBackend(svc: number, clientAddr: Uint8Array, clientPort: number): number | null {
    this.core.bytes.fill(0, KEY, KEY + S.CK_SIZE);
    this.core.view.setUint16(KEY + S.CK_SERVICE, svc, true);
    this.core.view.setUint16(KEY + S.CK_CLIENT_PORT, clientPort, true);
    this.core.write(KEY + S.CK_CLIENT_ADDR, clientAddr);
    const rc = this.core.exports.sw_conn_find(KEY);
    return rc < 0 ? null : rc;
  }

  /** Frees expired entries in the next `buckets` buckets; returns how many. */
  sweep(now: number, buckets: number): number {
    return this.core.call("sw_conn_sweep", now | 0, buckets);
  }

  /** Sweeps the whole table once. */
  sweepAll(now: number): number {
    return this.sweep(now, this.core.call("sw_conn_capacity") / S.CONN_WAYS);
  }
}
