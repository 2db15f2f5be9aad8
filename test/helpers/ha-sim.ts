// A minimal two-unit world for split-brain tests: units A and B (HaUnit), a heartbeat
// channel between them that can be cut or made lossy, and a service segment with one
// Linux-like host sending to the VIP. Deterministic (seeded Rng, integer ns), driven by
// the components' deadlines; the virtual chassis replaces all of this at integration.

import { HaUnit, UnitOutput } from "../../host/ha/unit";
import { SimHost } from "../../host/sim/endhost";
import { Advert } from "../../host/ha/role";
import { Rng } from "../../host/util/rng";
import { ms } from "../../host/ha/timeline";

interface Pending {
  t: number;
  seq: number;
  run: () => void;
}

export interface WorldOptions {
  a: HaUnit;
  b: HaUnit;
  host: SimHost;
  rng: Rng;
  /** Heartbeat latency (default 1 ms). */
  latencyNs?: number;
  /** Host traffic period (default 10 ms); 0 = no traffic. */
  trafficNs?: number;
  vip: string;
}

export class World {
  now = 0;
  private queue: Pending[] = [];
  private seq = 0;
  /** Heartbeats are dropped while true; lossy with probability `loss` otherwise. */
  cut = false;
  loss = 0;
  /** Units that are hung: they process nothing and send nothing. */
  readonly hung = new Set<HaUnit>();
  private nextTraffic = 0;
  /** Every (time, unit name) at which two units were active at once. */
  readonly bothActive: number[] = [];

  constructor(readonly o: WorldOptions) {}

  at(t: number, run: () => void): void {
    this.queue.push({ t, seq: this.seq++, run });
  }

  private peer(u: HaUnit): HaUnit {
    return u === this.o.a ? this.o.b : this.o.a;
  }

  /** Routes a unit's output: hellos to the peer, frames to the host. */
  route(from: HaUnit, out: UnitOutput): void {
    for (const h of out.hellos) this.hello(from, h.advert, Math.max(h.tNs, this.now));
    for (const f of out.frames) this.toHost(f.frame, Math.max(f.tNs, this.now));
  }

  private hello(from: HaUnit, advert: Advert, t: number): void {
    if (this.cut || (this.loss > 0 && this.o.rng.bool(this.loss))) return;
    const to = this.peer(from);
    this.at(t + (this.o.latencyNs ?? ms(1)), () => {
      if (!this.hung.has(to)) this.route(to, to.peerHello(advert, this.now));
    });
  }

  private toHost(frame: Uint8Array, t: number): void {
    this.at(t, () => {
      const out = this.o.host.receive(frame, this.now);
      this.fromHost(out.frames);
    });
  }

  private fromHost(frames: Uint8Array[]): void {
    for (const f of frames) {
      for (const u of [this.o.a, this.o.b]) {
        if (this.hung.has(u)) continue;
        this.route(u, u.receive(f, this.now));
      }
    }
  }

  private deadline(): number | null {
    const ts: number[] = [];
    for (const u of [this.o.a, this.o.b]) {
      if (this.hung.has(u)) continue;
      const d = u.nextDeadline();
      if (d !== null) ts.push(d);
    }
    const h = this.o.host.nextDeadline();
    if (h !== null) ts.push(h);
    if (this.queue.length) ts.push(Math.min(...this.queue.map((p) => p.t)));
    if ((this.o.trafficNs ?? ms(10)) > 0) ts.push(this.nextTraffic);
    return ts.length ? Math.max(this.now, Math.min(...ts)) : null;
  }

  runUntil(end: number): void {
    for (let guard = 0; guard < 5_000_000; guard++) {
      const t = this.deadline();
      if (t === null || t > end) {
        this.now = end;
        return;
      }
      this.now = t;
      const due = this.queue.filter((p) => p.t <= t).sort((x, y) => x.t - y.t || x.seq - y.seq);
      this.queue = this.queue.filter((p) => p.t > t);
      for (const p of due) p.run();
      for (const u of [this.o.a, this.o.b]) {
        if (this.hung.has(u)) continue;
        const d = u.nextDeadline();
        if (d !== null && d <= t) this.route(u, u.tick(t));
      }
      const hd = this.o.host.nextDeadline();
      if (hd !== null && hd <= t) this.fromHost(this.o.host.tick(t).frames);
      const period = this.o.trafficNs ?? ms(10);
      if (period > 0 && this.nextTraffic <= t) {
        this.fromHost(this.o.host.send(this.o.vip, t).frames);
        this.nextTraffic = t + period;
      }
      if (this.o.a.currentRole === "active" && this.o.b.currentRole === "active") this.bothActive.push(t);
    }
    throw new Error("world: no progress");
  }

  actives(): HaUnit[] {
    return [this.o.a, this.o.b].filter((u) => u.currentRole === "active");
  }
}
