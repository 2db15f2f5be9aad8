// `lastgasp encode`: build a frame with the core — an announcement or a gasp — print it as a
// hex dump or JSON, and optionally write it to a libpcap file. The frames are the ones
// `lastgasp send` puts on an interface (frame-sources.ts): one list for both commands.

import { Command, InputError, Parsed, optionalInt, optionalString } from "./command";
import { FRAME_SOURCES, SOURCE_OPTIONS, checkSourceOptions, frameSource } from "./frame-sources";
import { checkOutputFile, writeOutput } from "./files";
import { Core } from "../core/core";
import { WireCodec } from "../wire/codec";
import { hexdump, toHex } from "../util/addr";
import { PcapWriter } from "../pcap";

export const command: Command = {
  usage: `encode <${FRAME_SOURCES.map((s) => s.kind).join("|")}> --mac MAC [--ip ADDR] [options] [--vlan ID] [--count N] [--pcap FILE] [--json]`,
  details: `frame kinds:
${FRAME_SOURCES.map((s) => `  ${s.kind.padEnd(10)}  ${s.summary}`).join("\n")}

options:
${[...new Set(FRAME_SOURCES.flatMap((s) => s.optionHelp))].map((l) => `  ${l}`).join("\n")}
  --vlan ID        add an 802.1Q tag with this VLAN ID (0..4094)
  --count N        copies of the frame in the capture (1..1000, default 1): the fault path
                   sends a gasp several times; receivers count the copies as duplicates
  --pcap FILE      also write the frame(s) to FILE (libpcap, Ethernet; replaced if it exists)
  --json           print {kind, length, hex, pcap} instead of a hex dump

--mac is required for the kinds that send from the port's own MAC (not vrrp: its source
is the virtual router's MAC): encode has no interface to take it from.

exit status: 0 built; 2 bad input.

examples:
  lastgasp encode garp --ip 203.0.113.9 --mac 02:00:00:aa:bb:cc --pcap x.pcap
  lastgasp encode gasp --key-file chassis.key --mac 02:00:00:0a:00:01 --cause trap --pcap g.pcap
  lastgasp encode vrrp --version 3 --vrid 51 --ip 192.0.2.2 --vip 192.0.2.1 --advert-int 1 --pcap v.pcap
  lastgasp encode bfd --mac 02:00:00:0a:00:02 --ip 192.0.2.2 --peer-ip 192.0.2.3 --peer-mac 02:00:00:0b:00:02 --my-disc 1 --your-disc 2
  lastgasp encode oam --mac 02:00:00:0a:00:02 --pcap o.pcap`,
  options: {
    ...SOURCE_OPTIONS,
    vlan: { type: "string" },
    count: { type: "string" },
    pcap: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 1, max: 1 },
  run(args: Parsed): number {
    const source = frameSource(args.positionals[0]);
    checkSourceOptions(source, args);
    const vlan = optionalInt(args, "vlan", 0, 4094, "a VLAN ID");
    const count = optionalInt(args, "count", 1, 1000) ?? 1;
    const pcapFile = optionalString(args, "pcap");
    if (pcapFile !== undefined) checkOutputFile("--pcap", pcapFile);
    const build = source.prepare(args, {
      codec: new WireCodec(Core.load()),
      ifaceMac: () => {
        throw new InputError("--mac: required (encode has no interface to take it from)");
      },
      vlanTci: vlan,
    });
    const frames = Array.from({ length: count }, (_, i) => build(i)).flat();
    if (pcapFile !== undefined) {
      const w = new PcapWriter();
      frames.forEach((data, i) => w.add({ timeUs: i * 10, data }));
      writeOutput("--pcap", pcapFile, w.bytes());
    }
    const frame = frames[0];
    if (args.values.json) {
      console.log(JSON.stringify({ kind: source.kind, length: frame.length, count, hex: toHex(frame), pcap: pcapFile ?? null }));
    } else {
      console.log(`${source.kind}: ${frame.length} bytes — ${source.summary}`);
      console.log(hexdump(frame));
      if (pcapFile !== undefined) console.log(`wrote ${count} frame${count > 1 ? "s" : ""} to ${pcapFile}`);
    }
    return 0;
  },
};
