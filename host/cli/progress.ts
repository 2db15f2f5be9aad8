// Progress on a terminal for runs longer than a second: one line on stderr, rewritten in
// place (simulated time reached of the run's end, and which run of a demo with comparison
// runs), cleared when the run ends. Nothing is printed when stderr is not a terminal (CI
// logs, pipes) or for runs that finish within the first second (LASTGASP_PROGRESS_AFTER_MS
// changes that second).

import { SimClock } from "../sim/clock";

export interface ProgressStream {
  isTTY?: boolean;
  write(s: string): unknown;
}

export class Progress {
  private readonly t0: number;
  /** Runs shorter than this show nothing (LASTGASP_PROGRESS_AFTER_MS, default 1000). */
  private readonly after = Number(process.env.LASTGASP_PROGRESS_AFTER_MS ?? 1000);
  private lastDraw = 0;
  private run = 1;
  private lastNow = -1;
  private shown = false;

  constructor(private readonly label: string, private readonly out: ProgressStream = process.stderr, private readonly now: () => number = Date.now) {
    this.t0 = now();
  }

  /** Starts watching the simulated clocks (SimClock.observer); stop() ends it. */
  static watch(label: string, out: ProgressStream = process.stderr): Progress {
    const p = new Progress(label, out);
    if (out.isTTY) SimClock.observer = (now, until) => p.update(now, until);
    return p;
  }

  update(nowNs: number, untilNs: number): void {
    if (nowNs < this.lastNow) this.run++;
    this.lastNow = nowNs;
    const wall = this.now();
    if (wall - this.t0 < this.after || wall - this.lastDraw < 100) return;
    this.lastDraw = wall;
    this.shown = true;
    const pct = untilNs > 0 ? Math.min(100, (100 * nowNs) / untilNs) : 100;
    this.out.write(`\r\x1b[K${this.label}: run ${this.run}, simulated ${(nowNs / 1e9).toFixed(2)} of ${(untilNs / 1e9).toFixed(2)} s (${pct.toFixed(0)} %), ${((wall - this.t0) / 1000).toFixed(1)} s`);
  }

  stop(): void {
    SimClock.observer = null;
    if (this.shown) this.out.write("\r\x1b[K");
    this.shown = false;
  }
}
