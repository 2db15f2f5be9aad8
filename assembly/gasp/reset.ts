// Forgets everything the gasp subsystem holds: disarmed, receiver unconfigured, counters and
// replay table cleared, the private key-state copy wiped, the GASP region zeroed. init()
// calls it, so a re-initialised core never keeps sending with an old arming's key.

import { STATE_GASP_BASE } from "../state";
import { GASP_BASE } from "../shared/memmap";
import { GASP_REG_END } from "../shared/gasp";

const STATE_GASP_SIZE: usize = 0x2000; // state.ts: STATE_GASP_BASE .. +0x1fff

export function gaspReset(): void {
  memory.fill(STATE_GASP_BASE, 0, STATE_GASP_SIZE);
  memory.fill(<usize>GASP_BASE, 0, <usize>GASP_REG_END);
}
