// `lastgasp run`: one unit of an HA pair on its board's real ports, until stopped
// (docs/running-a-pair.md). The board is open (host/board/native.ts); this file brings its
// rings up, arms the crash path, starts the optional services (service.ts) and runs the
// loop (loop.ts) until SIGTERM / SIGINT, then stops cleanly: no gasp — a planned stop is not
// a crash.

import type { NativeRuntime } from "../board/native";
import type { Board } from "../board/board";
import { armCrashPath, type ArmedCrashPath } from "../board/crash";
import type { Role } from "../ha/role";
import { Loop, LoopClock } from "./loop";
import type { RunLog } from "./log";
import type { ServiceContext, UnitService } from "./service";
import type { HeartbeatOptions } from "../ha/heartbeat";

export interface RunSettings {
  board: Board;
  /** The peer unit's board: gasps and HELLOs go to its ports, config sync to its address. */
  peer?: Board;
  /** The chassis key (32..64 bytes); wiped once it is in both cores. */
  key: Uint8Array;
  keyId: number;
  chassis: number;
  /** 1..255: who takes over when neither unit holds the VIPs (then epoch, then unit id). */
  priority: number;
  heartbeat: Omit<HeartbeatOptions, "name" | "timeline">;
  /** A hang is this long without a kick (0: no watchdog). */
  watchdogMs: number;
  /** Boot counter, epoch and the receiver's replay table live here. */
  stateDir: string;
}

export class RunUnit {
  readonly clock: LoopClock;
  readonly loop: Loop;
  private crash: ArmedCrashPath | null = null;
  private readonly linuxPorts: number[];
  private stopped = false;
  role: Role = "init";

  constructor(
    readonly rt: NativeRuntime,
    readonly settings: RunSettings,
    readonly log: RunLog,
    readonly services: UnitService[],
  ) {
    this.clock = new LoopClock(() => rt.now());
    this.linuxPorts = settings.board.ports.map((p, i) => (p.device.kind === "linux" ? i : -1)).filter((i) => i >= 0);
    this.loop = new Loop({ turn: () => this.turn(), sleep: (us) => this.sleep(us), now: () => rt.now() });
  }

  get owned(): UnitService | undefined {
    return this.services.find((s) => s.ownsRings);
  }

  /** Rings up on every port, the crash path armed, the services started. */
  start(boot: number): void {
    const { rt, settings: s } = this;
    s.board.ports.forEach((_, i) => {
      rt.osRings.must("nic_tx_init", i);
      rt.osRings.must("nic_rx_init", i);
    });
    this.crash = armCrashPath(rt, { key: Uint8Array.from(s.key), keyId: s.keyId, chassis: s.chassis, boot, priority: s.priority, peer: s.peer, watchdogMs: s.watchdogMs });
    const ctx: ServiceContext = {
      board: s.board,
      rt,
      role: () => this.role,
      now: () => rt.now(),
      log: (event, fields, level) => this.log(event, fields, level),
      deliver: (port, frame) => this.deliver(port, frame),
    };
    for (const svc of this.services) {
      svc.start(ctx);
      this.log("service.start", { service: svc.name, ownsRings: svc.ownsRings });
    }
  }

  /** A frame for the control plane; true when it was the unit's. */
  deliver(_port: number, _frame: Uint8Array): boolean {
    return false;
  }

  private turn(): { next: number | null; busy: boolean } {
    const now = this.rt.now();
    let busy = false;
    if (!this.owned) {
      for (let i = 0; i < this.settings.board.ports.length; i++) {
        const { frames } = this.rt.osRings.harvest(i);
        if (!frames.length) continue;
        this.rt.osRings.run("nic_rx_doorbell", i);
        for (const f of frames) this.deliver(i, f);
        busy = true;
      }
    }
    this.clock.run(now);
    let next = this.clock.nextDeadline();
    for (const svc of this.services) {
      if (svc.poll(now)) busy = true;
      const d = svc.nextDeadline?.() ?? null;
      if (d !== null && (next === null || d < next)) next = d;
    }
    return { next, busy };
  }

  /** Pumps every linux port's socket into its RX ring, sleeping up to us in the first one's poll(2). */
  private sleep(us: number): void {
    if (this.linuxPorts.length === 0) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(1, Math.round(us / 1000)));
      return;
    }
    this.linuxPorts.forEach((i, k) => this.rt.addon.linuxPump(i, k === 0 ? us : 0));
  }

  /** Runs until stop(); resolves when the loop has ended. */
  run(): Promise<void> {
    return this.loop.run();
  }

  /** A planned stop: no gasp. The crash path is disarmed first, then the services stop. */
  stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.crash?.disarm();
    for (const svc of this.services) {
      try {
        svc.stop();
      } catch (e) {
        this.log("service.stop-failed", { service: svc.name, error: (e as Error).message }, "error");
      }
    }
    this.loop.stop();
    this.clock.clear();
    this.log("unit.stop", { reason });
  }
}
