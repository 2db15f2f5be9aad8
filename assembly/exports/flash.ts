// Exports of flashing and the boot stage (docs/flashing.md, docs/core-abi.md). Each begins
// an operation; flash_step() drives it through the flash operations the host performs
// (FLASHOP), until STEP_DONE or a negative status. What was found is in FLASHINFO. The
// trust store (img_trust_key, img_trust_board) decides which images verify.

import { E_RANGE } from "../shared/status";
import { FLC_LEN, FLOP_BOOT, FLOP_WRITE, FLOP_GOLDEN, FLOP_CONFIRM, FLOP_REVERT, FLOP_STATUS } from "../shared/flash";
import { ED_SCRATCH_BASE, ED_SCRATCH_SIZE } from "../shared/memmap";
import { hostRange } from "../lib/mem";
import { layoutConfigure } from "../flash/layout";
import { flashBegin, flashStep, flashAbandon } from "../flash/stage";

/** The card's flash: geometry, regions and trial attempts (FLC_LEN bytes at p). */
export function flash_config(p: i32): i32 {
  if (!hostRange(p, FLC_LEN) || (p + FLC_LEN > ED_SCRATCH_BASE && p < ED_SCRATCH_BASE + ED_SCRATCH_SIZE)) return E_RANGE;
  flashAbandon();
  return layoutConfigure(<usize>p);
}

/** The boot stage: chooses the slot to boot (FLASHINFO FI_CHOSEN, FI_REASON). */
export function boot_select(): i32 {
  return flashBegin(FLOP_BOOT, 0);
}

/** Writes an image of len bytes (fetched through FOP_FETCH) to the inactive slot, reads it back, marks it trial. */
export function flash_write(len: i32): i32 {
  return flashBegin(FLOP_WRITE, len);
}

/** Manufacture: writes the golden slot, which must be erased, and reads it back. */
export function flash_write_golden(len: i32): i32 {
  return flashBegin(FLOP_GOLDEN, len);
}

/** The running trial is good: it becomes the confirmed slot and raises the security counter. */
export function flash_confirm(): i32 {
  return flashBegin(FLOP_CONFIRM, 0);
}

/** Abandons the pending trial. */
export function flash_revert(): i32 {
  return flashBegin(FLOP_REVERT, 0);
}

/** Reads the state and, when verify is 1, verifies every slot (FLASHINFO); writes nothing. */
export function flash_status(verify: i32): i32 {
  return flashBegin(FLOP_STATUS, verify != 0 ? 1 : 0);
}

/** One round further: STEP_IO (operations listed in FLASHOP), STEP_DONE, or the error. */
export function flash_step(): i32 {
  return flashStep();
}
