// Forgets everything the gasp subsystem holds: disarmed, receiver unconfigured, counters and
// replay table cleared, the private key-state copy wiped, the GASP region zeroed. init()
// calls it, so a re-initialised core never keeps sending with an old arming's key.

import { STATE_GASP_BASE, STATE_GASP_SIZE } from "../state";
import { GASP_BASE } from "../shared/memmap";
import { GASP_REG_END } from "../shared/gasp";

export function gaspReset(): void {
  memory.fill(STATE_GASP_BASE, 0, STATE_GASP_SIZE);
  memory.fill(<usize>GASP_BASE, 0, <usize>GASP_REG_END);
}
