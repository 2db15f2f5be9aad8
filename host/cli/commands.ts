// The command list, in the order `lastgasp --help` shows it: each command's name, its
// one-line summary, and how to load it. A command's module (and everything it imports: the
// core, ajv, the chassis) is loaded only when that command runs or its --help is asked for,
// so `lastgasp --help` starts in tens of milliseconds.
//
// Adding a command: write host/cli/<name>.ts exporting `command: Command` (command.ts), add
// one line here, add a section to docs/cli.md. `make` compiles it into build/js/ with the
// rest of the host; test/cli.test.ts runs every command's --help through the compiled CLI.

import type { Command } from "./command";

export interface CommandEntry {
  name: string;
  /** One line for `lastgasp --help`. */
  summary: string;
  load(): Command;
}

export const COMMANDS: CommandEntry[] = [
  {
    name: "demo",
    summary: "the main job: a fault on the virtual chassis, the takeover timeline, gasp vs heartbeat-only failover",
    load: () => (require("./demo") as typeof import("./demo")).command,
  },
  {
    name: "upgrade",
    summary: "in-service upgrade of the chassis's pair: standby first, config sync, planned switchover, health, confirm or revert",
    load: () => (require("./upgrade") as typeof import("./upgrade")).command,
  },
  {
    name: "bringup",
    summary: "validate a board file and bring the board up, step by step (virtual board, pci or linux ports)",
    load: () => (require("./bringup") as typeof import("./bringup")).command,
  },
  {
    name: "drill",
    summary: "a fire drill on real ports: arm the gasp and the crash path, then die (segfault, abort, heap, hang, SIGKILL)",
    load: () => (require("./drill") as typeof import("./drill")).command,
  },
  {
    name: "check",
    summary: "the core's self-test, known-answer vectors and conformance replay on v8, wasmtime or native (wasm2c)",
    load: () => (require("./check") as typeof import("./check")).command,
  },
  {
    name: "encode",
    summary: "build a gratuitous ARP / ARP probe / unsolicited NA / gasp frame with the core (hex, JSON, pcap)",
    load: () => (require("./encode") as typeof import("./encode")).command,
  },
  {
    name: "send",
    summary: "send gratuitous ARP / unsolicited NA / gasp frames on a Linux interface (raw socket, root)",
    load: () => (require("./send") as typeof import("./send")).command,
  },
  {
    name: "verify-gasp",
    summary: "authenticate every gasp and hello in a capture: accepted, or the reason it was refused",
    load: () => (require("./verify-gasp") as typeof import("./verify-gasp")).command,
  },
  {
    name: "sync-check",
    summary: "what a config sync between two image versions does with a config file (ADL/SDL, per-line fate, mode)",
    load: () => (require("./sync-check") as typeof import("./sync-check")).command,
  },
  {
    name: "sync-demo",
    summary: "bulk sync plus live line-by-line changes between two simulated units on a lossy link",
    load: () => (require("./sync-demo") as typeof import("./sync-demo")).command,
  },
  {
    name: "campaign",
    summary: "a randomized campaign (fuzz, crashed rings, lossy failovers, sync streams, forged gasps) over worker threads",
    load: () => (require("./campaign") as typeof import("./campaign")).command,
  },
  {
    name: "keygen",
    summary: "generate an Ed25519 image-signing key pair (PEM; the private key mode 0600)",
    load: () => (require("./keygen") as typeof import("./keygen")).command,
  },
  {
    name: "image",
    summary: "signed images: build (and sign), inspect, verify with the core's parser and Ed25519",
    load: () => (require("./image") as typeof import("./image")).command,
  },
  {
    name: "flash",
    summary: "write a signed image to the card's inactive slot, read it back and verify it, mark it trial",
    load: () => (require("./flash") as typeof import("./flash")).command,
  },
  {
    name: "boot",
    summary: "run the core's boot stage on the card's flash: the slot it chooses, and why",
    load: () => (require("./flash") as typeof import("./flash")).boot,
  },
  {
    name: "confirm",
    summary: "accept the running trial image: it becomes the confirmed slot; the security counter rises",
    load: () => (require("./flash") as typeof import("./flash")).confirm,
  },
  {
    name: "revert",
    summary: "abandon the pending trial: the card boots the confirmed image again",
    load: () => (require("./flash") as typeof import("./flash")).revert,
  },
  {
    name: "flash-status",
    summary: "the card's flash: state copies, confirmed and trial slots, security counter, every slot verified",
    load: () => (require("./flash") as typeof import("./flash")).flashStatus,
  },
];
