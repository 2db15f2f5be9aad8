// A unit's process armed on a real board, then killed on purpose (test/qemu-pci.test.ts,
// bench/qemu-pci.bench.ts): the board opened (runtime.ts, any kind), the gasp armed in the
// fault core as a unit arms it at boot (the chassis key, a boot counter persisted before use,
// every port), the fault entry planned, the native crash path armed over the fault core's
// memory — then the process dies one of the ways a host process dies:
//
//   null-store  a store through a NULL pointer in native code (SIGSEGV)
//   abort       process.abort() (SIGABRT)
//   oom         V8's fatal "JavaScript heap out of memory" (run with --max-old-space-size)
//   sigkill     the process kills itself with SIGKILL: nothing can run, nothing is sent
//
// It prints "LG {json}" records on stdout (synchronous on a pipe): "armed" (what the arm did,
// and the calibration below), then "die" with the realtime clock just before the death.
//
// Calibration (--calibrate): one frame (EtherType 0x88B6, "lastgasp-cal") sent through the OS
// core's TX ring before arming, with the realtime clock read just before and after the one
// native call that writes its TDT. QEMU's e1000 transmits inside that TDT write and its
// filter-dump stamps the frame then, so the capture's clock can be mapped onto the guest's:
// crash -> gasp on the wire = (gasp's stamp - calibration frame's stamp) - (die - calibration).
//
// usage: node armed-unit.js BOARD.json KEY_FILE HOW [--boot-file F] [--cold] [--calibrate]
//                           [--peer-ip A] [--copies N]

import { performance } from "perf_hooks";
import { loadBoard } from "../../host/board/load";
import { openBoard } from "../../host/board/runtime";
import type { NativeRuntime } from "../../host/board/native";
import { GaspSender } from "../../host/gasp/gasp";
import { nextBootCounter } from "../../host/gasp/persist";
import { readKeyFile } from "../../host/gasp/key";
import { FaultEntry } from "../../host/fault/fault";
import { Core } from "../../host/core/core";
import { CoreRings } from "../../host/nic/rings";
import { parseIPv4, parseMac } from "../../host/util/addr";
import { DEFAULT_GASP_CHASSIS } from "../../host/cli/frame-sources";
import { FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";
import * as G from "../../assembly/shared/gasp";
import type { Encap } from "../../host/gasp/repr";

export const CALIBRATION_ETHERTYPE = 0x88b6;
export const CALIBRATION_TEXT = "lastgasp-cal";
/** The crash path's excerpt: the frame slot the fault entry's wrapper uses for it. */
const EXCERPT = Core.frame(14);

const rec = (o: object) => process.stdout.write(`LG ${JSON.stringify(o)}\n`);
/** Realtime in microseconds with sub-millisecond resolution. */
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function calibrate(rt: NativeRuntime): { calA: number; calB: number } {
  const mac = rt.board.ports[0].macBytes;
  const f = new Uint8Array(60);
  f.fill(0xff, 0, 6);
  f.set(mac, 6);
  f[12] = CALIBRATION_ETHERTYPE >> 8;
  f[13] = CALIBRATION_ETHERTYPE & 0xff;
  f.set(new TextEncoder().encode(CALIBRATION_TEXT), 14);
  rt.osRings.must("nic_tx_init", 0);
  if (rt.osRings.enqueue(0, [f]) !== 1) throw new Error("calibration frame did not fit the TX ring");
  // nic_tx_doorbell lists one TDT write: time the native call that performs it.
  let calA = 0;
  let calB = 0;
  const rings = new CoreRings(rt.os, rt.nics, rt.delay, (view) => {
    calA = nowUs();
    const n = rt.perform(view);
    calB = nowUs();
    return n;
  });
  rings.must("nic_tx_doorbell", 0);
  rt.osRings.must("nic_tx_confirm", 0);
  return { calA, calB };
}

function main(): void {
  const [boardFile, keyFile, how, ...rest] = process.argv.slice(2);
  if (!boardFile || !keyFile || !how) throw new Error("usage: armed-unit BOARD.json KEY_FILE HOW [options]");
  const board = loadBoard(boardFile);
  const rt = openBoard(board) as NativeRuntime;
  const cal = rest.includes("--calibrate") ? calibrate(rt) : undefined;

  // Arming, as a unit does at boot: key, boot counter, the gasp on every port, the fault plan.
  const key = readKeyFile(keyFile);
  const bootFile = option(rest, "--boot-file");
  const boot = bootFile ? nextBootCounter(bootFile) : 1;
  const peerIp = option(rest, "--peer-ip");
  const sender = new GaspSender(rt.fault);
  sender.setKey(0, key, 1);
  key.fill(0);
  const frames = sender.arm({
    chassis: DEFAULT_GASP_CHASSIS, unit: board.unit, role: G.GASP_ROLE_ACTIVE, priority: 100, keySlot: 0, boot,
    copies: Number(option(rest, "--copies") ?? 2),
    ports: board.ports.map((p) => {
      const ownIp = p.ipv4[0]?.split("/")[0];
      const encaps: Encap[] = ownIp && peerIp ? ["raw", "udp"] : ["raw"];
      return { ownMac: p.macBytes, peerMac: parseMac("ff:ff:ff:ff:ff:ff"), ownIp: ownIp && peerIp ? parseIPv4(ownIp) : undefined, peerIp: peerIp ? parseIPv4(peerIp) : undefined, encaps };
    }),
  });
  const planned = new FaultEntry(rt.fault).arm();
  const addon = rt.addon;
  const report = addon.crashArm(rt.fault.exports.memory.buffer, {
    watchdogMs: 0, rehearse: !rest.includes("--cold"), excerptAddr: EXCERPT, excerptCap: FRAME_SLOT_SIZE,
  });
  rec({ op: "armed", how, boot, frames, planned, ...report, ...(cal ?? {}), ports: rt.ports.map((p) => p.describe) });

  const t = nowUs();
  rec({ op: "die", how, t });
  switch (how) {
    case "null-store":
      addon.die("null-store");
      break;
    case "abort":
      process.abort();
      break;
    case "oom": {
      // Keep everything reachable until V8 gives up (node --max-old-space-size=N).
      const hoard: unknown[] = [];
      for (;;) hoard.push(new Array(1 << 16).fill(hoard.length));
    }
    case "sigkill":
      process.kill(process.pid, "SIGKILL");
      break;
    default:
      throw new Error(`unknown death ${how}`);
  }
  rec({ op: "alive", how }); // never reached
}

if (require.main === module) {
  try {
    main();
  } catch (e) {
    rec({ op: "error", message: (e as Error).message, code: (e as NodeJS.ErrnoException).code });
    process.exitCode = 1;
  }
}
