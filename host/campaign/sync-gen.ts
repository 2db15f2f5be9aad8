// Random configuration commands for property tests, generated from an image's grammar (its
// typed patterns), with small value pools so that commands collide on slots (replacements,
// removals) and edge values (range ends) show up often. Only documentation addresses.

import { Rng } from "../util/rng";
import { CommandSpec, Grammar } from "../sync/grammar";
import { RunningConfig } from "../sync/config";

const V4 = ["192.0.2.1", "192.0.2.2", "192.0.2.80", "198.51.100.21", "198.51.100.22", "203.0.113.10", "203.0.113.11"];
const V6 = ["2001:db8::1", "2001:db8::2", "2001:db8:0:1::10", "2001:db8:0:2::21"];
const NET4 = ["0.0.0.0/0", "192.0.2.0/24", "198.51.100.0/25", "203.0.113.10/32", "203.0.113.0/24"];
const NET6 = ["::/0", "2001:db8::/32", "2001:db8:0:1::/64", "2001:db8:0:1::10/128"];
const NAMES = ["WEB", "DNS", "OUTSIDE-IN", "B"];
const IFS = ["eth0", "eth1", "eth2", "bond0", "eth1.100"];
const HOSTS = ["lb-a.example", "lb-b", "edge1.example.net"];
const WORDS = ["uplink", "to", "core", "rack", "7", "spare", "servers"];

function hex(rng: Rng, digits: number): string {
  return Array.from({ length: digits }, () => "0123456789abcdef"[rng.int(16)]).join("");
}

/** A canonical-or-not value for one typed argument (keys from smaller pools). */
export function randomArg(rng: Rng, typeSpec: string, inKey: boolean): string {
  let m = /^int\((\d+)\.\.(\d+)\)$/.exec(typeSpec);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    if (inKey) return String(lo + rng.int(Math.min(4, hi - lo + 1)));
    const r = rng.int(10);
    if (r === 0) return String(lo);
    if (r === 1) return String(hi);
    if (r < 4) return String(lo + rng.int(Math.min(60, hi - lo + 1)));
    return String(lo + rng.int(hi - lo + 1));
  }
  m = /^hex\((\d+)\.\.(\d+)\)$/.exec(typeSpec);
  if (m) {
    const lo = Number(m[1]);
    const hi = Number(m[2]);
    return hex(rng, rng.bool(0.7) ? hi : lo);
  }
  m = /^enum\((.*)\)$/.exec(typeSpec);
  if (m) return rng.pick(m[1].split("|"));
  switch (typeSpec) {
    case "ipv4":
      return rng.pick(V4);
    case "ipv6":
      return rng.pick(V6);
    case "ipaddr":
      return rng.bool(0.75) ? rng.pick(V4) : rng.pick(V6);
    case "if4":
      return `${rng.pick(V4)}/${rng.pick([24, 25, 30])}`;
    case "if6":
      return `${rng.pick(V6)}/64`;
    case "net4":
      return rng.pick(NET4);
    case "net6":
      return rng.pick(NET6);
    case "mac":
      return `02:00:00:00:${hex(rng, 2)}:${hex(rng, 2)}`;
    case "name":
      return rng.pick(NAMES);
    case "hostname":
      return rng.pick(HOSTS);
    case "ifname":
      return rng.pick(IFS);
    case "text":
      return Array.from({ length: 1 + rng.int(4) }, () => rng.pick(WORDS)).join(" ");
  }
  throw new Error(`generator: no values for type ${typeSpec}`);
}

export function randomSetLine(rng: Rng, spec: CommandSpec): string {
  return spec.tokens
    .map((t, i) => (t.kind === "kw" ? t.word : randomArg(rng, t.type.spec, i < spec.keyLen)))
    .join(" ");
}

/** One operator command for `config`'s image: mostly sets (replacing or adding), some
 * removals of what is configured, a few removals of what is not. */
export function randomCommand(rng: Rng, g: Grammar, config: RunningConfig): string {
  const r = rng.float();
  const present = config.commands();
  if (r < 0.22 && present.length) {
    const c = rng.pick(present);
    return rng.bool(0.5) ? `no ${c.text}` : `no ${c.slot}`;
  }
  if (r < 0.26) {
    const spec = rng.pick(g.specs);
    return spec.render(keyArgs(rng, spec), true);
  }
  return randomSetLine(rng, rng.pick(g.specs));
}

function keyArgs(rng: Rng, spec: CommandSpec): Record<string, string> {
  const args: Record<string, string> = {};
  spec.tokens.slice(0, spec.keyLen).forEach((t) => {
    if (t.kind === "arg") args[t.name] = randomArg(rng, t.type.spec, true);
  });
  return args;
}

/** A random configuration of n commands (applied in order: later ones replace). */
export function randomConfig(rng: Rng, g: Grammar, n: number): RunningConfig {
  const c = new RunningConfig(g);
  for (let i = 0; i < n; i++) {
    const p = g.parse(randomSetLine(rng, rng.pick(g.specs)));
    if (!p.ok) throw new Error(`generator made a bad line: ${p.error}`);
    c.apply(p.cmd);
  }
  return c;
}
