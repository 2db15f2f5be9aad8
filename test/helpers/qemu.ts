// The QEMU rig from a test's side (docs/qemu-rig.md): build it, boot the guest once with a
// harness script, talk to the e1000's network side over loopback UDP, collect the harness's
// records, QEMU's filter-dump capture and the frames that reached the UDP socket.
//
// A missing tool is a failure with the command that fixes it, never a skip.

import { spawn, spawnSync } from "child_process";
import * as dgram from "dgram";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import { readPcap } from "../../host/pcap";
import { tmpDir } from "./tshark";

const ROOT = path.join(__dirname, "..", "..");
export const RIG_DIR = path.join(ROOT, "build", "qemu");
const RUN_SH = path.join(ROOT, "scripts", "qemu-rig", "run.sh");

/** Where the guest's kernel keeps the core's linear memory (run.sh --phys; memmap= reserves it). */
export const GUEST_MEM_PHYS = 0x1000_0000;

/** Builds what is missing or stale (make qemu-rig-files); throws with make's output on failure. */
export function buildRig(): void {
  for (const tool of ["qemu-system-x86_64", "wasm2c", "gcc", "cpio"]) {
    if (spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0) {
      throw new Error(`${tool} is not installed: run scripts/install-deps.sh as root (make test does)`);
    }
  }
  const r = spawnSync("make", ["-s", "-C", ROOT, "qemu-rig-files"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`make qemu-rig-files failed:\n${r.stdout}${r.stderr}`);
}

/** One line the harness printed ("LG {json}"): op plus whatever that op reports. */
export type RigRecord = { op: string; line?: number; [k: string]: unknown };

/**
 * Splits the serial console into lines and hands each "LG {json}" record to onRecord; other
 * lines (the kernel's) and lines torn by a killed guest are skipped. Returns the feed.
 */
export function recordLines(onRecord: (rec: RigRecord) => void): (chunk: string) => void {
  let pending = "";
  return (chunk) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf("\n")) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, "");
      pending = pending.slice(nl + 1);
      const m = /^LG (\{.*\})$/.exec(line);
      if (!m) continue;
      let rec: RigRecord;
      try {
        rec = JSON.parse(m[1]) as RigRecord;
      } catch {
        continue;
      }
      onRecord(rec);
    }
  };
}

export interface GuestRun {
  records: RigRecord[];
  /** Every frame QEMU's filter-dump saw on the e1000's netdev (both directions), in order. */
  dumped: Uint8Array[];
  /** QEMU's filter-dump capture file (kept for tshark). */
  pcapFile: string;
  /** The run's temporary directory (holds pcapFile); the caller removes it when done. */
  dir: string;
  /** Frames the e1000 transmitted, as the UDP socket on the far side received them. */
  received: Uint8Array[];
  /** Frames the test injected towards the e1000. */
  injected: Uint8Array[];
  console: string;
  stderr: string;
  exitCode: number | null;
  /** Wall-clock milliseconds: QEMU start to the harness's ready line, and to QEMU's exit. */
  readyMs: number;
  totalMs: number;
}

/** What a test may do to the NIC's surroundings while the script runs. */
export interface RigIo {
  /** Sends a frame to the e1000 from the wire. */
  inject(frame: Uint8Array): void;
  /** Link partner up or down (QEMU's monitor: set_link; the model: setLink). */
  setLink(up: boolean): void;
}

export interface GuestOptions {
  mac: string;
  /** Called for every record as it arrives (e.g. on a `mark`). */
  onRecord?: (rec: RigRecord, io: RigIo) => void;
  timeoutMs?: number;
}

function bindUdp(sock: dgram.Socket): Promise<number> {
  return new Promise((resolve, reject) => {
    sock.once("error", reject);
    sock.bind(0, "127.0.0.1", () => resolve(sock.address().port));
  });
}

/**
 * Boots the guest with a script and resolves when QEMU exits. The guest's e1000 sends to a
 * UDP socket this process owns (loopback only); frames injected are sent from it to the
 * port QEMU listens on.
 */
export async function runGuest(script: string, opts: GuestOptions): Promise<GuestRun> {
  const dir = tmpDir("qemu");
  const scriptFile = path.join(dir, "script");
  const pcapFile = path.join(dir, "e1000.pcap");
  const monitorPath = path.join(dir, "monitor.sock");
  fs.writeFileSync(scriptFile, script);

  const far = dgram.createSocket("udp4");
  const farPort = await bindUdp(far);
  // QEMU binds the other port itself; find a free one (a race with other binders is
  // possible in principle, and would show as QEMU failing to start, not as a wrong result).
  const probe = dgram.createSocket("udp4");
  const qemuPort = await bindUdp(probe);
  await new Promise<void>((r) => probe.close(() => r()));

  const received: Uint8Array[] = [];
  const injected: Uint8Array[] = [];
  far.on("message", (msg) => received.push(new Uint8Array(msg)));
  let monitor: net.Socket | undefined;
  const io: RigIo = {
    inject(frame) {
      injected.push(frame);
      far.send(frame, qemuPort, "127.0.0.1");
    },
    setLink(up) {
      // The monitor socket exists from QEMU's start; records only come after the guest booted.
      monitor ??= net.createConnection(monitorPath).on("error", (e) => (err += `monitor: ${e.message}\n`));
      monitor.write(`set_link n0 ${up ? "on" : "off"}\n`);
    },
  };

  const t0 = Date.now();
  let readyMs = NaN;
  const child = spawn(
    RUN_SH,
    ["--phys", `0x${GUEST_MEM_PHYS.toString(16)}`, "--mac", opts.mac, "--udp", `${farPort}:${qemuPort}`, "--pcap", pcapFile, "--monitor", monitorPath, scriptFile],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const records: RigRecord[] = [];
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (d: string) => (err += d));
  const feed = recordLines((rec) => {
    records.push(rec);
    if (rec.op === "ready") readyMs = Date.now() - t0;
    opts.onRecord?.(rec, io);
  });
  child.stdout.on("data", (d: string) => {
    out += d;
    feed(d);
  });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const timer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  clearTimeout(timer);
  const totalMs = Date.now() - t0;
  // Datagrams QEMU sent just before exiting may still be in the socket's queue.
  await new Promise((r) => setTimeout(r, 50));
  far.close();
  monitor?.destroy();
  // QEMU_RIG_LOG=FILE keeps the serial console of the run (every record, with timings).
  if (process.env.QEMU_RIG_LOG) fs.writeFileSync(process.env.QEMU_RIG_LOG, out + (err ? `\n--- stderr\n${err}` : ""));
  const dumped = fs.existsSync(pcapFile) ? readPcap(fs.readFileSync(pcapFile)).map((r) => r.data) : [];
  if (records.length === 0 || records[records.length - 1].op !== "exit") {
    fs.rmSync(dir, { recursive: true, force: true });
    throw new Error(`the guest did not finish (exit ${exitCode}, ${totalMs} ms${totalMs >= timeoutMs ? ", timed out" : ""}):\n${out}\n${err}`);
  }
  fs.rmSync(scriptFile, { force: true });
  return { records, dumped, pcapFile, dir, received, injected, console: out, stderr: err, exitCode, readyMs, totalMs };
}
