// `lastgasp demo`: the main job. For now it shows the takeover announcements the standby
// will send (a gratuitous ARP and an unsolicited NA), built by the core, and writes them to
// a pcap; the failover demo replaces it once the fault path lands.

import * as fs from "fs";
import * as path from "path";
import { Command, Parsed, UsageError } from "./command";
import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { hexdump } from "../util/addr";
import { PcapWriter } from "../pcap";
import { encodeFrame, EncodeRequest } from "./encode";
import { loadbalanceScenario, ScenarioError } from "../switch/scenario";

/**
 * `--scenario FILE`: runs a scenario file by its "kind". Only "loadbalance" here (issue 5,
 * host/switch/scenario.ts); the failover runner dispatches the same way.
 */
function runScenario(file: string, json: boolean, pcapDir: string | undefined): number {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new UsageError(`--scenario: ${file}: ${err.code === "ENOENT" ? "no such file" : `not valid JSON: ${err.message}`}`);
  }
  const kind = (raw as { kind?: unknown } | null)?.kind;
  if (kind !== loadbalanceScenario.kind) throw new UsageError(`--scenario: ${file}: kind ${JSON.stringify(kind)} is not one this demo runs (loadbalance)`);
  let sc;
  try {
    sc = loadbalanceScenario.validate(raw, file);
  } catch (e) {
    if (e instanceof ScenarioError) throw new UsageError(`--scenario: ${e.first}`);
    throw e;
  }
  const report = loadbalanceScenario.run(sc, { pcapDir });
  console.log(json ? JSON.stringify(report, null, 2) : loadbalanceScenario.format(report));
  return report.ok ? 0 : 1;
}

const DEMO_FRAMES: EncodeRequest[] = [
  { kind: "garp", ip: "203.0.113.9", mac: "02:00:00:aa:bb:cc" },
  { kind: "na", ip: "2001:db8::9", mac: "02:00:00:aa:bb:cc" },
];

export const demoCommand: Command = {
  name: "demo",
  summary: "the main job: show the takeover announcements and write them to a pcap",
  usage: "demo [--pcap FILE] | demo --scenario FILE [--json] [--pcap-dir DIR]",
  details: `options:
  --pcap FILE       where to write the capture (default build/demo.pcap)
  --scenario FILE   run a scenario file instead (kind "loadbalance": scenarios/loadbalance.json)
  --json            with --scenario: print the report as JSON
  --pcap-dir DIR    with --scenario: write every link's capture to DIR

exit status (--scenario): 0 when every check of the report passed, 1 otherwise, 2 on bad usage
or a bad scenario file.`,
  options: { pcap: { type: "string" }, scenario: { type: "string" }, json: { type: "boolean" }, "pcap-dir": { type: "string" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const scenario = args.values.scenario as string | undefined;
    if (scenario !== undefined) {
      if (scenario === "") throw new UsageError("--scenario: needs a file");
      if (args.values.pcap !== undefined) throw new UsageError("--pcap: not with --scenario (use --pcap-dir)");
      const dir = args.values["pcap-dir"] as string | undefined;
      if (dir === "") throw new UsageError("--pcap-dir: needs a directory");
      return runScenario(scenario, args.values.json === true, dir);
    }
    if (args.values.json !== undefined || args.values["pcap-dir"] !== undefined) throw new UsageError(`${args.values.json !== undefined ? "--json" : "--pcap-dir"}: only with --scenario`);
    const file = (args.values.pcap as string | undefined) ?? path.join("build", "demo.pcap");
    const core = Core.load();
    const codec = new WireCodec(core);
    console.log(`core self-test: ${core.exports.selftest() === 0 ? "pass" : "FAIL"}`);
    const pcap = new PcapWriter();
    DEMO_FRAMES.forEach((req, i) => {
      const frame = encodeFrame(codec, req);
      pcap.add({ timeUs: i * 1000, data: frame });
      console.log(`\n${req.kind} for ${req.ip} at ${req.mac}: ${frame.length} bytes`);
      console.log(hexdump(frame));
    });
    fs.mkdirSync(path.dirname(file), { recursive: true });
    pcap.save(file);
    console.log(`\nwrote ${pcap.count} frames to ${file} (tshark -r ${file})`);
    return 0;
  },
};
