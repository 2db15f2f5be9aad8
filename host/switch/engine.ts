// The host's side of the poll-mode packet engine (assembly/engine/, docs/switching-path.md
// "Packet engine"): claim queues for contexts, then per poll round call the core, perform the
// register writes it listed (its doorbells) and service the punt ring. Thin on purpose: the
// loop, the verdicts, the buffers and the doorbells are the core's.
//
// Slot use: ABI slot 52 (counters) belongs to this wrapper.

import { Core } from "../core/core";
import { tsPerformer } from "../nic/regops";
import type { NicDevice, DelayFn, RegopPerformer } from "../nic/device";
import type { PuntService } from "./punt";
import * as E from "../../assembly/shared/engine";

const COUNTERS = Core.slot(52);

/** Counter names in index order (ECTR_*; the per-port ones as tx_port0..). */
export const ENGINE_COUNTER_NAMES: string[] = (() => {
  const names: string[] = new Array(E.ECTR_COUNT).fill("");
  for (const [k, v] of Object.entries(E)) {
    if (k.startsWith("ECTR_") && k !== "ECTR_COUNT" && k !== "ECTR_TX_PORT" && typeof v === "number") names[v] = k.slice(5).toLowerCase();
  }
  for (let p = 0; p < E.ECTR_COUNT - E.ECTR_TX_PORT; p++) names[E.ECTR_TX_PORT + p] = `tx_port${p}`;
  return names;
})();

export interface ContextConfig {
  /** Frames per RX queue per round (1..ENG_BATCH_MAX, default 32). */
  batch?: number;
  /** "zero-copy" (default): RX buffers are posted for TX; "copy": frames are copied. */
  mode?: "zero-copy" | "copy";
  /** Ports whose RX queue this context polls. */
  rxPorts?: number[];
  /** This context drains the DOWN punt ring. */
  inject?: boolean;
}

export class PacketEngine {
  constructor(
    readonly core: Core,
    readonly nics: NicDevice[],
    readonly delay: DelayFn,
    readonly punts?: PuntService,
    /** How a round's register-operation list is performed (default: register by register through nics). */
    readonly perform: RegopPerformer = tsPerformer(nics, delay),
  ) {}

  /** Forgets every context's claims, settings and counters. */
  reset(): void {
    this.core.call("eng_reset");
  }

  /** Sets a context up; throws CoreError (E_ENG_OWNED...) on a refused claim. */
  context(ctx: number, cfg: ContextConfig): void {
    this.core.call("eng_config", ctx, cfg.batch ?? E.ENG_BATCH_DEFAULT, cfg.mode === "copy" ? E.ENG_COPY : E.ENG_ZERO_COPY);
    for (const p of cfg.rxPorts ?? []) this.core.call("eng_rx_claim", ctx, p, 0);
    if (cfg.inject) this.core.call("eng_inject_claim", ctx);
  }

  /**
   * One poll round of a context at nowMs: the core's round, then its register writes, then
   * the punt service. Returns the frames the core handled.
   */
  poll(ctx: number, nowMs: number): number {
    const n = this.core.call("eng_poll", ctx, nowMs | 0);
    this.perform(this.core.view);
    this.punts?.poll();
    return n;
  }

  counters(ctx: number): Record<string, number> {
    const n = this.core.call("eng_counters", ctx, COUNTERS, E.ECTR_COUNT);
    const out: Record<string, number> = {};
    for (let i = 0; i < n; i++) out[ENGINE_COUNTER_NAMES[i]] = this.core.view.getUint32(COUNTERS + i * 4, true);
    return out;
  }
}
