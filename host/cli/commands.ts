// The command list, in the order `lastgasp --help` shows it.

import { Command } from "./command";
import { demoCommand } from "./demo";
import { encodeCommand } from "./encode";
import { syncCheckCommand } from "./sync-check";
import { syncDemoCommand } from "./sync-demo";

export const COMMANDS: Command[] = [demoCommand, encodeCommand, syncCheckCommand, syncDemoCommand];
