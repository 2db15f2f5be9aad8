// What must hold at every moment of an upgrade, whatever fails (docs/upgrade.md
// "Guarantees"), checked as the run goes — after every event that can change who is up or
// who holds the VIPs (once the instant's events are done), and at every boot:
//   - never two actives at once: at most one unit holds the VIPs (answers ARP for them,
//     announces them); an old active draining after a planned handover forwards what is
//     still in flight but holds nothing;
//   - never both units down: at least one unit's software runs;
//   - never a unit running an unverified image: the image each boot loaded is verified again
//     here, independently of the boot stage that chose it (another core instance, the board's
//     trust), and must be the one the boot stage reported verifying.

import { Core } from "../core/core";
import { runImage } from "../image/verifier";
import type { UpgradeWorld, BootRecord } from "./world";

/** The checker's own core, apart from the boot ROM and the parser; shared by every run of the process. */
let checker: Core | undefined;

export class Invariants {
  checks = 0;
  boots = 0;
  readonly violations: string[] = [];
  private readonly core = (checker ??= Core.load());

  constructor(
    private readonly world: UpgradeWorld,
    /** Per board id: the raw public keys its card trusts. */
    private readonly trust: Map<string, Uint8Array[]>,
  ) {
    world.watch(() => this.check());
    world.onBoot = (b) => this.boot(b);
    for (const b of world.boots) this.boot(b); // the boots at power-on came before this monitor
  }

  private violation(what: string): void {
    if (this.violations.length < 20) this.violations.push(`${(this.world.clock.now() / 1e6).toFixed(3)} ms: ${what}`);
  }

  /** The state now: one active at most, one unit up at least. */
  check(): void {
    this.checks++;
    const units = this.world.chassis.units;
    const up = units.filter((u) => u.state === "up" && this.world.node(u.id).unit === u);
    const active = up.filter((u) => u.holdsVips);
    if (active.length > 1) this.violation(`two actives: ${active.map((u) => u.id).join(", ")}`);
    if (up.length === 0) this.violation("both units down");
  }

  private boot(b: BootRecord): void {
    this.boots++;
    const n = this.world.node(b.unit);
    const slot = n.bootReport?.slots.find((s) => s.slot === b.slot);
    if (!slot || slot.verdict !== "ok") this.violation(`${b.unit} booted slot ${b.slot}, which its boot stage did not verify (${slot?.verdict ?? "no verdict"})`);
    const r = runImage(this.core, b.image.bytes, { mode: "verify", trust: this.trust.get(b.unit)!, board: b.unit });
    if (r.status !== 0) this.violation(`${b.unit} runs an image that does not verify: ${r.reason}`);
    if (slot?.imageId !== b.image.id) this.violation(`${b.unit} runs image ${b.image.id}, not the ${slot?.imageId} its boot stage verified`);
  }
}
