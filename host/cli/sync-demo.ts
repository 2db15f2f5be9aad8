// `lastgasp sync-demo`: two simulated units on a lossy chassis link. The standby joins (bulk
// sync), then the operator changes the active's configuration and each change is synced line
// by line; a final verification compares the standby with the expected configuration. Prints
// what happened and the transport's figures, and writes the link's frames to a pcap.

import * as fs from "fs";
import * as path from "path";
import { Command, InputError, Parsed, UsageError, optionalInt, optionalNumber, optionalString } from "./command";
import { checkOutputFile, readInput, writeOutput } from "./files";
import { shipped } from "../sync/images";
import { UnknownVersionError } from "../sync/pair";
import { SimulatedPair } from "../sync/sim";
import { ConfigInputError } from "../sync/plan";
import { CommandRecord, SyncInputError, outcomeOf } from "../sync/active";
import { convert } from "../sync/engine";
import { prcName } from "../sync/prc";
import { BUILD_DIR, CONFIGS_DIR, TOOLS_DIR, displayPath } from "../paths";

export const DEFAULT_PCAP = path.join(BUILD_DIR, "sync-demo.pcap");


const KEY_9 = "5e9c1d0a7b3f42e8a1c6d4b2f0e8a9c7d5b3e1f9a7c5e3d1b9f7a5c3e1d9b7f5";

/** Changes an operator might make during operation, in each version's syntax. */
export const LIVE_CHANGES: Record<string, string[]> = {
  "1.0": [
    "failover heartbeat 200 4",
    "slb serverfarm WEB real 198.51.100.24 8080",
    "access-list OUTSIDE-IN 50 permit tcp 0.0.0.0/0 203.0.113.10/32 eq 8443",
    "console baud 9600",
    "interface eth3 mtu 1000",
    "no vip 203.0.113.11",
  ],
  "1.1": [
    "failover heartbeat interval 200",
    "slb serverfarm WEB real 198.51.100.24 8080",
    "ip access-list OUTSIDE-IN seq 50 permit tcp 0.0.0.0/0 203.0.113.10/32 eq 8443",
    "ipv6 access-list OUTSIDE6-IN seq 30 permit udp ::/0 2001:db8:0:1::10/128 eq 53",
    "failover announce na count 3",
    "no vip 203.0.113.11",
  ],
  "2.0": [
    "failover timers heartbeat 200 dead-multiplier 4",
    "slb farm WEB backend 198.51.100.24 port 8080",
    `failover gasp key 9 ${KEY_9}`,
    "failover gasp send-key 9",
    "no failover gasp key 7",
    "slb farm WEB health-check tcp interval 10",
    "telemetry interval 10",
    "no failover vip 203.0.113.11",
  ],
};

function describe(rec: CommandRecord, sim: SimulatedPair): string {
  const f = rec.fate;
  const kind = outcomeOf(rec, sim.active.pair);
  const sent = rec.sent.length ? ` sent [${rec.sent.join(" | ")}]` : "";
  const ack = rec.ack ? `; standby PRC ${prcName(rec.ack.prc)}${rec.ack.applied.length ? `, applied [${rec.ack.applied.join(" | ")}]` : ""}${rec.ack.detail ? ` (${rec.ack.detail})` : ""}` : "";
  const why =
    f.kind === "policy" ? `: ${f.action}, ${f.reason}`
    : f.kind === "dcl" || f.kind === "not-synced" ? `: ${f.why}`
    : f.kind === "transformed" && f.notes.length ? ` (${f.notes.join("; ")})`
    : "";
  const nothing = f.kind === "transformed" && f.lines.length === 0 ? ", nothing to send" : "";
  return `${kind}${nothing}${why}${sent}${ack}`;
}

export const command: Command = {
  usage: "sync-demo [--active VER] [--standby VER] [--config FILE] [--loss P] [--seed N] [--pcap FILE | --no-pcap]",
  details: `options:
  --active VER    the active's image (default 2.0)
  --standby VER   the standby's image (default 1.1)
  --config FILE   the active's configuration (default configs/lb-<active>.conf)
  --loss P        probability the link loses a frame, 0..0.9 (default 0.3); the link also
                  reorders (up to 300 us of jitter) and duplicates 2% of frames
  --seed N        seed for the link's losses (default 1): a run replays exactly
  --pcap FILE     where to write the link's frames (default ${displayPath(DEFAULT_PCAP)}, in the
                  lastgasp installation)
  --no-pcap       write no capture

exit status: 0 the pair ends hot (SSO) with the standby's running configuration equal to the
expected one; 1 it does not (RPR, or a mismatch); 2 bad input.

example:
  lastgasp sync-demo --active 1.0 --standby 1.1 --loss 0.3`,
  options: {
    active: { type: "string" },
    standby: { type: "string" },
    config: { type: "string" },
    loss: { type: "string" },
    seed: { type: "string" },
    pcap: { type: "string" },
    "no-pcap": { type: "boolean" },
  },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const reg = shipped();
    const ver = (name: string, def: string) => {
      const v = (args.values[name] as string | undefined) ?? def;
      try {
        return reg.get(v).version;
      } catch (e) {
        if (e instanceof UnknownVersionError) throw new UsageError(`--${name}: ${e.message}`);
        throw e;
      }
    };
    const active = ver("active", "2.0");
    const standby = ver("standby", "1.1");
    const loss = optionalNumber(args, "loss", 0.3, 0, 0.9);
    const seed = optionalInt(args, "seed", 0, 2 ** 31 - 1) ?? 1;
    const file = optionalString(args, "config") ?? path.join(CONFIGS_DIR, `lb-${active}.conf`);
    const noPcap = args.values["no-pcap"] === true;
    if (noPcap && args.values.pcap !== undefined) throw new InputError("--pcap: not with --no-pcap");
    const pcapFile = noPcap ? null : (optionalString(args, "pcap") ?? DEFAULT_PCAP);
    if (pcapFile !== null) {
      if (pcapFile === DEFAULT_PCAP) fs.mkdirSync(BUILD_DIR, { recursive: true });
      checkOutputFile("--pcap", pcapFile);
    }
    const text = readInput("--config", file);

    const log = (unit: string, t: string) => console.log(`  ${(sim.clock.now() / 1e6).toFixed(3).padStart(8)} ms  ${unit.padEnd(7)}  ${t}`);
    let sim: SimulatedPair;
    try {
      sim = new SimulatedPair({
        registry: reg, active, standby, config: text, configName: file, seed, capture: true,
        link: { loss, duplicate: 0.02, delayNs: 50_000, jitterNs: 300_000 },
        log,
      });
    } catch (e) {
      if (e instanceof ConfigInputError) throw new UsageError(`--config: ${e.message}`);
      throw e;
    }

    console.log(`sync-demo: active ${active} (${path.relative(process.cwd(), file) || file}) → standby ${standby}; link loss ${Math.round(loss * 100)}%, 2% duplicates, 50-350 us delay (reordering), seed ${seed}`);
    console.log(`\n== bulk sync (the standby joins)`);
    sim.bulkSync();

    console.log(`\n== live changes on the active, synced line by line`);
    for (const line of LIVE_CHANGES[active]) {
      let rec: CommandRecord;
      try {
        rec = sim.configure(line);
      } catch (e) {
        if (e instanceof SyncInputError) {
          console.log(`  ${line}\n      rejected by the active: ${e.message}`);
          continue;
        }
        throw e;
      }
      console.log(`  ${line}\n      ${describe(rec, sim)}`);
    }

    console.log(`\n== final verification`);
    sim.verify();
    const pair = sim.active.pair!;
    const expected = sim.active.state === "cold" ? undefined : convert(pair.table, pair.path, sim.active.running).config;
    const standbyMatches = expected !== undefined && expected.digest() === sim.standby.running.digest();
    const mode = sim.active.mode;
    const v = sim.active.verifications.at(-1);
    console.log(`  active's verdict: ${v ? (v.ok ? "standby config matches the expected one" : `mismatch: ${v.reasons.join("; ")}`) : "no verification (no hot standby)"}`);
    console.log(`  independent check: standby running config ${standbyMatches ? "==" : "!="} expected (${sim.standby.running.size} lines)`);
    console.log(`  mode: ${mode}${sim.active.handler.events.length ? `; policy events: ${sim.active.handler.events.map((e) => e.action).join(", ")}` : ""}`);

    const [ca, cs] = sim.channels;
    const l = sim.link.stats;
    console.log(`\n== transport`);
    console.log(`  link: ${l.sent} frames sent, ${l.lost} lost (${((100 * l.lost) / Math.max(1, l.sent)).toFixed(1)}%), ${l.duplicated} duplicated, simulated time ${(sim.clock.now() / 1e6).toFixed(1)} ms`);
    for (const [name, c] of [["active", ca], ["standby", cs]] as const) {
      const s = c.stats;
      console.log(`  ${name.padEnd(7)}: ${s.messagesSent} messages in ${s.segmentsSent} segments, ${s.retransmissions} retransmitted, ${s.acksSent} ACKs; received ${s.messagesDelivered} messages, ${s.duplicates} duplicate and ${s.outOfOrder} out-of-order segments`);
    }
    console.log(`  standby applied ${sim.standby.appliedIds.length} commands, ${sim.standby.duplicateCommands} duplicates refused`);

    if (pcapFile !== null) {
      const w = sim.pcap();
      writeOutput("--pcap", pcapFile, w.bytes());
      const lua = displayPath(path.join(TOOLS_DIR, "wireshark", "lastgasp-sync.lua"));
      console.log(`\nwrote ${w.count} frames to ${pcapFile} (tshark -X lua_script:${lua} -r ${pcapFile})`);
    }

    // Success is what sync-check calls success: the pair hot, and the standby really holding
    // the expected configuration (a mismatch while claiming SSO is the worst case of all).
    const hot = mode === "sso" && standbyMatches;
    console.log(`\nresult: ${hot ? "hot standby (SSO), standby configuration as expected" : `NOT hot: mode ${mode}${standbyMatches ? "" : ", standby running config != expected"}`}`);
    return hot ? 0 : 1;
  },
};
