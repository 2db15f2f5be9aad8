// nic_step(): drives the register operation in progress one round further. Clears the
// operation list, runs the current phase (which first consumes the values the host read last
// round, then pushes new operations), and chains phases that need no I/O. Returns STEP_IO
// (operations pending), STEP_DONE, or a negative status; either of the last two ends the
// operation.

import { STEP_IO, STEP_DONE } from "../shared/regop";
import { E_NO_OP, E_STATE } from "../shared/status";
import {
  OP_NONE, OP_TX_INIT, OP_RX_INIT, OP_LINK_WAIT, OP_TX_DOORBELL, OP_RX_DOORBELL,
  OP_TX_RECLAIM_HEAD, OP_TX_CONFIRM, OP_TAKEOVER, OP_FAULT_SEND, OP_REGTEST, OPINFO_ROUNDS,
} from "../shared/rings";
import { opsClear, opsCount, opsTruncate } from "./ops";
import { nicOp, opEnd, infoAdd, CONTINUE } from "./op";
import { portMultiQueue } from "./port";
import { txInitPhase, rxInitPhase, linkWaitPhase, txDoorbellPhase, rxDoorbellPhase, txReclaimHeadPhase } from "./setup";
import { txConfirmPhase } from "./confirm";
import { txQueueInitPhase } from "./qenable";
import { takeoverPhase } from "./takeover";
import { regtestPhase } from "./regtest";

// More chained phases than any operation has: reaching it is a core bug, not a NIC state.
const MAX_CHAIN = 32;

function runPhase(op: i32): i32 {
  switch (op) {
    case OP_TX_INIT: return portMultiQueue(nicOp().port) ? txQueueInitPhase() : txInitPhase();
    case OP_RX_INIT: return rxInitPhase();
    case OP_LINK_WAIT: return linkWaitPhase();
    case OP_TX_DOORBELL: return txDoorbellPhase();
    case OP_RX_DOORBELL: return rxDoorbellPhase();
    case OP_TX_RECLAIM_HEAD: return txReclaimHeadPhase();
    case OP_TX_CONFIRM: return txConfirmPhase();
    case OP_TAKEOVER:
    case OP_FAULT_SEND: return takeoverPhase();
    case OP_REGTEST: return regtestPhase();
  }
  return E_NO_OP;
}

export function nicStep(): i32 {
  if (nicOp().op == OP_NONE) return E_NO_OP;
  opsClear();
  const rc = nicAdvance();
  if (rc != STEP_IO) opsClear();
  return rc;
}

/**
 * One round of the operation in progress without starting a new list: the caller (the
 * fault path, assembly/fault/) may have pushed operations of its own this round, and
 * operations of several NIC operations then travel in one round. A phase that ends the
 * operation with STEP_DONE may leave writes in the list for the caller to hand over (a
 * takeover begun with THEN_HANDOFF does); on an error the operations this call pushed are
 * dropped.
 */
export function nicAdvance(): i32 {
  const op = nicOp().op;
  if (op == OP_NONE) return E_NO_OP;
  const base = opsCount();
  let rc: i32 = CONTINUE;
  for (let hop = 0; hop < MAX_CHAIN && rc == CONTINUE; hop++) rc = runPhase(op);
  if (rc == CONTINUE) rc = E_STATE;
  if (rc == STEP_IO) {
    infoAdd(OPINFO_ROUNDS, 1);
    return STEP_IO;
  }
  if (rc != STEP_DONE) opsTruncate(base);
  opEnd();
  return rc;
}
