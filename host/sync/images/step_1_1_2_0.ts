// Transforms across the 1.1 ↔ 2.0 step. Upgrades run on a 2.0 standby fed by a 1.1 active;
// downgrades on a 2.0 active feeding a 1.1 standby.

import { Command } from "../grammar";
import { Step, StepContext, Transform, emit, emitNote, line, refuse, renamed } from "../tft";
import { isV6 } from "../argtypes";
import { HEARTBEAT_DEFAULT_MS, HEARTBEAT_DEFAULT_MULT } from "./step_1_0_1_1";

export const SYSLOG_PORT = 514;
export const GASP_KEY_HEX_2_0 = 64; // 2.0 accepts 256-bit keys only

/** 2.0 holds both timers in one line: rebuilt from 1.1's two lines after the change. */
function mergeTimers(_cmd: Command, ctx: StepContext) {
  const ms = ctx.after.one("failover.heartbeat.interval")?.args.ms;
  const mult = ctx.after.one("failover.heartbeat.multiplier")?.args.mult;
  if (ms === undefined && mult === undefined) return emit(line(ctx, "failover.timers", {}, true));
  return emit(line(ctx, "failover.timers", { ms: ms ?? HEARTBEAT_DEFAULT_MS, mult: mult ?? HEARTBEAT_DEFAULT_MULT }));
}

/** A 2.0 command 1.1 cannot express: refused when set, nothing to remove on 1.1. */
function onlyIn20(id: string, policy: Transform["policy"], why: string): Transform {
  return { id, to: [], policy, fn: (cmd) => (cmd.negated ? emit() : refuse(why)) };
}

/** 1.1 keeps one gasp key; 2.0 a key ring plus the id it signs with. Going down, the 1.1
 * key is the ring's send key, rebuilt after any change to either. */
function sendKeyLine(ctx: StepContext) {
  const id = ctx.after.one("failover.gasp.send-key")?.args.id;
  const key = ctx.after.find("failover.gasp.key").find((k) => k.args.id === id);
  if (id === undefined || key === undefined) return line(ctx, "failover.gasp-key", {}, true);
  return line(ctx, "failover.gasp-key", { id, key: key.args.key });
}

const MAP_METHOD: Record<string, string> = { roundrobin: "round-robin", leastconns: "least-connections" };
const MAP_PREDICTOR: Record<string, string> = { "round-robin": "roundrobin", "least-connections": "leastconns" };

export const STEP_1_1_TO_2_0: Step = {
  from: "1.1",
  to: "2.0",
  transforms: [
    { id: "failover.heartbeat.interval", to: ["failover.timers"], policy: "out-of-sync", fn: mergeTimers },
    { id: "failover.heartbeat.multiplier", to: ["failover.timers"], policy: "out-of-sync", fn: mergeTimers },
    {
      id: "failover.gasp-key",
      to: ["failover.gasp.key", "failover.gasp.send-key"],
      policy: "reset-standby",
      fn(cmd, ctx) {
        const prev = ctx.before.one("failover.gasp-key");
        const dropPrev = prev && prev.args.id !== cmd.args.id ? [line(ctx, "failover.gasp.key", { id: prev.args.id }, true)] : [];
        if (cmd.negated) {
          if (!prev) return emit();
          return emit(line(ctx, "failover.gasp.key", { id: prev.args.id }, true), line(ctx, "failover.gasp.send-key", {}, true));
        }
        if (cmd.args.key.length !== GASP_KEY_HEX_2_0) {
          return refuse(`2.0 needs a 256-bit gasp key; key ${cmd.args.id} has ${cmd.args.key.length * 4} bits, so the standby could not authenticate a gasp`);
        }
        return emit(...dropPrev, line(ctx, "failover.gasp.key", cmd.args), line(ctx, "failover.gasp.send-key", { id: cmd.args.id }));
      },
    },
    renamed("vip", "failover.vip"),
    renamed("vip6", "failover.vip"),
    renamed("failover.peer", "failover.peer"),
    {
      id: "failover.preempt",
      to: ["failover.preempt"],
      policy: "out-of-sync",
      fn: (cmd, ctx) => emit(line(ctx, "failover.preempt", { s: 0 }, cmd.negated)),
    },
    renamed("slb.real", "slb.backend"),
    {
      id: "slb.predictor",
      to: ["slb.method"],
      policy: "out-of-sync",
      fn: (cmd, ctx) => emit(line(ctx, "slb.method", { farm: cmd.args.farm, method: MAP_METHOD[cmd.args.alg] }, cmd.negated)),
    },
    renamed("slb.virtual", "slb.virtual", { vs: "svc" }),
    renamed("slb.serverfarm", "slb.farm", { vs: "svc" }),
    {
      id: "logging.host",
      to: ["logging.host"],
      policy: "out-of-sync",
      fn: (cmd, ctx) => emit(line(ctx, "logging.host", { addr: cmd.args.addr, port: SYSLOG_PORT }, cmd.negated)),
    },
  ],
};

export const STEP_2_0_TO_1_1: Step = {
  from: "2.0",
  to: "1.1",
  transforms: [
    {
      id: "failover.timers",
      to: ["failover.heartbeat.interval", "failover.heartbeat.multiplier"],
      policy: "out-of-sync",
      fn(cmd, ctx) {
        if (!cmd.negated && Number(cmd.args.ms) < 50) {
          return refuse(`a ${cmd.args.ms} ms heartbeat is below 1.1's minimum of 50 ms: the standby would declare the active dead later than the active expects`);
        }
        return emit(
          line(ctx, "failover.heartbeat.interval", { ms: cmd.args.ms }, cmd.negated),
          line(ctx, "failover.heartbeat.multiplier", { mult: cmd.args.mult }, cmd.negated),
        );
      },
    },
    {
      id: "failover.gasp.key",
      to: ["failover.gasp-key"],
      policy: "reset-standby",
      fn(cmd, ctx) {
        if (ctx.after.one("failover.gasp.send-key")?.args.id === cmd.args.id) return emit(sendKeyLine(ctx));
        return emitNote(`key ${cmd.args.id} is not the send key; 1.1 holds only that one`);
      },
    },
    { id: "failover.gasp.send-key", to: ["failover.gasp-key"], policy: "reset-standby", fn: (_cmd, ctx) => emit(sendKeyLine(ctx)) },
    {
      id: "failover.vip",
      to: ["vip", "vip6"],
      policy: "out-of-sync",
      fn: (cmd, ctx) => emit(line(ctx, isV6(cmd.args.addr) ? "vip6" : "vip", cmd.args, cmd.negated)),
    },
    {
      id: "failover.peer",
      to: ["failover.peer"],
      policy: "reset-standby",
      fn(cmd, ctx) {
        if (!cmd.negated && isV6(cmd.args.addr)) return refuse("1.1 reaches its peer over IPv4 only: the standby could not hear the active's heartbeats");
        return emit(line(ctx, "failover.peer", cmd.args, cmd.negated));
      },
    },
    {
      id: "failover.preempt",
      to: ["failover.preempt"],
      policy: "out-of-sync",
      fn(cmd, ctx) {
        const out = line(ctx, "failover.preempt", {}, cmd.negated);
        if (!cmd.negated && cmd.args.s !== "0") return emitNote(`1.1 preempts at once: the ${cmd.args.s} s delay is not kept`, out);
        return emit(out);
      },
    },
    onlyIn20("failover.announce.refresh", "warn", "1.1 announces once at takeover, with no periodic refresh"),
    {
      id: "slb.backend",
      to: ["slb.real"],
      policy: "out-of-sync",
      fn(cmd, ctx) {
        if (isV6(cmd.args.addr)) return cmd.negated ? emit() : refuse("1.1 back ends are IPv4 only");
        return emit(line(ctx, "slb.real", cmd.args, cmd.negated));
      },
    },
    {
      id: "slb.method",
      to: ["slb.predictor"],
      policy: "warn",
      fn(cmd, ctx) {
        if (cmd.negated) return emit(line(ctx, "slb.predictor", { farm: cmd.args.farm }, true));
        const alg = MAP_PREDICTOR[cmd.args.method];
        if (!alg) return refuse(`1.1 has no ${cmd.args.method} method: after a takeover new connections would be spread round-robin`);
        return emit(line(ctx, "slb.predictor", { farm: cmd.args.farm, alg }));
      },
    },
    onlyIn20("slb.health-check", "warn", "1.1 probes back ends with its built-in TCP check only"),
    {
      id: "slb.virtual",
      to: ["slb.virtual"],
      policy: "reset-standby",
      fn(cmd, ctx) {
        if (!cmd.negated && isV6(cmd.args.addr)) return refuse("1.1 cannot serve an IPv6 virtual address: the service would go dark at takeover");
        return emit(line(ctx, "slb.virtual", { ...cmd.args, vs: cmd.args.svc }, cmd.negated));
      },
    },
    renamed("slb.farm", "slb.serverfarm", { svc: "vs" }),
    {
      id: "logging.host",
      to: ["logging.host"],
      policy: "warn",
      fn(cmd, ctx) {
        if (isV6(cmd.args.addr)) return cmd.negated ? emit() : refuse("1.1 logs to IPv4 hosts only");
        if (!cmd.negated && cmd.args.port !== String(SYSLOG_PORT)) return refuse(`1.1 logs to port ${SYSLOG_PORT} only`);
        return emit(line(ctx, "logging.host", { addr: cmd.args.addr }, cmd.negated));
      },
    },
  ],
};
