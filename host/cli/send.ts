// `lastgasp send`: put announcement frames (built by the core) on an existing Linux interface
// through an AF_PACKET raw socket — the real Linux peer of the simulation. Frames come from
// frame sources (frame-sources.ts), one per kind.

import * as fs from "fs";
import { Command, InputError, Options, Parsed, UsageError, optionalInt, requireString } from "./command";
import { FRAME_SOURCES, SOURCE_OPTIONS, checkSourceOptions, frameSource } from "./frame-sources";
import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { formatMac, hexdump, parseMac, toHex } from "../util/addr";
import { AddonMissingError, RawSocket, RawSocketAddon, loadRawSocket } from "../native/rawsock";

const COMMON: Options = {
  iface: { type: "string" },
  vlan: { type: "string" },
  count: { type: "string" },
  "interval-ms": { type: "string" },
  "dry-run": { type: "boolean" },
  json: { type: "boolean" },
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Interface names as Linux accepts them (dev_valid_name): 1..15 bytes, no '/', ':' or space. */
function checkIface(name: string): string {
  if (name.length > 15 || /[/:\s]/.test(name) || name === "." || name === "..") throw new UsageError(`--iface: "${name}" is not a valid interface name`);
  return name;
}

export const command: Command = {
  usage: `send <${FRAME_SOURCES.map((s) => s.kind).join("|")}> --iface IFNAME --ip ADDR [--mac MAC] [--vlan ID] [--count N] [--interval-ms MS] [--dry-run] [--json]`,
  details: `frame kinds:
${FRAME_SOURCES.map((s) => `  ${s.kind.padEnd(10)}  ${s.summary}`).join("\n")}

options:
  --iface IFNAME   the interface to send on (must exist; sending needs root / CAP_NET_RAW)
${[...new Set(FRAME_SOURCES.flatMap((s) => s.optionHelp))].map((l) => `  ${l}`).join("\n")}
  --vlan ID        add an 802.1Q tag with this VLAN ID (0..4094)
  --count N        copies to send (1..1000, default 1)
  --interval-ms MS gap between copies (0..60000, default 1000)
  --dry-run        build and print the frames, send nothing (no root, no addon needed)
  --json           print one JSON line instead of text

exit status: 0 sent (or built); 1 the frames could not be sent (no permission, the addon
not built); 2 bad input (an option, an interface that does not exist).

example:
  sudo lastgasp send garp --iface veth0 --ip 203.0.113.9 --mac 02:00:00:aa:bb:cc --count 3 --interval-ms 200`,
  options: { ...COMMON, ...SOURCE_OPTIONS },
  positionals: { min: 1, max: 1 },
  async run(args: Parsed): Promise<number> {
    const source = frameSource(args.positionals[0]);
    checkSourceOptions(source, args);
    const iface = checkIface(requireString(args, "iface"));
    const vlan = optionalInt(args, "vlan", 0, 4094, "a VLAN ID");
    const count = optionalInt(args, "count", 1, 1000) ?? 1;
    const intervalMs = optionalInt(args, "interval-ms", 0, 60000) ?? 1000;
    const dryRun = args.values["dry-run"] === true;
    let addon: RawSocketAddon | null = null;
    const needAddon = () => {
      if (!addon) addon = loadRawSocket();
      return addon;
    };
    // The interface's MAC from sysfs (Linux), so a dry run needs neither root nor the addon.
    const ifaceMac = () => {
      const sys = `/sys/class/net/${iface}`;
      if (fs.existsSync("/sys/class/net")) {
        if (!fs.existsSync(sys)) throw new UsageError(`--iface: ${iface}: no such interface`);
        try {
          return parseMac(fs.readFileSync(`${sys}/address`, "utf8").trim());
        } catch {
          throw new InputError(`--iface: ${iface}: has no Ethernet address (give --mac)`);
        }
      }
      try {
        return new Uint8Array(needAddon().hwaddr(iface));
      } catch (e) {
        if ((e as { code?: string }).code === "ENODEV") throw new UsageError(`--iface: ${iface}: no such interface`);
        throw e;
      }
    };
    if (fs.existsSync("/sys/class/net") && !fs.existsSync(`/sys/class/net/${iface}`)) throw new UsageError(`--iface: ${iface}: no such interface`);
    const codec = new WireCodec(Core.load());
    const build = source.prepare(args, { codec, ifaceMac, vlanTci: vlan });
    // One copy may be several frames (gasp --dialect): they go back to back, copies interval-ms apart.
    const groups = Array.from({ length: count }, (_, i) => [build(i)].flat());
    const frames = groups.flat();

    let sock: RawSocket | null = null;
    if (!dryRun) {
      try {
        sock = RawSocket.open(iface, needAddon());
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === "ENODEV") throw new UsageError(`--iface: ${iface}: no such interface`);
        if (code === "EPERM" || code === "EACCES") {
          console.error(`lastgasp send: ${(e as Error).message} (raw sockets need root or CAP_NET_RAW)`);
          return 1;
        }
        if (e instanceof AddonMissingError) {
          console.error(`lastgasp send: ${e.message}`);
          return 1;
        }
        throw e;
      }
    }
    try {
      for (let i = 0; i < groups.length; i++) {
        if (i > 0 && intervalMs > 0) await sleep(intervalMs);
        for (const f of groups[i]) sock?.send(f);
      }
    } finally {
      sock?.close();
    }
    const verb = dryRun ? "built" : "sent";
    if (args.values.json) {
      console.log(JSON.stringify({ kind: source.kind, iface, count, intervalMs, sent: dryRun ? 0 : frames.length, length: frames[0].length, hex: toHex(frames[0]), frames: frames.length > count ? frames.map(toHex) : undefined }));
    } else {
      const what = frames.length > count ? `${frames.length} frames (${count} × ${source.kind} and its dialects, back to back)` : `${count} × ${source.kind} (${frames[0].length} bytes)`;
      console.log(`${verb} ${what} on ${iface}${count > 1 ? `, ${intervalMs} ms apart` : ""}; source MAC ${formatMac(frames[0].subarray(6, 12))}`);
      if (dryRun) for (const f of frames.length > count ? frames : [frames[0]]) console.log(hexdump(f));
    }
    return 0;
  },
};
