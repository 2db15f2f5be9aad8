// `lastgasp verify-gasp --pcap FILE --key-file KEY`: every gasp and hello in a capture, put
// through the core's receiver (the same checks the standby makes, docs/gasp-protocol.md "The
// receiver") in capture order: accepted, an authentic duplicate, or the reason it was refused.
// Frames that are not gasps (other EtherTypes, UDP ports) are counted and left alone.

import { Command, InputError, Parsed, optionalInt, requireString } from "./command";
import { KEY_HELP, KEY_OPTIONS, chassisId, keyFromArgs } from "./frame-sources";
import { readInput } from "./files";
import { Core } from "../core/core";
import { GaspReceiver, GaspSender } from "../gasp/gasp";
import { PcapFormatError, readPcap } from "../pcap";
import { formatIPv4, formatMac } from "../util/addr";
import { statusName } from "../core/status";
import * as S from "../../assembly/shared/status";
import * as G from "../../assembly/shared/gasp";
import { FRAME_SLOT_SIZE } from "../../assembly/shared/memmap";

/** Why the receiver refused a frame, for people (the checks of docs/gasp-protocol.md). */
const WHY: Record<number, string> = {
  [S.E_GASP_TRUNCATED]: "the frame ends before the headers or the message it claims",
  [S.E_GASP_ENCAP]: "malformed IPv4/UDP (version, header length, a fragment, UDP length)",
  [S.E_GASP_CHECKSUM]: "the IPv4 header or UDP checksum does not verify",
  [S.E_GASP_MAGIC]: "not the gasp magic 0x4C47",
  [S.E_GASP_VERSION]: "a protocol version this receiver does not know",
  [S.E_GASP_TYPE]: "an unknown message type",
  [S.E_GASP_LENGTH]: "malformed length: excerpt over 64 bytes, or a UDP payload that is not exactly the message",
  [S.E_GASP_KEY_ID]: "signed with a key id this receiver holds no key for (--key-id)",
  [S.E_GASP_CHASSIS]: "from another chassis (--chassis)",
  [S.E_GASP_BAD_MAC]: "the MAC does not verify: another key, or the message was altered",
  [S.E_GASP_REPLAY]: "a replay: (boot, sequence) below one already accepted from this unit",
};

const TYPES: Record<number, string> = { [G.GASP_TYPE_GASP]: "GASP", [G.GASP_TYPE_HELLO]: "HELLO" };
const CAUSES = ["none", "trap", "exception", "watchdog", "power", "operator", "machine-check", "thermal"];

/** The encapsulation a refused frame claims (from its EtherType; not authenticated). */
function encapOf(frame: Uint8Array): string | undefined {
  let at = 12;
  if (frame.length >= 16 && frame[12] === 0x81 && frame[13] === 0x00) at = 16;
  if (frame.length < at + 2) return undefined;
  const et = (frame[at] << 8) | frame[at + 1];
  return et === 0x88b5 ? "raw" : et === 0x0800 ? "udp" : undefined;
}

export interface VerifiedFrame {
  frame: number;
  timeUs: number;
  result: "accepted" | "duplicate" | "refused";
  reason?: string;
  why?: string;
  type?: string;
  unit?: number;
  boot?: number;
  seq?: string;
  cause?: string;
  excerpt?: string;
  encap?: string;
  vlan?: number;
  ethSrc?: string;
  ipSrc?: string;
}

export const command: Command = {
  usage: "verify-gasp --pcap FILE --key-file FILE [--chassis ID] [--key-id N] [--udp-port N] [--json]",
  details: `Reads a capture (pcap or pcapng, Ethernet) and puts every frame through the core's
gasp receiver in capture order, as the standby would: raw EtherType 0x88B5 and UDP/IPv4
(port 19527). Each gasp or hello is accepted, an authentic duplicate (the fault path sends
several copies), or refused with the reason. Other frames are counted and ignored.

options:
  --pcap FILE      the capture
${KEY_HELP.map((l) => `  ${l.replace(/gasp: /, "")}`).join("\n")}
  --udp-port N     the UDP port of the gasp (default 19527)
  --json           print {file, frames, messages: [...], summary} as JSON

exit status: 0 at least one gasp or hello, and none refused; 1 a message was refused, or
the capture holds none; 2 bad input (options, an unreadable capture or key file).

example:
  lastgasp verify-gasp --pcap build/demo/linecard-a.bp0--linecard-b.bp0.pcap --key-file chassis.key`,
  options: { pcap: { type: "string" }, ...KEY_OPTIONS, "udp-port": { type: "string" }, json: { type: "boolean" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const file = requireString(args, "pcap");
    const key = keyFromArgs(args);
    const keyId = optionalInt(args, "key-id", 0, 255) ?? 1;
    const chassis = chassisId(args);
    const udpPort = optionalInt(args, "udp-port", 1, 65535) ?? G.GASP_UDP_PORT;
    let records: ReturnType<typeof readPcap>;
    try {
      records = readPcap(readInput("--pcap", file, { binary: true }));
    } catch (e) {
      if (e instanceof PcapFormatError) throw new InputError(`--pcap: ${file}: ${e.message}`);
      throw e;
    }

    const core = Core.load();
    new GaspSender(core).setKey(0, key, keyId);
    key.fill(0);
    const rx = new GaspReceiver(core);
    rx.configure({ chassis, udpPort });
    const messages: VerifiedFrame[] = [];
    let other = 0;
    records.forEach((rec, i) => {
      const frame = rec.data;
      const base = { frame: i + 1, timeUs: Math.round(rec.timeUs * 1000) / 1000 };
      if (frame.length > FRAME_SLOT_SIZE) {
        other++;
        return;
      }
      const r = rx.receive(frame);
      if (!r.ok && r.status === S.E_GASP_NOT_GASP) {
        other++;
        return;
      }
      const m = r.message;
      const fields = m
        ? {
            type: TYPES[m.type] ?? String(m.type), unit: m.unit, boot: m.boot, seq: m.seq.toString(),
            cause: m.type === G.GASP_TYPE_GASP ? (CAUSES[m.cause] ?? String(m.cause)) : undefined,
            excerpt: m.excerpt.length ? Buffer.from(m.excerpt).toString("utf8") : undefined,
            encap: m.encap, vlan: m.vlanTci !== undefined ? m.vlanTci & 0xfff : undefined,
            ethSrc: formatMac(m.ethSrc), ipSrc: m.ipSrc ? formatIPv4(m.ipSrc) : undefined,
          }
        : { ethSrc: frame.length >= 12 ? formatMac(frame.subarray(6, 12)) : undefined, encap: encapOf(frame) };
      if (r.ok) messages.push({ ...base, result: "accepted", ...fields });
      else if (r.status === S.E_GASP_DUPLICATE) messages.push({ ...base, result: "duplicate", ...fields });
      else messages.push({ ...base, result: "refused", reason: statusName(r.status), why: WHY[r.status] ?? "", ...fields });
    });
    const count = (k: VerifiedFrame["result"]) => messages.filter((m) => m.result === k).length;
    const summary = { messages: messages.length, accepted: count("accepted"), duplicates: count("duplicate"), refused: count("refused"), otherFrames: other };
    const ok = messages.length > 0 && summary.refused === 0;
    if (args.values.json) {
      console.log(JSON.stringify({ file, chassis, keyId, frames: records.length, ok, summary, messages }, null, 2));
    } else {
      console.log(`verify-gasp ${file}: ${records.length} frames; chassis 0x${chassis.toString(16).padStart(8, "0")}, key id ${keyId}`);
      if (messages.length) {
        console.log(`  ${"frame".padStart(6)} ${"time (us)".padStart(14)}  ${"encap".padEnd(5)} ${"source MAC".padEnd(17)}  ${"type".padEnd(5)} ${"unit".padStart(4)} ${"boot".padStart(6)} ${"seq".padStart(6)}  result`);
        for (const m of messages) {
          const res = m.result === "refused" ? `REFUSED ${m.reason}: ${m.why}` : m.result === "duplicate" ? "duplicate (authentic copy)" : `accepted${m.cause ? `, cause ${m.cause}` : ""}${m.excerpt ? `, "${m.excerpt}"` : ""}`;
          const line = `  ${String(m.frame).padStart(6)} ${m.timeUs.toFixed(3).padStart(14)}  ${(m.encap ?? "-").padEnd(5)} ${(m.ethSrc ?? "-").padEnd(17)}  ${(m.type ?? "-").padEnd(5)} ${String(m.unit ?? "-").padStart(4)} ${String(m.boot ?? "-").padStart(6)} ${String(m.seq ?? "-").padStart(6)}  ${res}`;
          console.log(line);
        }
      }
      console.log(`${summary.messages} gasp/hello messages: ${summary.accepted} accepted, ${summary.duplicates} authentic duplicates, ${summary.refused} refused; ${other} other frames`);
      if (!messages.length) console.log("no gasp or hello in the capture: nothing verified");
    }
    return ok ? 0 : 1;
  },
};
