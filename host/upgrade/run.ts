// One upgrade run (docs/upgrade.md): the releases built and signed for each board, each card's
// flash manufactured (golden and the first release, confirmed), the chassis booted from it,
// the controller started at policy.startMs, the scenario's failure armed; the clock runs
// until the controller is done and the pair has settled, or maxDurationMs.

import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import type { Board } from "../board/board";
import { Core } from "../core/core";
import { ms } from "../ha/timeline";
import type { ChassisRun } from "../chassis/chassis";
import type { CardTrust } from "../flash/card";
import type { FlashReport } from "../flash/driver";
import { ChassisImage, chassisImage, readSigningKey, Defect } from "./images";
import { UnitFlash } from "./firmware";
import { UpgradeWorld } from "./world";
import { UpgradeController, UpgradePolicy, DEFAULT_POLICY } from "./controller";
import { DEFAULT_HEALTH } from "./health";
import { Invariants } from "./invariants";
import { LoadedUpgrade, chassisScenario, FailureSpec } from "./scenario";

export interface UpgradeRunOptions {
  seed?: number;
  /** Where the cards' flash model files go (<board>.flash); default: a temporary directory, removed after the run. null: in memory. */
  flashDir?: string | null;
  /** Replaces the scenario's failure (campaigns). */
  failure?: FailureSpec | null;
  /** More power cuts, on top of the failure (campaigns: a cut during the recovery). */
  cuts?: Extract<FailureSpec, { kind: "power-cut" }>[];
  /** Replaces the running configuration's text (campaigns: one the new release cannot take). */
  configText?: string;
  /** Adjusts the scenario after loading (campaigns: shorter timers, sparser traffic). */
  adjust?: (l: LoadedUpgrade) => void;
  /** Called once the world is built, before the clock runs (tests schedule their own events). */
  setup?: (w: UpgradeWorld) => void;
}

export interface UpgradeRun {
  loaded: LoadedUpgrade;
  world: UpgradeWorld;
  controller: UpgradeController;
  invariants: Invariants;
  chassis: ChassisRun;
  images: { from: Map<string, ChassisImage>; to: Map<string, ChassisImage> };
  /** Where the flash files are (null: memory, or removed). */
  flashDir: string | null;
  /** Each card's flash state and slots at the end (read before a temporary directory goes). */
  finalFlash: Map<string, FlashReport | null>;
  endNs: number;
}

/** How long the pair runs on after the controller is done (and the pair settled), before the traffic stops. */
const SETTLE_NS = ms(200);
/** How long a run waits, after the controller is done, for the pair to settle. */
const SETTLE_MAX_NS = ms(3000);

const templates = new Map<string, Uint8Array>();

/** A card manufactured with golden and the first release confirmed: built once per board and image, copied per run. */
function manufactured(board: Board, trust: CardTrust, golden: ChassisImage, first: ChassisImage, core: Core): Uint8Array {
  const key = `${board.file}|${golden.id}|${first.id}`;
  let t = templates.get(key);
  if (!t) {
    const f = UnitFlash.blank(board, trust, core);
    f.provision(golden.bytes, first.bytes);
    t = f.bytes();
    templates.set(key, t);
  }
  return t;
}

export function policyOf(l: LoadedUpgrade): UpgradePolicy {
  const p = l.scenario.policy ?? {};
  return {
    startMs: p.startMs ?? DEFAULT_POLICY.startMs,
    drainMs: p.drainMs ?? DEFAULT_POLICY.drainMs,
    syncTimeoutMs: p.syncTimeoutMs ?? DEFAULT_POLICY.syncTimeoutMs,
    trialDeadlineMs: p.trialDeadlineMs ?? DEFAULT_POLICY.trialDeadlineMs,
    configLoss: p.configLoss ?? DEFAULT_POLICY.configLoss,
    health: { ...DEFAULT_HEALTH, ...(p.health ?? {}) },
  };
}

let bootRom: Core | undefined;

export function runUpgrade(loaded: LoadedUpgrade, opts: UpgradeRunOptions = {}): UpgradeRun {
  opts.adjust?.(loaded);
  const s = loaded.scenario;
  const failure = opts.failure === undefined ? s.failure : opts.failure ?? undefined;
  const key = readSigningKey(loaded.keyFile);
  const defect: Defect | undefined = failure && failure.kind !== "power-cut" ? (failure as Defect) : undefined;
  const from = new Map<string, ChassisImage>();
  const to = new Map<string, ChassisImage>();
  for (const b of loaded.boards) {
    from.set(b.id, chassisImage({ board: b, version: s.images.from.version, securityCounter: s.images.from.securityCounter ?? 0 }, key));
    to.set(b.id, chassisImage({ board: b, version: s.images.to.version, securityCounter: s.images.to.securityCounter ?? 0, defect }, key));
  }
  let dir = opts.flashDir === undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "lastgasp-upgrade-")) : opts.flashDir;
  const temporary = opts.flashDir === undefined;
  if (dir !== null) fs.mkdirSync(dir, { recursive: true });
  bootRom ??= Core.load();
  const flash = new Map<string, UnitFlash>();
  const trust = new Map<string, Uint8Array[]>();
  try {
    for (const b of loaded.boards) {
      const t: CardTrust = { keys: [key.publicRaw], board: b.id };
      trust.set(b.id, t.keys);
      const initial = manufactured(b, t, from.get(b.id)!, from.get(b.id)!, bootRom);
      const store = dir === null ? { bytes: new Uint8Array(initial.length) } : { file: path.join(dir, `${b.id}.flash`) };
      flash.set(b.id, new UnitFlash(b, t, store, initial, bootRom));
    }
    const world = new UpgradeWorld({
      loaded: chassisScenario(loaded),
      flash,
      config: opts.configText === undefined ? loaded.config : { file: "(campaign)", text: opts.configText },
      osBootNs: ms(s.boot?.osMs ?? 300),
      powerRestoreNs: ms(s.boot?.powerRestoreMs ?? 500),
      seed: opts.seed,
    });
    const invariants = new Invariants(world, trust);
    const cuts = [...(failure?.kind === "power-cut" ? [failure] : []), ...(opts.cuts ?? [])];
    for (const c of cuts) world.arm(c.unit, c.during, { atOp: c.op, tear: c.tear ?? "page", seed: (opts.seed ?? s.seed ?? 1) * 7919 + c.op });
    const hosts = s.hosts.map((h) => ({ name: h.name, ip: h.ipv4.split("/")[0] }));
    let endNs = ms(s.maxDurationMs ?? 120_000);
    // Once the controller is done, the run goes on until the pair is settled — both units up,
    // one active, its standby synced (a unit the controller left rebooting comes back) — or
    // SETTLE_MAX_NS, then SETTLE_NS more with traffic, then the hosts stop.
    const stable = () => {
      const up = world.chassis.units.filter((u) => u.state === "up" && world.node(u.id).unit === u);
      const active = up.filter((u) => u.holdsVips);
      return up.length === 2 && active.length === 1 && world.sync.outcomeFor(active[0], up.find((u) => u !== active[0])!) !== null;
    };
    const finish = () => {
      endNs = Math.min(endNs, world.clock.now() + SETTLE_NS + ms(20));
      world.chassis.stopTraffic(world.clock.now() + SETTLE_NS);
    };
    const controller = new UpgradeController(world, to, policyOf(loaded), hosts, () => {
      if (stable()) return finish();
      let done = false;
      const stop = world.watch(() => {
        if (done || !stable()) return;
        done = true;
        stop();
        finish();
      });
      world.clock.after(SETTLE_MAX_NS, () => {
        if (done) return;
        done = true;
        stop();
        finish();
      });
    });
    opts.setup?.(world);
    world.chassis.start();
    controller.start();
    const clock = world.clock;
    while (clock.now() < endNs) clock.runUntil(Math.min(endNs, clock.now() + ms(100)));
    // A unit still coming back at the end (a release that crashes whenever it takes over) is
    // waited for, the hosts silent meanwhile.
    const cap = clock.now() + SETTLE_MAX_NS;
    while (!stable() && clock.now() < cap) clock.runUntil(Math.min(cap, clock.now() + ms(10)));
    invariants.check();
    const chassis = world.chassis.result();
    const finalFlash = new Map([...flash].map(([id, f]) => [id, f.run("status").report]));
    return { loaded, world, controller, invariants, chassis, images: { from, to }, flashDir: temporary ? null : dir, finalFlash, endNs };
  } finally {
    if (temporary && dir !== null) fs.rmSync(dir, { recursive: true, force: true });
    dir = null;
  }
}
