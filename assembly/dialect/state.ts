// The dialects' core-only state (state.ts STATE_DIALECT_*): the control block and one slot per
// armed frame. Typed structs at fixed addresses, never allocated. The frames and the table the
// fault entry sends from are in the GASP region (shared/dialect.ts DIALECT_REG_*).

import { STATE_DIALECT_BASE, STATE_DIALECT_SIZE, STATE_DIALECT_CTL, STATE_DIALECT_SLOTS, DIALECT_SLOT_STRIDE } from "../state";
import { GASP_BASE } from "../shared/memmap";
import { DIALECT_REG_TABLE, DIALECT_REG_FRAMES, DIALECT_REG_END, DIALECT_FRAME_BUF, DIALECT_MAX_FRAMES } from "../shared/dialect";

@unmanaged
export class DialectCtl {
  count: i32; // slots in use: highest armed index + 1
  carrierMask: u32; // ports whose carrier the fault entry drops once everything left
  drainUs: i32; // the wait before the drop (the NIC's TX FIFO drains)
  reserved: i32;
  // +16: 16 bytes of scratch, the peer's OAM TLV kept across a re-arm (peerTlv)

  /** Scratch for the peer's OAM TLV while its slot is re-armed. */
  get peerTlv(): usize {
    return changetype<usize>(this) + 16;
  }
}

@unmanaged
export class DialectSlot {
  armed: u32; // 1 when the slot holds a frame
  kind: i32; // DIALECT_*
  port: i32;
  copies: i32;
  family: i32; // 4 / 6 (0 for OAM)
  len: i32; // frame length
  id: i32; // VRID, BFD source port
  oamFlagsOff: i32; // OAM: offset of the flags field in the frame (patched per cause)
  oamRemoteOff: i32; // OAM: offset of the Remote Information TLV in the frame
  oamBaseFlags: i32; // OAM: the flags armed (Dying Gasp and the discovery state)
  peerKnown: i32; // OAM: 1 once the peer's Local Information TLV was learned
}

@inline
export function dialectCtl(): DialectCtl {
  return changetype<DialectCtl>(STATE_DIALECT_CTL);
}

@inline
export function dialectSlot(i: i32): DialectSlot {
  return changetype<DialectSlot>(STATE_DIALECT_SLOTS + <usize>i * DIALECT_SLOT_STRIDE);
}

/** The frame buffer of slot i in the GASP region. */
@inline
export function dialectFrame(i: i32): usize {
  return <usize>(GASP_BASE + DIALECT_REG_FRAMES + i * DIALECT_FRAME_BUF);
}

@inline
export function dialectTable(): usize {
  return <usize>(GASP_BASE + DIALECT_REG_TABLE);
}

/** Forgets every dialect: state, frames and table wiped (init, dialect_clear). */
export function dialectReset(): void {
  memory.fill(STATE_DIALECT_BASE, 0, STATE_DIALECT_SIZE);
  memory.fill(<usize>(GASP_BASE + DIALECT_REG_TABLE), 0, <usize>(DIALECT_REG_END - DIALECT_REG_TABLE));
}

/** Descriptors the armed dialects put on port's fault ring (copies of every frame on it). */
export function dialectDescriptorsOn(port: i32): i32 {
  const n = min<i32>(dialectCtl().count, DIALECT_MAX_FRAMES);
  let d = 0;
  for (let i = 0; i < n; i++) {
    const s = dialectSlot(i);
    if (s.armed == 1 && s.port == port) d += s.copies;
  }
  return d;
}
