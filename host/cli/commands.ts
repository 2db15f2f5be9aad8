// The command list, in the order `lastgasp --help` shows it.

import { Command } from "./command";
import { bringupCommand } from "./bringup";
import { demoCommand } from "./demo";
import { encodeCommand } from "./encode";
import { sendCommand } from "./send";
import { syncCheckCommand } from "./sync-check";
import { syncDemoCommand } from "./sync-demo";
import { keygenCommand } from "./keygen";
import { imageCommand } from "./image";
import { flashCommand, bootCommand, confirmCommand, revertCommand, flashStatusCommand } from "./flash";

export const COMMANDS: Command[] = [demoCommand, bringupCommand, encodeCommand, sendCommand, syncCheckCommand, syncDemoCommand, keygenCommand, imageCommand, flashCommand, bootCommand, confirmCommand, revertCommand, flashStatusCommand];
