// The fault path's entry (assembly/fault/, exports/fault.ts; docs/chassis.md "The fault
// entry"): what fault_arm takes, what fault_fire / fault_step leave behind. Portable (asc +
// tsc): the core, the chassis runtime and the tests read these.
//
//   fault_arm(flags)              at boot, after gasp_arm and the NIC port configuration
//   fault_fire(cause, vector, pcHi, pcLo, upHi, upLo, excerpt, excerptLen)
//                                 the exception handler: the gasp, then the send begins
//   while (fault_step() == STEP_IO) host performs the REGOP list
//   fault_info(field), fault_port_info(port, field)   what happened, per port

// ---- fault_arm flags ----------------------------------------------------------------------------
/**
 * Read every port's STATUS.LU in one round first and take the ports with link before the
 * others. Without it the ports go in board order whatever their link says.
 */
export const FAULT_ARMF_LINK_FIRST = 0x01;
/**
 * Before the fault path's own queue is brought up, disable every other TX queue of a port
 * that carries dialects (i210-like): nothing the dead OS queued (a VRRP advert with its
 * priority, a BFD Up) may follow the dialect frames. Queue 0 taken over on the e1000 needs
 * nothing: its ring is reclaimed (what was queued leaves first) or reset (it never leaves).
 */
export const FAULT_ARMF_QUIESCE = 0x02;
/** Every flag fault_arm knows. */
export const FAULT_ARMF_ALL = FAULT_ARMF_LINK_FIRST | FAULT_ARMF_QUIESCE;

// ---- fault_info(field) --------------------------------------------------------------------------
export const FINFO_ARMED = 0; // 1 after a successful fault_arm
export const FINFO_PORTS = 1; // ports in the plan (the gasp's ports)
export const FINFO_FRAMES = 2; // frames the gasp built (per copy)
export const FINFO_COPIES = 3; // copies of each frame
export const FINFO_ROUNDS = 4; // register-operation rounds (STEP_IO answers) of the last fire
export const FINFO_FIRST_DOORBELL_ROUND = 5; // the round that carried the first doorbell (0: none)
export const FINFO_PORTS_SENT = 6; // ports whose transmit was confirmed by TDH
export const FINFO_PORTS_RUNG = 7; // ports whose doorbell was written at least once
export const FINFO_RESULT = 8; // STEP_DONE, a negative status, or STEP_IO while running
export const FINFO_ORDER = 9; // the port order taken: port i in bits 4i..4i+3, 0xF = none
export const FINFO_SEQ_LO = 10; // the gasp's sequence number (low word)
export const FINFO_FIELDS = 11;

// ---- fault_port_info(port, field) -------------------------------------------------------------
export const FPI_STATUS = 0; // FPS_* or the negative status the port ended with
export const FPI_LINK = 1; // STATUS.LU at the scan: 1 up, 0 down, -1 not scanned
export const FPI_PATH = 2; // PATH_* of the takeover (shared/rings.ts)
export const FPI_QUEUED = 3; // descriptors queued (copies and a lead copy)
export const FPI_FRAMES = 4; // gasp frames (encapsulations) on this port, dialects not counted
export const FPI_DOORBELL_ROUND = 5; // the round that carried this port's first doorbell (0: none)
export const FPI_ESCALATED = 6; // 1: the transmit hung and the port was taken again (device reset)
export const FPI_DIALECTS = 7; // dialect frames on this port (sent after the gasp's, copies back to back)
export const FPI_CARRIER = 8; // 1 carrier dropped (PHY powered down) after everything left; 0 not asked; < 0 why not
export const FPI_QUIESCED = 9; // other TX queues disabled before the fault queue came up
export const FPI_FIELDS = 10;

// ---- per-port status (FPI_STATUS), negative values are statuses (E_LINK_DOWN, E_TX_HUNG...) -------
export const FPS_IDLE = 0; // not in the plan, or not reached yet
export const FPS_RUNG = 1; // frames queued and the doorbell written; confirmation pending
export const FPS_SENT = 2; // the NIC's head reached the tail: the frames left

/** No port in the plan: the nibble fault_info(FINFO_ORDER) holds for an unused position. */
export const FAULT_ORDER_NONE = 0xf;
