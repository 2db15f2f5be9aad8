// The dying unit's fault path on a real Linux interface, for the real-peer tests and bench/:
// run inside the unit's network namespace (ip netns exec NS node -r ts-node/register THIS
// CONFIG.json). At start it arms a fault core exactly as a unit does at boot (the gasp, then
// the dialects: host/dialect/unit.ts) on the virtual board, whose NIC model's wire side is an
// AF_PACKET socket on the interface. It prints "armed", then on each line "fire" on stdin
// runs the exception handler's call: the fault entry puts the frames in the fault ring, the
// NIC model transmits them, and each goes out on the interface as it leaves the model. It
// answers "fired N" (frames sent). "rearm I JSON" re-arms slot I (a BFD session's new
// discriminators) and answers "rearmed I".

import * as fs from "fs";
import * as readline from "readline";
import { ArmedUnit } from "../../host/dialect/unit";
import type { Dialect } from "../../host/dialect/dialect";
import { RawSocket } from "../../host/native/rawsock";
import { parseIPv4, parseIPv6, parseMac } from "../../host/util/addr";

export interface SenderConfig {
  iface: string;
  mac: string;
  /** Dialects with addresses as text (parsed here). */
  dialects: Record<string, unknown>[];
  cause?: number;
}

const addr = (s: string) => (s.includes(":") ? parseIPv6(s) : parseIPv4(s));

/** A dialect from JSON: address and MAC fields as text. */
export function dialectFromJson(j: Record<string, unknown>): Dialect {
  const d: Record<string, unknown> = { ...j };
  for (const k of ["src", "dst"]) if (typeof d[k] === "string") d[k] = addr(d[k] as string);
  if (Array.isArray(d.addrs)) d.addrs = (d.addrs as string[]).map(addr);
  for (const k of ["ownMac", "peerMac"]) if (typeof d[k] === "string") d[k] = parseMac(d[k] as string);
  if (typeof d.password === "string") d.password = new TextEncoder().encode(d.password as string);
  return d as unknown as Dialect;
}

function main(): void {
  const cfg = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as SenderConfig;
  const mac = parseMac(cfg.mac);
  const sock = RawSocket.open(cfg.iface);
  const unit = new ArmedUnit({
    chassis: 0x4c470001, unit: 1, key: new Uint8Array(32).fill(0x5a), keyId: 1, boot: 1, copies: 1,
    ports: [{ ownMac: mac, peerMac: parseMac("ff:ff:ff:ff:ff:ff"), encaps: ["raw"] }],
    dialects: cfg.dialects.map(dialectFromJson),
  });
  let sent = 0;
  unit.sink = (f) => {
    sock.send(f.frame);
    sent++;
  };
  const rl = readline.createInterface({ input: process.stdin });
  rl.on("line", (line) => {
    const [cmd, ...rest] = line.trim().split(" ");
    if (cmd === "fire") {
      sent = 0;
      const r = unit.fire(cfg.cause ?? 1);
      process.stdout.write(`fired ${sent} ${r.result}\n`);
    } else if (cmd === "rearm") {
      const i = Number(rest[0]);
      unit.dialects.rearm(unit.slots[i], dialectFromJson(JSON.parse(rest.slice(1).join(" "))));
      process.stdout.write(`rearmed ${i}\n`);
    } else if (cmd === "quit") {
      sock.close();
      process.exit(0);
    }
  });
  process.stdout.write("armed\n");
}

if (require.main === module) main();
