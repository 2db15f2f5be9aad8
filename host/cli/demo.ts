// `lastgasp demo`: the main job. For now it shows the takeover announcements the standby
// will send (a gratuitous ARP and an unsolicited NA), built by the core, and writes them to
// a pcap; the failover demo replaces it once the fault path lands.

import * as fs from "fs";
import * as path from "path";
import { Command, Parsed } from "./command";
import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { hexdump } from "../util/addr";
import { PcapWriter } from "../pcap";
import { encodeFrame, EncodeRequest } from "./encode";

const DEMO_FRAMES: EncodeRequest[] = [
  { kind: "garp", ip: "203.0.113.9", mac: "02:00:00:aa:bb:cc" },
  { kind: "na", ip: "2001:db8::9", mac: "02:00:00:aa:bb:cc" },
];

export const demoCommand: Command = {
  name: "demo",
  summary: "the main job: show the takeover announcements and write them to a pcap",
  usage: "demo [--pcap FILE]",
  details: `options:
  --pcap FILE   where to write the capture (default build/demo.pcap)`,
  options: { pcap: { type: "string" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
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
