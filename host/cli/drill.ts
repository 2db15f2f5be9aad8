// `lastgasp drill --board B --key-file K --death HOW`: a fire drill on real ports. The unit
// arms its gasp and the native crash path (host/board/crash.ts) exactly as a running unit
// does, brings its OS-side rings up, then dies the way asked; the gasp should reach the
// peer (watch it with `lastgasp verify-gasp` on a capture there). What kdump's sysrq crash
// is to a kernel: the way to prove, on the real deployment, that a death is announced.

import * as fs from "fs";
import { Command, InputError, Parsed, optionalInt, optionalString, requireString } from "./command";
import { chassisId, keyFromArgs, KEY_OPTIONS, KEY_HELP } from "./frame-sources";
import { loadBoardInput, requireRealPorts, openAsInput } from "./real-board";
import { statusName } from "../core/status";
import { STEP_DONE } from "../../assembly/shared/regop";

const DEATHS: Record<string, string> = {
  "null-store": "a store through a NULL pointer in native code (SIGSEGV)",
  abort: "abort() (SIGABRT)",
  heap: "V8's fatal heap exhaustion (then abort: SIGABRT); give node a small heap, e.g. NODE_OPTIONS=--max-old-space-size=64",
  hang: "the JavaScript thread spins for good: the watchdog fires (SIGABRT on that thread)",
  sigkill: "SIGKILL: nothing can run, nothing is sent (the peer's heartbeat decides)",
};

export const command: Command = {
  usage: "drill --board BOARD.json --key-file FILE --death HOW [--peer PEER.json] [--boot N] [--chassis ID] [--key-id N] [--watchdog-ms N] [--cold] [--wait] [--json]",
  details: `arms the board's gasp and crash path as a running unit does, brings its rings up, then
dies the way asked (the board's ports must be pci or linux; root):
${Object.entries(DEATHS).map(([k, v]) => `  ${k.padEnd(10)} ${v}`).join("\n")}

options:
  --board FILE     the unit's board file
  --death HOW      how to die (above)
  --peer FILE      the peer unit's board file: the gasp goes to its ports (raw, and UDP where
                   both ends have an IPv4 address); without it, raw to the broadcast MAC
${KEY_HELP.map((l) => `  ${l}`).join("\n")}
  --boot N         boot counter, 1..4294967295 (default 1): receivers refuse a lower one
  --watchdog-ms N  a hang is N ms without a kick (default 1000; 0: no watchdog)
  --cold           do not rehearse the crash path at arm time (its first run is then cold)
  --wait           armed, print the armed line and wait for a line on standard input (or its
                   end) before dying: to time the death against other events, e.g. a script
                   that stops the unit's VRRP and BFD daemons first, as the crash of a whole
                   appliance does
  --json           the armed line as JSON

Before dying it prints one line: what was armed, the rehearsal (the whole path run once on a
copy of the memory, nothing sent: result, register rounds, microseconds), and the wall-clock
time of death in microseconds (dyingAtUs), which a capture's timestamps can be compared with.

exit status: 0 never — the process dies by the signal of its death (SIGSEGV, SIGABRT,
SIGKILL), as a crash would; 1 when arming failed or the rehearsal says no port would send (no link); 2 bad
input (arguments, the board file, not root, no such interface or device).

examples:
  sudo lastgasp drill --board unit-a.json --peer unit-b.json --key-file chassis.key --death null-store
  sudo lastgasp drill --board unit-a.json --key-file chassis.key --death hang --watchdog-ms 500`,
  options: {
    board: { type: "string" },
    peer: { type: "string" },
    death: { type: "string" },
    ...KEY_OPTIONS,
    boot: { type: "string" },
    "watchdog-ms": { type: "string" },
    cold: { type: "boolean" },
    wait: { type: "boolean" },
    json: { type: "boolean" },
  },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number | Promise<number> {
    const file = requireString(args, "board");
    const death = requireString(args, "death");
    if (!(death in DEATHS)) throw new InputError(`--death: "${death}" is not one of ${Object.keys(DEATHS).join(", ")}`);
    const boot = optionalInt(args, "boot", 1, 0xffffffff) ?? 1;
    const watchdogMs = optionalInt(args, "watchdog-ms", 0, 600_000) ?? 1000;
    if (death === "hang" && watchdogMs === 0) throw new InputError("--watchdog-ms: 0 disables the watchdog, which is what catches a hang");
    const keyId = optionalInt(args, "key-id", 0, 255) ?? 1;
    const chassis = chassisId(args);
    const peerFile = optionalString(args, "peer");

    // Heavy modules only now: --help and bad arguments load none of them.
    const { openNativeBoard, checkNativeBoard } = require("../board/native") as typeof import("../board/native");
    const { armCrashPath, die } = require("../board/crash") as typeof import("../board/crash");
    const board = loadBoardInput(file);
    const peer = peerFile !== undefined ? loadBoardInput(peerFile) : undefined;
    requireRealPorts(file, board, "a drill needs real ports (kind pci or linux); a virtual board's crashes are `lastgasp demo`'s");
    const open = <T>(f: () => T): T => openAsInput(file, f);
    open(() => checkNativeBoard(board)); // root, interfaces, devices: before the key is read
    const key = keyFromArgs(args);
    const rt = open(() => openNativeBoard(board));
    // A running unit: the OS side's rings are up when it dies.
    board.ports.forEach((_, i) => {
      rt.osRings.must("nic_tx_init", i);
      rt.osRings.must("nic_rx_init", i);
    });
    const armed = armCrashPath(rt, { key, keyId, chassis, boot, peer, watchdogMs, rehearse: !args.values.cold });
    const r = armed.report.rehearsal;
    if (r && r.result !== STEP_DONE) {
      armed.disarm();
      rt.close();
      console.error(`lastgasp drill: the rehearsal says the gasp would not leave: ${statusName(r.result)} (fault_fire ${r.fire}, ${r.rounds} rounds)`);
      return 1;
    }
    const ports = board.ports.map((p) => `${p.name}:${p.device.kind === "linux" ? p.device.interface : p.device.kind === "pci" ? p.device.address : "sim"}`);
    const text = `armed ${board.id} (${ports.join(", ")}), ${armed.frames} frame(s) per gasp, watchdog ${watchdogMs ? `${watchdogMs} ms` : "off"}; ` +
      (r ? `rehearsal: ${statusName(r.result)} in ${r.us} us (${r.rounds} rounds, ${r.regops} register operations)` : "not rehearsed (--cold)");
    // Node creates process.stderr on first use (milliseconds of module loading): not after
    // the time of death is read. The last line goes out with one write(2), then the death.
    void process.stderr.writable;
    const line = { board: board.id, death, boot, ports, frames: armed.frames, watchdogMs, v8TrapHandler: armed.report.v8TrapHandler, rehearsal: r, armUs: armed.report.us };
    const dieNow = () => {
      const dyingAtUs = rt.addon.wallUs();
      fs.writeSync(1, `${args.values.json ? JSON.stringify({ ...line, dyingAtUs }) : `${text}; dying by ${death} at ${dyingAtUs} us`}\n`);
      // The last kick: the time since arming (a rehearsal, the line above) is not a hang.
      rt.addon.crashKick();
      die(death, rt.addon);
    };
    if (!args.values.wait) {
      dieNow();
      return 1; // not reached
    }
    // Armed and alive: the watchdog's kicks go on while the event loop waits for the word.
    fs.writeSync(1, `${args.values.json ? JSON.stringify({ ...line, waiting: true }) : `${text}; waiting for a line on standard input`}\n`);
    return new Promise<number>(() => {
      process.stdin.once("data", dieNow);
      process.stdin.once("end", dieNow);
    });
  },
};
