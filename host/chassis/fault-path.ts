// A unit's fault path (docs/chassis.md "The unit runtime"): the fault core armed at boot, the
// ways the unit fails, and the exception handler that runs when it does.
//
//   crash       the guest OS traps (a WebAssembly RuntimeError), optionally after scribbling
//               over the driver's TX ring; panic: its panic hook throws (an uncaught exception)
//   hang        the guest stops kicking the watchdog; the watchdog (a SimClock timer, the
//               board's hardware) bites after a period without a kick
//   power loss  nothing runs and nothing is sent (ChassisUnit.powerOff; the chassis takes the
//               links down)
//
// The exception handler is the few lines in exception(): the OS is gone; the fault core's
// fault_fire, then register operations on the board's NICs until it is done (FaultEntry.fire).

import type { ChassisUnit } from "./unit";
import type { E1000 } from "../nic/e1000";
import type { NicDevice } from "../nic/device";
import type { GaspPortConfig } from "../gasp/repr";
import { GuestPanic, OsFaultKind } from "../sim/guest-os";
import { NS_PER_US } from "../ha/timeline";
import { gaspPorts } from "../gasp/ports";
import { FAULT_ARMF_LINK_FIRST, FAULT_ARMF_QUIESCE } from "../../assembly/shared/fault";
import { Dialects } from "../dialect/dialect";
import { boardDialects, boardCarrierDrop } from "../dialect/board";
import * as G from "../../assembly/shared/gasp";

/** Synthetic exception vectors (x86 numbering) and PCs the handler reports per failure. */
const VECTORS: Record<string, number> = { unreachable: 6, oob: 14, div0: 0, "wild-writes": 6, panic: 0, watchdog: 2 };

/** The code the guest's panic hook reports (a BUG() number). */
const PANIC_CODE = 0x0bad;

/** How many bytes a wild write scribbles over the TX descriptors before the trap. */
const WILD_WRITE_BYTES = 4096;

export type InjectedFault = "crash" | "panic" | "hang";

export class UnitFaultPath {
  private lastKicks = 0;

  constructor(private readonly u: ChassisUnit) {}

  /** At boot, in the fault core: the key, the gasp's templates for every port, the fault entry's plan. */
  arm(): void {
    const u = this.u;
    const s = u.settings;
    u.sender.setKey(0, s.key, s.keyId);
    u.sender.arm({
      chassis: s.chassisId, unit: u.board.unit, role: s.startActive ? G.GASP_ROLE_ACTIVE : G.GASP_ROLE_STANDBY,
      priority: s.priority, keySlot: 0, boot: s.boot, copies: s.copies, ports: this.gaspPorts(),
    });
    // The peers' own frames (board "dialects"), sent after the gasp on their ports.
    const dialects = new Dialects(u.sim.fault);
    for (const d of boardDialects(u.board)) dialects.arm(d);
    const drop = boardCarrierDrop(u.board);
    if (drop) dialects.carrier(drop.ports, drop.drainUs);
    u.fault.arm((s.linkFirst ? FAULT_ARMF_LINK_FIRST : 0) | FAULT_ARMF_QUIESCE);
  }

  /** The gasp's ports: every board port, raw on the backplane, raw + UDP on the front. */
  private gaspPorts(): GaspPortConfig[] {
    const { board, peer, settings: s } = this.u;
    return gaspPorts(board, peer, s.encaps);
  }

  /** The board's watchdog: a whole period without a kick is a hang (an NMI to the handler). */
  watchdog(): void {
    const u = this.u;
    if (u.state === "dead" || u.state === "off") return;
    const kicks = u.guest.kicks;
    if (kicks === this.lastKicks) {
      this.exception({ cause: G.GASP_CAUSE_WATCHDOG, vector: VECTORS.watchdog, what: "watchdog", message: `watchdog: no kick for ${u.settings.watchdogNs / 1e6} ms` });
      return;
    }
    this.lastKicks = kicks;
    u.clock.after(u.settings.watchdogNs, () => this.watchdog());
  }

  /** Makes the guest OS fail as asked; a trap or panic reaches the exception handler. */
  inject(kind: InjectedFault, opts: { trap?: "unreachable" | "oob" | "div0"; wildWrites?: boolean } = {}): void {
    const u = this.u;
    if (u.state !== "up") return;
    const what: OsFaultKind = kind === "panic" ? "panic" : kind === "hang" ? "hang" : opts.wildWrites ? "wild-writes" : opts.trap ?? "unreachable";
    u.timeline.push({ tNs: u.clock.now(), source: u.id, name: "fault.inject", detail: { kind, what } });
    // Never inside a driver operation: the guest fails between two of them.
    u.os.between(() => this.fail(what));
  }

  private fail(what: OsFaultKind): void {
    const u = this.u;
    const now = u.clock.now();
    try {
      // wild-writes: over port 0's TX descriptors, then a trap; panic: the OS's code.
      const ring = u.driver.txDescriptors(0);
      u.guest.fault(what, what === "panic" ? PANIC_CODE : ring, WILD_WRITE_BYTES);
      if (what === "hang") u.guestHung(now);
    } catch (e) {
      const panic = e instanceof GuestPanic;
      if (!panic && !(e instanceof WebAssembly.RuntimeError)) throw e;
      this.exception({
        cause: panic ? G.GASP_CAUSE_EXCEPTION : G.GASP_CAUSE_TRAP, vector: VECTORS[what] ?? 0, what,
        message: `${panic ? "panic" : "trap"}: ${(e as Error).message}`,
      });
    }
  }

  /**
   * The exception handler (and the watchdog's NMI): the OS is gone. With the gasp enabled, the
   * fault core sends it on every port; then the unit is silent for good.
   */
  private exception(x: { cause: number; vector: number; what: string; message: string }): void {
    const u = this.u;
    const now = u.clock.now();
    u.state = "dead";
    u.os.drop();
    u.timeline.push({ tNs: now, source: u.id, name: "fault.handler", detail: { cause: x.cause, what: x.what, gasp: u.settings.gasp } });
    u.onRoleChange?.();
    if (!u.settings.gasp) return u.onHalt?.(x.what);
    const nics = u.nics.map((n, i) => this.doorbellWatch(n, i));
    const r = (u.faultReport = u.fault.fire(
      { cause: x.cause, vector: x.vector, pc: 0xffff_8000_0010_0000n + BigInt(x.vector), uptimeUs: BigInt(Math.floor(now / NS_PER_US)), excerpt: x.message },
      nics,
      u.sim.delay,
    ));
    u.timeline.push({ tNs: u.clock.now(), source: u.id, name: "fault.done", detail: { result: r.result, rounds: r.rounds, ports: r.ports.map((p) => `${u.board.ports[p.port].name}:${p.status}`).join(" ") } });
    u.ha.handle({ type: "gasp-sent" }, u.clock.now());
    u.onHalt?.(x.what);
  }

  /** A NIC whose first TX doorbell (a write to any queue's TDT) during the fault path goes on the timeline. */
  private doorbellWatch(nic: E1000, port: number): NicDevice {
    const u = this.u;
    let rung = false;
    return {
      read32: (o) => nic.read32(o),
      write32: (o, v) => {
        nic.write32(o, v);
        if (!rung && nic.registerAt(o)?.effect === "tdt") {
          rung = true;
          u.timeline.push({ tNs: u.clock.now(), source: u.id, name: "fault.doorbell", detail: { port: u.board.ports[port].name } });
        }
      },
    };
  }
}
