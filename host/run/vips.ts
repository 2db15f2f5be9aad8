// The VIPs on a linux port's interface: the unit that holds them also gives them to the
// control processor's kernel, so that ordinary programs there (a service bound to the VIP,
// ping) answer on them — keepalived's virtual_ipaddress. IPv4 as /32, IPv6 as /128 without
// duplicate address detection (the announcer has already claimed the address). Added after
// the takeover's first announcements left; removed when the unit gives the VIPs up (fenced,
// demoted, stopped) and, at start, whatever a previous run left behind (a crash cannot
// remove them; the crash path's carrier drop takes the interface down instead).
//
// Through iproute2's `ip` (a child process, milliseconds): never on the takeover's critical
// path, which is the core-built GARP / NA.

import { execFile, spawnSync } from "child_process";
import type { Board } from "../board/board";

export interface IfaceVip {
  iface: string;
  /** "192.0.2.1/32", "2001:db8::1/128". */
  prefix: string;
}

/** The board's VIPs on linux ports, as interface addresses. */
export function ifaceVips(board: Board): IfaceVip[] {
  const out: IfaceVip[] = [];
  for (const v of board.vips) {
    const port = board.ports.find((p) => p.name === v.port);
    if (!port || port.device.kind !== "linux") continue;
    if (v.ipv4) out.push({ iface: port.device.interface, prefix: `${v.ipv4}/32` });
    if (v.ipv6) out.push({ iface: port.device.interface, prefix: `${v.ipv6}/128` });
  }
  return out;
}

function args(op: "replace" | "del", v: IfaceVip): string[] {
  const six = v.prefix.includes(":");
  return [...(six ? ["-6"] : []), "addr", op, v.prefix, "dev", v.iface, ...(op === "replace" && six ? ["nodad"] : [])];
}

/** Adds the VIPs in the background; done(errors) when every `ip` has finished. */
export function addVips(vips: IfaceVip[], done: (errors: string[]) => void): void {
  let left = vips.length;
  const errors: string[] = [];
  if (!left) return done(errors);
  for (const v of vips) {
    execFile("ip", args("replace", v), { timeout: 5000 }, (e, _out, err) => {
      if (e) errors.push(`${v.prefix} on ${v.iface}: ${(err || e.message).trim()}`);
      if (--left === 0) done(errors);
    });
  }
}

/** Removes the VIPs now (a stop must not return before they are gone); returns the ones removed. */
export function removeVips(vips: IfaceVip[]): string[] {
  const removed: string[] = [];
  for (const v of vips) {
    const r = spawnSync("ip", args("del", v), { encoding: "utf8", timeout: 5000 });
    if (r.status === 0) removed.push(v.prefix);
  }
  return removed;
}
