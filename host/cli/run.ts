// `lastgasp run --board B`: one unit of an HA pair on its board's real ports, until stopped
// (docs/running-a-pair.md). Everything heavy is loaded inside run().

import { Command, InputError, Parsed, optionalInt, optionalString, requireString } from "./command";
import { chassisId, keyFromArgs, KEY_OPTIONS, KEY_HELP } from "./frame-sources";

export const command: Command = {
  usage: "run --board BOARD.json --key-file FILE [--peer PEER.json] [--priority N] [--state-dir DIR] [--watchdog-ms N] [--json]",
  details: `runs one unit on its board's real ports (pci or linux; root) until SIGTERM or SIGINT:
brings the board up, arms the gasp, the dialects and the crash path, and starts the board's
services.

options:
  --board FILE     the unit's board file
  --peer FILE      the peer unit's board file: gasps and HELLOs go to its ports
${KEY_HELP.map((l) => `  ${l}`).join("\n")}
  --priority N     1..255 (default 100)
  --state-dir DIR  where the boot counter lives (default /var/lib/lastgasp/BOARD-ID)
  --watchdog-ms N  a hang is N ms without a kick (default 1000; 0: none)
  --json           log lines as JSON

exit status: 0 stopped by SIGTERM or SIGINT; 1 the unit could not start (a ring that does not
come up, a service that fails); 2 bad input (arguments, the board file, not root, no such
interface or device, the key file).`,
  options: {
    board: { type: "string" },
    peer: { type: "string" },
    ...KEY_OPTIONS,
    priority: { type: "string" },
    "state-dir": { type: "string" },
    "watchdog-ms": { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 0, max: 0 },
  async run(args: Parsed): Promise<number> {
    const file = requireString(args, "board");
    const peerFile = optionalString(args, "peer");
    const priority = optionalInt(args, "priority", 1, 255) ?? 100;
    const watchdogMs = optionalInt(args, "watchdog-ms", 0, 600_000) ?? 1000;
    const keyId = optionalInt(args, "key-id", 0, 255) ?? 1;
    const chassis = chassisId(args);

    const { loadBoard } = require("../board/load") as typeof import("../board/load");
    const { BoardError } = require("../board/board") as typeof import("../board/board");
    const { BoardOpenError } = require("../board/runtime") as typeof import("../board/runtime");
    const { openNativeBoard, checkNativeBoard } = require("../board/native") as typeof import("../board/native");
    const { nextBootCounter } = require("../gasp/persist") as typeof import("../gasp/persist");
    const { RunUnit } = require("../run/unit") as typeof import("../run/unit");
    const { runLog } = require("../run/log") as typeof import("../run/log");
    const { SERVICE_FACTORIES } = require("../run/services") as typeof import("../run/services");
    const { heartbeatPreset } = require("../ha/heartbeat") as typeof import("../ha/heartbeat");
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");

    const load = (f: string) => {
      try {
        return loadBoard(f);
      } catch (e) {
        if (e instanceof BoardError) throw new InputError(e.first, e.problems.map((p) => ({ file: f, ...p })));
        throw e;
      }
    };
    const board = load(file);
    const peer = peerFile !== undefined ? load(peerFile) : undefined;
    const sim = board.ports.filter((p) => p.device.kind === "sim").map((p) => p.name);
    if (sim.length) throw new InputError(`${file}: ${sim.join(", ")}: a unit runs on real ports (kind pci or linux); a virtual board's pair is \`lastgasp demo\`'s`);
    const open = <T>(f: () => T): T => {
      try {
        return f();
      } catch (e) {
        if (e instanceof BoardOpenError) throw new InputError(e.problems[0].message, e.problems.map((p) => ({ file, ...p })));
        throw e;
      }
    };
    for (const f of SERVICE_FACTORIES) f.check?.(board);
    open(() => checkNativeBoard(board));
    const key = keyFromArgs(args);
    const stateDir = optionalString(args, "state-dir") ?? path.join("/var/lib/lastgasp", board.id);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const boot = nextBootCounter(path.join(stateDir, "boot"));
    const log = runLog(board.id, args.values.json === true);
    const services = SERVICE_FACTORIES.map((f) => f.create(board)).filter((s) => s !== null);
    const rt = open(() => openNativeBoard(board));
    const unit = new RunUnit(rt, { board, peer, key, keyId, chassis, priority, heartbeat: heartbeatPreset("keepalived", priority), watchdogMs, stateDir }, log, services);
    key.fill(0);
    try {
      unit.start(boot);
    } catch (e) {
      unit.stop("start failed");
      rt.close();
      console.error(`lastgasp run: ${(e as Error).message}`);
      return 1;
    }
    log("unit.start", { boot, ports: board.ports.map((p) => p.name).join(","), priority });
    const onSignal = (sig: string) => unit.stop(sig);
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
    await unit.run();
    rt.close();
    return 0;
  },
};
