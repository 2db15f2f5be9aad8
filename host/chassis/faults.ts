// A failover scenario's faults (scenarios/*.json "faults"; docs/chassis.md "Fault kinds"), each
// scheduled on the chassis's clock at its time: the guest OS made to fail (crash, panic, hang),
// power lost, cables cut and restored, a NIC's TX engine frozen, the chassis partitioned and
// healed, a loss burst on a class of links.

import type { Chassis, LinkClass } from "./chassis";
import type { FaultSpec } from "./scenario";
import type { LinkOptions } from "../sim/wire";
import { ms, TimelineEvent } from "../ha/timeline";

export function scheduleFault(c: Chassis, f: FaultSpec): void {
  const { clock, timeline } = c;
  const at = ms(f.atMs);
  const ev = (name: string, detail: TimelineEvent["detail"]) => timeline.push({ tNs: clock.now(), source: "chassis", name, detail });
  switch (f.kind) {
    case "crash":
      clock.at(at, () => c.unit(f.unit).inject("crash", { trap: f.trap, wildWrites: f.wildWrites }));
      return;
    case "panic":
    case "hang": {
      const kind = f.kind;
      clock.at(at, () => c.unit(f.unit).inject(kind));
      return;
    }
    case "power-loss":
      clock.at(at, () => {
        ev("fault.power-loss", { unit: f.unit });
        c.unit(f.unit).powerOff();
        for (const l of c.linksOf(f.unit)) l.setUp(false);
      });
      return;
    case "link-cut":
      clock.at(at, () => {
        ev("fault.link-cut", { unit: f.unit, port: f.port });
        for (const l of c.linksOf(f.unit, f.port)) l.setUp(false);
      });
      if (f.untilMs !== undefined) clock.at(ms(f.untilMs), () => {
        ev("fault.link-restore", { unit: f.unit, port: f.port });
        for (const l of c.linksOf(f.unit, f.port)) l.setUp(true);
      });
      return;
    case "nic-hang":
      clock.at(at, () => {
        const u = c.unit(f.unit);
        u.nicHang(u.portIndex(f.port), f.queue, f.survivesReset ?? true);
      });
      return;
    case "partition":
      clock.at(at, () => {
        ev("fault.partition", {});
        c.partition(true);
      });
      if (f.untilMs !== undefined) clock.at(ms(f.untilMs), () => {
        ev("fault.heal", {});
        c.partition(false);
      });
      return;
    case "loss": {
      const uniq = c.linksOfClass((f.links ?? "all") as LinkClass | "all");
      const saved = uniq.map((l) => l.opts.loss);
      clock.at(at, () => {
        ev("fault.loss", { loss: f.loss, links: f.links ?? "all" });
        for (const l of uniq) (l.opts as LinkOptions).loss = f.loss;
      });
      if (f.untilMs !== undefined) clock.at(ms(f.untilMs), () => {
        ev("fault.loss-end", { links: f.links ?? "all" });
        uniq.forEach((l, i) => ((l.opts as LinkOptions).loss = saved[i]));
      });
      return;
    }
  }
}
