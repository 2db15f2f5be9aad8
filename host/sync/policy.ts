// The policy handler: what it costs when a command cannot be synced, and the redundancy mode
// that follows. The transform that refuses a command publishes an action with its image (such
// cases are known before the image ships); a handler can
// override it per command or escalate warnings (--strict).
//
// Modes, hottest first:
//   sso   stateful switchover: the standby is hot and its configuration matches
//   rpr   cold standby: up, but a switchover reloads it (images incompatible, or the
//         configuration is out of sync)
//   none  non-redundant: the standby is reset and held until an operator intervenes

import { PolicyAction } from "./tft";
import { PolicyCause } from "./engine";

export type Mode = "sso" | "rpr" | "none";
export const MODES: Mode[] = ["sso", "rpr", "none"];

export const ACTION_MODE: Record<PolicyAction, Mode> = { warn: "sso", "out-of-sync": "rpr", "reset-standby": "none" };

export function colder(a: Mode, b: Mode): Mode {
  return MODES.indexOf(a) >= MODES.indexOf(b) ? a : b;
}

export interface PolicyEvent {
  /** "line 12", "command 7": where the operator can find it. */
  where: string;
  text: string;
  action: PolicyAction;
  /** A PolicyCause (engine.ts), "standby-rejected" (a PRC failure) or "verify-mismatch". */
  cause: PolicyCause | "standby-rejected" | "verify-mismatch" | string;
  reason: string;
  /** Which unit decided: the active (downgrades) or the standby (upgrades, PRCs). */
  by: "active" | "standby";
}

export interface PolicyRules {
  /** Per command id (of the version where it stopped): the action to take instead. */
  overrides?: Record<string, PolicyAction>;
  /** Treat every "warn" as "out-of-sync". */
  strict?: boolean;
}

export class PolicyHandler {
  readonly events: PolicyEvent[] = [];

  constructor(readonly rules: PolicyRules = {}) {}

  /** The action for a policy fate (or an event the standby reports), after the handler's own rules. */
  decide(f: { id: string; action: PolicyAction }): PolicyAction {
    const a = this.rules.overrides?.[f.id] ?? f.action;
    return this.rules.strict && a === "warn" ? "out-of-sync" : a;
  }

  record(e: PolicyEvent): PolicyAction {
    this.events.push(e);
    return e.action;
  }

  /** The mode the recorded events leave the pair in (starting from `from`). */
  mode(from: Mode = "sso"): Mode {
    return this.events.reduce((m, e) => colder(m, ACTION_MODE[e.action]), from);
  }

  /** True while nothing has been declared out of sync or reset. */
  get inSync(): boolean {
    return this.events.every((e) => e.action === "warn");
  }
}
