// tshark as the independent judge of frame formats. Missing tshark is a failure, never a
// skip: `make test` installs it.

import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PcapWriter } from "../../host/pcap";

const CHECKSUM_PREFS = [
  "-o", "ip.check_checksum:TRUE",
  "-o", "udp.check_checksum:TRUE",
  "-o", "tcp.check_checksum:TRUE",
];

export function requireTshark(): void {
  const r = spawnSync("tshark", ["--version"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error("tshark is not installed: run `make test` (it installs tshark) or apt-get install tshark");
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `lastgasp-${prefix}-`));
}

export function writePcap(file: string, frames: Uint8Array[]): void {
  const w = new PcapWriter();
  frames.forEach((data, i) => w.add({ timeUs: i * 1000, data }));
  w.save(file);
}

function tshark(args: string[]): string {
  return execFileSync("tshark", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 << 20 });
}

/** Selected fields per packet (checksum validation on). Multiple occurrences join with ",".
 * `extra`: more tshark arguments, e.g. ["-X", "lua_script:FILE"] to load a dissector. */
export function fields(file: string, names: string[], extra: string[] = []): Record<string, string>[] {
  const out = tshark(["-r", file, ...CHECKSUM_PREFS, ...extra, "-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", ...names.flatMap((n) => ["-e", n])]);
  return out
    .split("\n")
    .filter((l) => l.length > 0)
    .map((line) => {
      const cols = line.split("\t");
      return Object.fromEntries(names.map((n, i) => [n, cols[i] ?? ""]));
    });
}

export interface ExpertItem {
  frame: number;
  severity: string;
  message: string;
}

// Wireshark's PI_SEVERITY values (epan/proto.h).
const SEVERITY: Record<string, string> = {
  "2097152": "chat",
  "4194304": "note",
  "6291456": "warning",
  "8388608": "error",
};

/**
 * Turns off TCP sequence analysis: a capture of one side of rewritten traffic (SYN to a back
 * end, its SYN-ACK from the VIP) is not one conversation, and the analysis would say so.
 */
export const NO_TCP_ANALYSIS = ["-o", "tcp.analyze_sequence_numbers:FALSE"];

/** Every expert-info item and malformed-packet marker tshark reports, per frame. */
export function expertItems(file: string, extra: string[] = []): ExpertItem[] {
  const packets = JSON.parse(tshark(["-r", file, ...CHECKSUM_PREFS, ...extra, "-T", "json"])) as any[];
  const items: ExpertItem[] = [];
  packets.forEach((pkt, i) => {
    const walk = (node: any) => {
      if (node === null || typeof node !== "object") return;
      for (const [k, v] of Object.entries(node)) {
        if (k === "_ws.malformed") items.push({ frame: i + 1, severity: "error", message: "malformed packet" });
        if (k === "_ws.expert" && v && typeof v === "object") {
          const e = v as Record<string, string>;
          items.push({
            frame: i + 1,
            severity: SEVERITY[e["_ws.expert.severity"]] ?? e["_ws.expert.severity"],
            message: e["_ws.expert.message"] ?? JSON.stringify(e),
          });
        }
        walk(v);
      }
    };
    walk(pkt._source?.layers);
  });
  return items;
}
