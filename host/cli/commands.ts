// The command list, in the order `lastgasp --help` shows it.

import { Command } from "./command";
import { bringupCommand } from "./bringup";
import { demoCommand } from "./demo";
import { encodeCommand } from "./encode";

export const COMMANDS: Command[] = [demoCommand, encodeCommand, bringupCommand];
