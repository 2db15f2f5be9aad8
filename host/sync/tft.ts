// The transformation function table (TFT): for each version step an image knows, the
// functions that rewrite a command whose syntax changed across that step. A step joins two
// adjacent versions (1.0→1.1, 1.1→2.0, or the reverse for downgrades); a command crosses
// several versions one step at a time, never from 1.0 to 2.0 in one function.
//
// An image carries the steps from older versions up to itself (it knows its history, not the
// future), so in a pair it is the newer image's table that is used: downgrades run on the
// active when it is newer, upgrades on the standby when it is newer (engine.ts).
//
// A transform may also refuse one instance ("a 20 ms heartbeat has no 1.1 equivalent"); the
// refusal goes to the policy handler with the action the transform's author published.

import { Command, Grammar } from "./grammar";
import { ConfigView } from "./config";

/** What happens when a command cannot be synced (policy.ts). */
export type PolicyAction = "warn" | "out-of-sync" | "reset-standby";
export const POLICY_ACTIONS: PolicyAction[] = ["warn", "out-of-sync", "reset-standby"];

export interface StepContext {
  from: Grammar;
  to: Grammar;
  /** The source-version config before and after the change being transformed. A bulk sync
   * transforms a whole config: both are that config. */
  before: ConfigView;
  after: ConfigView;
}

export type TransformResult = { lines: string[]; note?: string } | { refuse: string };

export interface Transform {
  /** The source-version command id this transform rewrites. */
  id: string;
  /** The target-version command ids it may produce (checked statically and at run time). */
  to: string[];
  /** The action published for its refusals. */
  policy: PolicyAction;
  fn(cmd: Command, ctx: StepContext): TransformResult;
}

export interface Step {
  from: string;
  to: string;
  transforms: Transform[];
}

export const emit = (...lines: string[]): TransformResult => ({ lines });
export const emitNote = (note: string, ...lines: string[]): TransformResult => ({ lines, note });
export const refuse = (why: string): TransformResult => ({ refuse: why });

/** Renders a target-version command; a helper for transform bodies. */
export function line(ctx: StepContext, id: string, args: Record<string, string | number>, negated = false): string {
  return ctx.to.make(id, args, negated).text;
}

/** The common case: the same arguments under a new pattern (names mapped by `rename`). */
export function renamed(id: string, to: string, rename: Record<string, string> = {}, policy: PolicyAction = "out-of-sync"): Transform {
  return {
    id,
    to: [to],
    policy,
    fn(cmd, ctx) {
      const args: Record<string, string> = {};
      for (const [k, v] of Object.entries(cmd.args)) args[rename[k] ?? k] = v;
      return emit(line(ctx, to, args, cmd.negated));
    },
  };
}

export class Tft {
  private byKey = new Map<string, Transform>();
  readonly steps: readonly Step[];

  constructor(steps: Step[]) {
    this.steps = steps;
    for (const s of steps) {
      for (const t of s.transforms) {
        const k = Tft.key(s.from, s.to, t.id);
        if (this.byKey.has(k)) throw new Error(`TFT: two transforms for ${t.id} on ${s.from}→${s.to}`);
        this.byKey.set(k, t);
      }
    }
  }

  private static key(from: string, to: string, id: string): string {
    return `${from}>${to}>${id}`;
  }

  hasStep(from: string, to: string): boolean {
    return this.steps.some((s) => s.from === from && s.to === to);
  }

  find(from: string, to: string, id: string): Transform | undefined {
    return this.byKey.get(Tft.key(from, to, id));
  }
}
