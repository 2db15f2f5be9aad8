// Transforms across the 1.0 ↔ 1.1 step. Upgrades run on a 1.1 (or 2.0) standby fed by a 1.0
// active; downgrades run on a 1.1 active feeding a 1.0 standby.

import { Command } from "../grammar";
import { Step, StepContext, Transform, emit, line, refuse, renamed } from "../tft";

// Defaults the images apply when a timer is not configured (shared by both directions so
// that an absent 1.1 timer becomes the value 1.0 would have used).
export const HEARTBEAT_DEFAULT_MS = 1000;
export const HEARTBEAT_DEFAULT_MULT = 3;

/** 1.0 has one heartbeat line holding both timers; 1.1 has one line each. Going down, the
 * 1.0 line is rebuilt from whatever 1.1 has after the change, so either 1.1 line (set or
 * removed) yields the whole 1.0 slot. */
function mergeHeartbeat(_cmd: Command, ctx: StepContext) {
  const ms = ctx.after.one("failover.heartbeat.interval")?.args.ms;
  const mult = ctx.after.one("failover.heartbeat.multiplier")?.args.mult;
  if (ms === undefined && mult === undefined) return emit(line(ctx, "failover.heartbeat", {}, true));
  return emit(line(ctx, "failover.heartbeat", { ms: ms ?? HEARTBEAT_DEFAULT_MS, mult: mult ?? HEARTBEAT_DEFAULT_MULT }));
}

/** A 1.1 command with no 1.0 counterpart at all: refused when set (the policy decides what
 * that costs); removing it needs nothing on 1.0. */
function onlyIn11(id: string, policy: Transform["policy"], why: string): Transform {
  return { id, to: [], policy, fn: (cmd) => (cmd.negated ? emit() : refuse(why)) };
}

export const STEP_1_0_TO_1_1: Step = {
  from: "1.0",
  to: "1.1",
  transforms: [
    {
      id: "failover.heartbeat",
      to: ["failover.heartbeat.interval", "failover.heartbeat.multiplier"],
      policy: "out-of-sync",
      fn: (cmd, ctx) =>
        emit(
          line(ctx, "failover.heartbeat.interval", { ms: cmd.args.ms }, cmd.negated),
          line(ctx, "failover.heartbeat.multiplier", { mult: cmd.args.mult }, cmd.negated),
        ),
    },
    renamed("failover.garp.count", "failover.announce.garp-count"),
    renamed("failover.garp.spacing", "failover.announce.garp-spacing"),
    renamed("acl.entry", "ip.acl.entry"),
    renamed("acl.entry-port", "ip.acl.entry-port"),
    renamed("interface.access-group", "interface.ip-access-group"),
    {
      // Same words, narrower range: 1.1 needs IPv6's minimum link MTU.
      id: "interface.mtu",
      to: ["interface.mtu"],
      policy: "out-of-sync",
      fn(cmd, ctx) {
        if (!cmd.negated && Number(cmd.args.mtu) < 1280) return refuse(`MTU ${cmd.args.mtu} is below 1.1's minimum of 1280 bytes`);
        return emit(line(ctx, "interface.mtu", cmd.args, cmd.negated));
      },
    },
  ],
};

export const STEP_1_1_TO_1_0: Step = {
  from: "1.1",
  to: "1.0",
  transforms: [
    { id: "failover.heartbeat.interval", to: ["failover.heartbeat"], policy: "out-of-sync", fn: mergeHeartbeat },
    { id: "failover.heartbeat.multiplier", to: ["failover.heartbeat"], policy: "out-of-sync", fn: mergeHeartbeat },
    renamed("failover.announce.garp-count", "failover.garp.count"),
    renamed("failover.announce.garp-spacing", "failover.garp.spacing"),
    onlyIn11("failover.announce.na-count", "warn", "1.0 has no NA count (it sends one unsolicited NA per IPv6 VIP)"),
    renamed("ip.acl.entry", "acl.entry"),
    renamed("ip.acl.entry-port", "acl.entry-port"),
    onlyIn11("ipv6.acl.entry", "out-of-sync", "1.0 cannot filter IPv6: the standby would forward what the active drops"),
    onlyIn11("ipv6.acl.entry-port", "out-of-sync", "1.0 cannot filter IPv6: the standby would forward what the active drops"),
    renamed("interface.ip-access-group", "interface.access-group"),
    onlyIn11("interface.ipv6-access-group", "out-of-sync", "1.0 cannot apply an IPv6 access list"),
    renamed("interface.mtu", "interface.mtu"),
  ],
};
