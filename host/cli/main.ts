// `lastgasp` — the command-line entry point. Every command has --help; bad input prints
// one line naming the bad argument and exits 2.

import { Command, UsageError, parseCommandArgs } from "./command";
import { COMMANDS } from "./commands";
import { AddrError } from "../util/addr";

function mainHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    "lastgasp — a dying line card announces its own death; the standby takes over at once.",
    "",
    "usage: lastgasp <command> [options]      (lastgasp <command> --help for details)",
    "",
    "commands:",
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join("\n");
}

function commandHelp(cmd: Command): string {
  return [`usage: lastgasp ${cmd.usage}`, "", cmd.summary, "", cmd.details.trimEnd()].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? COMMANDS.find((c) => c.name === rest[0]) : undefined;
    console.log(topic ? commandHelp(topic) : mainHelp());
    return 0;
  }
  const cmd = COMMANDS.find((c) => c.name === name);
  if (!cmd) {
    console.error(`lastgasp: ${name}: unknown command (lastgasp --help lists them)`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(commandHelp(cmd));
    return 0;
  }
  try {
    return await cmd.run(parseCommandArgs(cmd, rest));
  } catch (e) {
    if (e instanceof UsageError || e instanceof AddrError) {
      console.error(`lastgasp ${cmd.name}: ${e.message}`);
      return 2;
    }
    throw e;
  }
}
