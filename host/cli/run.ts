// `lastgasp run --board B`: one unit of an HA pair on its board's real ports, until stopped
// (docs/running-a-pair.md). Everything heavy is loaded inside run().

import { Command, InputError, Parsed, optionalInt, optionalString, requireString } from "./command";
import { chassisId, keyFromArgs, KEY_OPTIONS, KEY_HELP } from "./frame-sources";
import { loadBoardInput, requireRealPorts, openAsInput } from "./real-board";

export const command: Command = {
  usage: "run --board BOARD.json --key-file FILE [--peer PEER.json] [--priority N] [--hello-ms N] [--state-dir DIR] [--socket PATH] [--watchdog-ms N] [--image VERSION [--config FILE]] [--allow-test-deaths] [--json]",
  details: `runs one unit on its board's real ports (pci or linux; root) until SIGTERM or SIGINT:
brings the board up, arms the gasp, the dialects and the crash path, sends HELLOs and runs
the role machine with the peer, takes over the VIPs on the peer's gasp (at once) or when its
HELLOs stop (3 intervals and a skew), and answers \`lastgasp status\` on its control socket.
SIGTERM / SIGINT: a planned stop — no gasp; an active unit resigns (the peer takes over at
once) and removes its VIPs from the interface. A restart rejoins as standby.

options:
  --board FILE     the unit's board file
  --peer FILE      the peer unit's board file: gasps and HELLOs go to its ports
${KEY_HELP.map((l) => `  ${l}`).join("\n")}
  --priority N     1..255 (default 100): when neither unit holds the VIPs, the one that
                   held them last (higher epoch) takes them, then the higher priority
  --hello-ms N     HELLO interval, 10..10000 ms (default 1000, keepalived's advert_int 1)
  --state-dir DIR  boot counter, epoch, replay table (default /var/lib/lastgasp/BOARD-ID)
  --socket PATH    the control socket (default /run/lastgasp/BOARD-ID.sock, mode 0660)
  --watchdog-ms N  a hang is N ms without a kick (default 1000; 0: none)
  --image VERSION  config sync with the peer (needs --peer): this unit's image version
                   (1.0, 1.1, 2.0 — the units may differ, as lastgasp sync-check plans it)
  --config FILE    the configuration this unit syncs to the peer when active (the image's syntax)
  --allow-test-deaths  the control socket accepts "die HOW" (fire drills, tests)
  --json           log lines as JSON

exit status: 0 stopped by SIGTERM or SIGINT; 1 the unit could not start (a ring that does not
come up, a service that fails); 2 bad input (arguments, the board file, not root, no such
interface or device, the key file).`,
  options: {
    board: { type: "string" },
    peer: { type: "string" },
    ...KEY_OPTIONS,
    priority: { type: "string" },
    "hello-ms": { type: "string" },
    "state-dir": { type: "string" },
    socket: { type: "string" },
    image: { type: "string" },
    config: { type: "string" },
    "allow-test-deaths": { type: "boolean" },
    "watchdog-ms": { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 0, max: 0 },
  async run(args: Parsed): Promise<number> {
    const file = requireString(args, "board");
    const peerFile = optionalString(args, "peer");
    const priority = optionalInt(args, "priority", 1, 255) ?? 100;
    const watchdogMs = optionalInt(args, "watchdog-ms", 0, 600_000) ?? 1000;
    const helloMs = optionalInt(args, "hello-ms", 10, 10_000) ?? 1000;
    const keyId = optionalInt(args, "key-id", 0, 255) ?? 1;
    const chassis = chassisId(args);

    const { openNativeBoard, checkNativeBoard } = require("../board/native") as typeof import("../board/native");
    const { nextBootCounter } = require("../gasp/persist") as typeof import("../gasp/persist");
    const { RunUnit } = require("../run/unit") as typeof import("../run/unit");
    const { runLog } = require("../run/log") as typeof import("../run/log");
    const { SERVICE_FACTORIES } = require("../run/services") as typeof import("../run/services");
    const { ControlServer, defaultSocket } = require("../run/control") as typeof import("../run/control");
    const fs = require("fs") as typeof import("fs");
    const path = require("path") as typeof import("path");

    const board = loadBoardInput(file);
    const peer = peerFile !== undefined ? loadBoardInput(peerFile) : undefined;
    requireRealPorts(file, board, "a unit runs on real ports (kind pci or linux); a virtual board's pair is `lastgasp demo`'s");
    const open = <T>(f: () => T): T => openAsInput(file, f);
    for (const f of SERVICE_FACTORIES) f.check?.(board);
    open(() => checkNativeBoard(board));
    const sync = syncSettings(args, peer !== undefined);
    const key = keyFromArgs(args);
    const stateDir = optionalString(args, "state-dir") ?? path.join("/var/lib/lastgasp", board.id);
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const boot = nextBootCounter(path.join(stateDir, "boot"));
    const log = runLog(board.id, args.values.json === true);
    const services = SERVICE_FACTORIES.map((f) => f.create(board)).filter((s) => s !== null);
    // keepalived's timers: advert_int, 3 missed, a skew of (256 - priority) / 256 intervals.
    const intervalNs = helloMs * 1e6;
    const heartbeat = { intervalNs, multiplier: 3, skewNs: Math.floor(((256 - priority) * intervalNs) / 256), probe: "hello" as const };
    const rt = open(() => openNativeBoard(board));
    const unit = new RunUnit(rt, { board, peer, key, keyId, chassis, priority, heartbeat, watchdogMs, stateDir, sync }, log, services);
    let control: import("../run/control").ControlServer | null = null;
    try {
      unit.start(boot);
      control = await ControlServer.listen(optionalString(args, "socket") ?? defaultSocket(board.id), {
        status: () => unit.status(),
        die: args.values["allow-test-deaths"] === true ? (how) => unit.die(how) : null,
      });
    } catch (e) {
      key.fill(0);
      unit.stop("start failed");
      rt.close();
      console.error(`lastgasp run: ${(e as Error).message}`);
      return 1;
    }
    log("unit.start", { boot, ports: board.ports.map((p) => p.name).join(","), priority, helloMs, socket: control.path, pid: process.pid });
    const onSignal = (sig: string) => unit.stop(sig);
    process.once("SIGTERM", () => onSignal("SIGTERM"));
    process.once("SIGINT", () => onSignal("SIGINT"));
    try {
      await unit.run();
    } catch (e) {
      unit.stop("error");
      control.close();
      rt.close();
      console.error(`lastgasp run: ${(e as Error).message}`);
      return 1;
    }
    control.close();
    rt.close();
    return 0;
  },
};

/** --image / --config: the registry's image and the configuration parsed, or bad input. */
function syncSettings(args: Parsed, hasPeer: boolean): import("../run/sync").SyncSettings | undefined {
  const version = optionalString(args, "image");
  const file = optionalString(args, "config");
  if (version === undefined) {
    if (file !== undefined) throw new InputError("--config: needs --image (the configuration's image version)");
    return undefined;
  }
  if (!hasPeer) throw new InputError("--image: config sync needs --peer (the peer's board file: its address)");
  const { shipped } = require("../sync/images") as typeof import("../sync/images");
  const { readActiveConfig, ConfigInputError } = require("../sync/plan") as typeof import("../sync/plan");
  const registry = shipped();
  const known = registry.images.map((i) => i.version);
  if (!known.includes(version)) throw new InputError(`--image: "${version}" is not one of ${known.join(", ")}`);
  if (file === undefined) return { registry, version };
  const fs = require("fs") as typeof import("fs");
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new InputError(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}`);
  }
  try {
    readActiveConfig(registry.pair(version, version), file, text);
  } catch (e) {
    if (e instanceof ConfigInputError) throw new InputError(e.message.split("\n")[0]);
    throw e;
  }
  return { registry, version, config: { file, text } };
}
