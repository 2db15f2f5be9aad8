// The seam between `lastgasp run` (the unit's daemon, host/run/unit.ts) and an optional
// service the unit runs beside its HA behaviour — the switching path over the board's real
// ports (the packet engine, the punt ring as a TAP device) is the first. The daemon owns the
// board, the loop and the role; a service is started after bring-up, polled on every turn
// of the loop, asked for counters by `lastgasp status`, told when the unit's role changes
// (it loses the active role: fence what it serves), and stopped on shutdown.
//
// The loop, once per turn (docs/running-a-pair.md "The loop"):
//   1. every linux port's socket is pumped into its soft e1000's RX ring (there is no RX
//      thread: the loop is it);
//   2. the RX rings are harvested and each frame demultiplexed (gasp receiver, HELLOs,
//      config sync, ARP for the VIPs) — unless a service owns the rings (ownsRings): then
//      the service polls them and hands the daemon the control plane's frames through
//      ServiceContext.deliver;
//   3. the HA machines, timers and BFD learning that are due run;
//   4. each service's poll(now);
//   5. the loop sleeps (in the RX socket's poll(2)) until the earliest deadline — its own,
//      and every service's nextDeadline() — at most 1 ms, none when a poll did work.
//
// A service runs in the daemon's JavaScript thread: it must not block (every wait bounded,
// well under a millisecond). It never touches the fault core: the crash path is the
// daemon's.

import type { Board } from "../board/board";
import type { BoardRuntime } from "../board/runtime";
import type { Role } from "../ha/role";

/** A structured log line: an event name and its fields (docs/running-a-pair.md "Logs"). */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface ServiceContext {
  readonly board: Board;
  /** The open board: both cores, the OS core's rings (osRings), the register performer, now(). */
  readonly rt: BoardRuntime;
  /** The unit's role now (active, backup, fault, fenced, init). */
  role(): Role;
  /** Monotonic nanoseconds (the clock of every deadline). */
  now(): number;
  /** Writes one log line as the unit's other lines are written (human or JSON). */
  log(event: string, fields?: LogFields, level?: "info" | "warn" | "error"): void;
  /**
   * A frame that arrived on a board port, for the unit's control plane (when the service owns
   * the rings): the daemon takes what is its own — gasps and HELLOs, config sync, ARP for the
   * VIPs, OAMPDUs — and returns true; false: not the daemon's (the service may give it to the
   * control processor's kernel, e.g. through its TAP device).
   */
  deliver(port: number, frame: Uint8Array): boolean;
}

export interface UnitService {
  /** A short name: the key of its counters in `lastgasp status` and its log lines' source. */
  readonly name: string;
  /**
   * The service polls the ports' RX rings itself and sends through send(): the daemon then
   * neither harvests nor enqueues on the OS core's rings, it gives its frames (GARPs, HELLOs,
   * config sync) to send() and gets the control plane's frames through ctx.deliver.
   */
  readonly ownsRings: boolean;
  /**
   * After bring-up — the OS core's TX and RX rings initialised on every port, the crash path
   * armed — before the loop's first turn. A throw stops the daemon (exit 1, one line).
   */
  start(ctx: ServiceContext): void;
  /** One turn of the loop: the work due at now. True when it did work (the loop does not sleep). */
  poll(now: number): boolean;
  /** When it next wants poll() (monotonic ns); null: no deadline of its own. */
  nextDeadline?(): number | null;
  /** File descriptors whose readiness should end the daemon's sleep (a TAP's, say). */
  waitFds?(): number[];
  /** Sends a control-plane frame on port (only when ownsRings); false: no room (dropped, counted by the daemon). */
  send?(port: number, frame: Uint8Array): boolean;
  /** The unit's role changed: a service that serves only on the active unit stops or starts here. */
  roleChanged?(role: Role, now: number): void;
  /** Counters and state for `lastgasp status` (flat: numbers, strings, booleans). */
  counters(): Record<string, number | string | boolean>;
  /** Planned stop (SIGTERM, SIGINT, a fatal error in the daemon): release what it took. Called once. */
  stop(): void;
}

/**
 * Makes the service a board asks for, or null when the board does not ask for it (e.g. no
 * switching configuration). Bad configuration: throw ServiceConfigError (exit 2, every
 * problem listed), before the board is opened.
 */
export interface ServiceFactory {
  readonly name: string;
  /** Checks the board's configuration for this service without touching anything. */
  check?(board: Board): void;
  create(board: Board): UnitService | null;
}

/** A service's configuration is bad input (exit 2): one line per problem. */
export class ServiceConfigError extends Error {
  constructor(readonly problems: { path: string; message: string }[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join("\n"));
  }
}
