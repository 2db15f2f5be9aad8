// The typed state structs fit the places state.ts gives them. Every operand is a compile-time
// constant, so this folds to a constant; init() refuses to run (E_LAYOUT) when it is false,
// as it does when the compiler's static data outgrows its region.

import {
  STATE_NIC_OP, STATE_NIC_OP_INFO, STATE_NIC_TUNE, STATE_NIC_REGOPS, STATE_NIC_PORTS, STATE_NIC_TXQ,
  STATE_NIC_FAULTQ, STATE_NIC_RXQ, STATE_NIC_BASE, STATE_NIC_SIZE, NIC_PORT_STRIDE, NIC_QUEUE_STRIDE,
  STATE_NIC_SLOT_BUFS_SIZE, STATE_FAULT_PLAN, STATE_FAULT_PORTS, STATE_FAULT_BASE, STATE_FAULT_SIZE,
  FAULT_PORT_STRIDE, SW_ST_STAGE, SW_STAGE_MAX, SW_STAGE_STRIDE, STATE_SWITCH_BASE, STATE_SWITCH_SIZE,
  STATE_DIALECT_CTL, STATE_DIALECT_SLOTS, STATE_DIALECT_BASE, STATE_DIALECT_SIZE, DIALECT_SLOT_STRIDE,
} from "./state";
import { DIALECT_MAX_FRAMES } from "./shared/dialect";
import { DialectCtl, DialectSlot } from "./dialect/state";
import { NIC_MAX_PORTS, NIC_BUF_SIZE, OPINFO_FIELDS, TUNE_FIELDS, TX_RING_MAX, RX_RING_MAX } from "./shared/rings";
import { GASP_MAX_PORTS } from "./shared/gasp";
import { ENG_CTX_SIZE, ENG_BATCH_MAX } from "./shared/engine";
import { NicOp } from "./nic/op";
import { NicPort } from "./nic/port";
import { TxQueue } from "./nic/txq";
import { RxQueue } from "./nic/rxq";
import { BUF_SHIFT } from "./nic/bufs";
import { FaultPlan, FaultPort } from "./fault/state";
import { EngineContext, X_COUNTERS } from "./engine/context";
import { ParseResult } from "./switch/parse";
import { STAGE_LOOK_AT } from "./switch/batch";
import { ConnPlan } from "./switch/conntable";

export function stateLayoutOk(): bool {
  return (
    STATE_NIC_OP + offsetof<NicOp>() <= STATE_NIC_OP_INFO &&
    STATE_NIC_OP_INFO + <usize>OPINFO_FIELDS * 4 <= STATE_NIC_TUNE &&
    STATE_NIC_TUNE + <usize>TUNE_FIELDS * 4 <= STATE_NIC_REGOPS &&
    offsetof<NicPort>() <= NIC_PORT_STRIDE && STATE_NIC_PORTS + <usize>NIC_MAX_PORTS * NIC_PORT_STRIDE <= STATE_NIC_TXQ &&
    offsetof<TxQueue>() <= NIC_QUEUE_STRIDE && offsetof<RxQueue>() <= NIC_QUEUE_STRIDE &&
    STATE_NIC_TXQ + <usize>NIC_MAX_PORTS * NIC_QUEUE_STRIDE <= STATE_NIC_FAULTQ &&
    STATE_NIC_FAULTQ + <usize>NIC_MAX_PORTS * NIC_QUEUE_STRIDE <= STATE_NIC_RXQ &&
    STATE_NIC_RXQ + <usize>NIC_MAX_PORTS * NIC_QUEUE_STRIDE <= STATE_NIC_BASE + STATE_NIC_SIZE &&
    <usize>(NIC_MAX_PORTS * (TX_RING_MAX + RX_RING_MAX) * 2) <= STATE_NIC_SLOT_BUFS_SIZE &&
    1 << BUF_SHIFT == NIC_BUF_SIZE &&
    STATE_FAULT_PLAN + offsetof<FaultPlan>() <= STATE_FAULT_PORTS &&
    offsetof<FaultPort>() <= FAULT_PORT_STRIDE &&
    STATE_FAULT_PORTS + <usize>GASP_MAX_PORTS * FAULT_PORT_STRIDE <= STATE_FAULT_BASE + STATE_FAULT_SIZE &&
    offsetof<EngineContext>() <= X_COUNTERS && <usize>ENG_CTX_SIZE > X_COUNTERS &&
    offsetof<ParseResult>() <= STAGE_LOOK_AT && STAGE_LOOK_AT + offsetof<ConnPlan>() <= SW_STAGE_STRIDE &&
    SW_STAGE_MAX >= ENG_BATCH_MAX &&
    SW_ST_STAGE + <usize>SW_STAGE_MAX * SW_STAGE_STRIDE <= STATE_SWITCH_BASE + STATE_SWITCH_SIZE &&
    STATE_DIALECT_CTL + offsetof<DialectCtl>() + 16 <= STATE_DIALECT_SLOTS && offsetof<DialectSlot>() <= DIALECT_SLOT_STRIDE &&
    STATE_DIALECT_SLOTS + <usize>DIALECT_MAX_FRAMES * DIALECT_SLOT_STRIDE <= STATE_DIALECT_BASE + STATE_DIALECT_SIZE
  );
}
