// Register self-test, run at bring-up before anything else touches the NIC (the idea of Linux
// e1000_reg_test / igb_reg_test, our own table): reset values first, then every pattern
// written to every register in the table and read back through its write mask. Data, not
// code: the tables below are (register, ...) rows; the phases only walk them.

import {
  REG_RCTL, REG_TCTL, REG_IMS, REG_RDBAL, REG_RDBAH, REG_RDLEN, REG_RDH, REG_RDT, REG_MTA,
  REG_RAL0, REG_RAH0, REG_RAL1, REG_RAH1, RAH_AV, TCTL_EN, TXDCTL_QUEUE_ENABLE,
  REG_TDBAL, REG_TDBAH, REG_TDLEN, REG_TDH, REG_TDT, REG_RXDCTL, RXDCTL_QUEUE_ENABLE, I210_RXDCTL_RESET,
  TXQ_OFF_TDBAL, TXQ_OFF_TDLEN, TXQ_OFF_TDT, TXQ_OFF_TXDCTL, txQueueBase,
} from "../shared/e1000";
import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_REG_RESET, E_REG_READBACK } from "../shared/status";
import { OPINFO_REG, OPINFO_WROTE, OPINFO_READ, OPINFO_EXPECT, OPINFO_MASK, OPINFO_CHECKS } from "../shared/rings";
import { opWrite, opRead, opValue } from "./ops";
import { nicPort, portHasFaultQueue, portMultiQueue } from "./port";
import { nicOp, infoSet, infoAdd } from "./op";

// A row's register is either absolute or, with ROW_QUEUE, an offset inside the fault path's
// TX queue block (tested only on boards that give the fault path a queue).
const ROW_QUEUE: u32 = 1;
// Rows for registers software may write only on the e1000: the i210's TDH and RDH are read-only.
const ROW_E1000: u32 = 2;
// On the i210 RDT writes are ignored while the RX queue is disabled (I210 §8.10.8): the row is
// tested with RXDCTL.ENABLE set and RDT and RXDCTL restored after it (as igb_reg_test does).
const ROW_RX_ENABLED: u32 = 4;

// Reset values (SDM §13 register tables; QEMU mac_reg_init): register, mask, expected, flags.
const RESET_ROWS = 10;
const RESET_TABLE = memory.data<u32>([
  REG_RCTL, 0xffffffff, 0, 0, // receiver off
  REG_TCTL, TCTL_EN, 0, 0, // transmitter off
  REG_IMS, 0xffffffff, 0, 0, // every interrupt masked
  REG_RDLEN, 0xffffffff, 0, 0,
  REG_RDH, 0xffffffff, 0, 0,
  REG_RDT, 0xffffffff, 0, 0,
  REG_TDLEN, 0xffffffff, 0, 0,
  REG_TDH, 0xffffffff, 0, 0,
  REG_TDT, 0xffffffff, 0, 0,
  TXQ_OFF_TXDCTL, TXDCTL_QUEUE_ENABLE, 0, ROW_QUEUE, // i210 §8.12.13: queues > 0 start disabled
]);

// Pattern rows: register, write mask, value mask, compare mask, flags. The test writes
// pattern & write, expects (read & compare) == (pattern & write & value & compare). Value
// masks follow QEMU's write handlers and the SDM: ring lengths keep bits 19:7 (set_dlen),
// heads and tails 15:0 (set_16bit); the low nibble of a base address is not compared
// (some implementations drop it on write, QEMU at use).
const PATTERN_ROWS = 16;
const PATTERN_TABLE = memory.data<u32>([
  REG_RDBAL, 0xffffffff, 0xffffffff, 0xfffffff0, 0,
  REG_RDBAH, 0xffffffff, 0xffffffff, 0xffffffff, 0,
  REG_RDLEN, 0xffffffff, 0x000fff80, 0xffffffff, 0,
  REG_RDH, 0xffffffff, 0x0000ffff, 0xffffffff, ROW_E1000,
  REG_RDT, 0xffffffff, 0x0000ffff, 0xffffffff, ROW_RX_ENABLED,
  REG_TDBAL, 0xffffffff, 0xffffffff, 0xfffffff0, 0,
  REG_TDBAH, 0xffffffff, 0xffffffff, 0xffffffff, 0,
  REG_TDLEN, 0xffffffff, 0x000fff80, 0xffffffff, 0,
  REG_TDH, 0xffffffff, 0x0000ffff, 0xffffffff, ROW_E1000,
  REG_TDT, 0xffffffff, 0x0000ffff, 0xffffffff, 0,
  REG_MTA, 0xffffffff, 0xffffffff, 0xffffffff, 0,
  REG_RAL1, 0xffffffff, 0xffffffff, 0xffffffff, 0,
  REG_RAH1, 0x8000ffff, 0xffffffff, 0xffffffff, 0,
  TXQ_OFF_TDBAL, 0xffffffff, 0xffffffff, 0xfffffff0, ROW_QUEUE,
  TXQ_OFF_TDLEN, 0xffffffff, 0x000fff80, 0xffffffff, ROW_QUEUE,
  TXQ_OFF_TDT, 0xffffffff, 0x0000ffff, 0xffffffff, ROW_QUEUE,
]);

const PATTERNS = memory.data<u32>([0x5a5a5a5a, 0xa5a5a5a5, 0x00000000, 0xffffffff]);
const PATTERN_COUNT = 4;

const RT_READ_RESET = 0;
const RT_CHECK_RESET = 1;
const RT_CHECK_PATTERNS = 2;
const RT_FINISH = 3;

@inline
function cell(table: usize, cols: i32, row: i32, col: i32): u32 {
  return load<u32>(table + <usize>(row * cols + col) * 4);
}

/** True when a row is tested with the i210's RX queue enabled around it. */
function rxEnabledRow(port: i32, flags: u32): bool {
  return (flags & ROW_RX_ENABLED) != 0 && portMultiQueue(port);
}

/** The register a row names on this port, or -1 when the row does not apply. */
function rowReg(port: i32, reg: u32, flags: u32): i32 {
  if ((flags & ROW_E1000) != 0 && portMultiQueue(port)) return -1;
  if ((flags & ROW_QUEUE) == 0) return <i32>reg;
  if (!portHasFaultQueue(port)) return -1;
  return txQueueBase(nicPort(port).faultQueue) + <i32>reg;
}

function fail(code: i32, reg: i32, wrote: u32, read: u32, expect: u32, mask: u32): i32 {
  infoSet(OPINFO_REG, reg);
  infoSet(OPINFO_WROTE, <i32>wrote);
  infoSet(OPINFO_READ, <i32>read);
  infoSet(OPINFO_EXPECT, <i32>expect);
  infoSet(OPINFO_MASK, <i32>mask);
  return code;
}

export function regtestPhase(): i32 {
  const o = nicOp();
  const port = o.port;
  const phase = o.phase;
  const p = nicPort(port);

  if (phase == RT_READ_RESET) {
    let first = -1;
    for (let r = 0; r < RESET_ROWS; r++) {
      const reg = rowReg(port, cell(RESET_TABLE, 4, r, 0), cell(RESET_TABLE, 4, r, 3));
      if (reg < 0) continue;
      const i = opRead(port, reg);
      if (first < 0) first = i;
    }
    if (p.macSet == 1) {
      opRead(port, REG_RAL0);
      opRead(port, REG_RAH0);
    }
    o.readIdx = first;
    o.phase = RT_CHECK_RESET;
    return STEP_IO;
  }

  if (phase == RT_CHECK_RESET) {
    let i = o.readIdx;
    for (let r = 0; r < RESET_ROWS; r++) {
      const reg = rowReg(port, cell(RESET_TABLE, 4, r, 0), cell(RESET_TABLE, 4, r, 3));
      if (reg < 0) continue;
      const mask = cell(RESET_TABLE, 4, r, 1);
      const expect = cell(RESET_TABLE, 4, r, 2);
      const v = opValue(i++);
      infoAdd(OPINFO_CHECKS, 1);
      if ((v & mask) != (expect & mask)) return fail(E_REG_RESET, reg, 0, v, expect, mask);
    }
    if (p.macSet == 1) {
      // The NIC loads RAL0/RAH0 from its EEPROM with Address Valid (SDM §5.6.1, §13.4.28).
      const ral = opValue(i++);
      const rah = opValue(i++);
      infoAdd(OPINFO_CHECKS, 2);
      if (ral != p.ral) return fail(E_REG_RESET, REG_RAL0, 0, ral, p.ral, 0xffffffff);
      const rahWant = p.rah | <u32>RAH_AV;
      if ((rah & 0x8000ffff) != rahWant) return fail(E_REG_RESET, REG_RAH0, 0, rah, rahWant, 0x8000ffff);
    }
    // Patterns: with TX and RX off (checked above), head/tail writes move nothing.
    let first = -1;
    for (let r = 0; r < PATTERN_ROWS; r++) {
      const reg = rowReg(port, cell(PATTERN_TABLE, 5, r, 0), cell(PATTERN_TABLE, 5, r, 4));
      if (reg < 0) continue;
      const write = cell(PATTERN_TABLE, 5, r, 1);
      const rxOn = rxEnabledRow(port, cell(PATTERN_TABLE, 5, r, 4));
      if (rxOn) opWrite(port, REG_RXDCTL, <u32>(I210_RXDCTL_RESET | RXDCTL_QUEUE_ENABLE));
      for (let p = 0; p < PATTERN_COUNT; p++) {
        opWrite(port, reg, load<u32>(PATTERNS + <usize>p * 4) & write);
        const idx = opRead(port, reg);
        if (first < 0) first = idx;
      }
      if (rxOn) {
        opWrite(port, reg, 0);
        opWrite(port, REG_RXDCTL, <u32>I210_RXDCTL_RESET);
      }
    }
    o.readIdx = first;
    o.phase = RT_CHECK_PATTERNS;
    return STEP_IO;
  }

  if (phase == RT_CHECK_PATTERNS) {
    let i = o.readIdx;
    // Read entries alternate with writes: the value of pattern k of the walk is at first + 2k.
    let failed = 0;
    for (let r = 0; r < PATTERN_ROWS && failed == 0; r++) {
      const reg = rowReg(port, cell(PATTERN_TABLE, 5, r, 0), cell(PATTERN_TABLE, 5, r, 4));
      if (reg < 0) continue;
      const write = cell(PATTERN_TABLE, 5, r, 1);
      const value = cell(PATTERN_TABLE, 5, r, 2);
      const cmp = cell(PATTERN_TABLE, 5, r, 3);
      const rxOn = rxEnabledRow(port, cell(PATTERN_TABLE, 5, r, 4));
      if (rxOn) i += 1; // the RXDCTL write before the row
      for (let p = 0; p < PATTERN_COUNT; p++) {
        const wrote = load<u32>(PATTERNS + <usize>p * 4) & write;
        const v = opValue(i);
        i += 2;
        infoAdd(OPINFO_CHECKS, 1);
        const want = wrote & value & cmp;
        if ((v & cmp) != want) {
          failed = fail(E_REG_READBACK, reg, wrote, v, want, cmp);
          break;
        }
      }
      if (rxOn) i += 2; // the restore writes after it
    }
    if (failed != 0) return failed;
    // Leave every tested register as reset left it.
    for (let r = 0; r < PATTERN_ROWS; r++) {
      const reg = rowReg(port, cell(PATTERN_TABLE, 5, r, 0), cell(PATTERN_TABLE, 5, r, 4));
      if (reg >= 0) opWrite(port, reg, 0);
    }
    o.phase = RT_FINISH;
    return STEP_IO;
  }

  return STEP_DONE;
}
