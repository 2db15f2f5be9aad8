// The gasp sender's private state (state.ts STATE_GASP_TX*) and where each of its two frame
// sets lives in the GASP region. Set 0 is the gasp, set 1 the hello: separate buffers, so a
// heartbeat never overwrites a gasp the ring code has not sent yet, and the other way round.

import { STATE_GASP_TX, STATE_GASP_TX_FRAMES } from "../state";
import { GASP_BASE } from "../shared/memmap";
import {
  GASP_MAX_FRAMES, GASP_FRAME_BUF, GASP_REG_RESULT, GASP_REG_HELLO_RESULT, GASP_REG_MSG,
  GASP_REG_HELLO_MSG, GASP_REG_FRAMES, GASP_REG_HELLO_FRAMES,
} from "../shared/gasp";

// Control block at STATE_GASP_TX.
export const TX_ARMED: usize = STATE_GASP_TX + 0; // u32 1 after a successful gasp_arm
export const TX_FENCED: usize = STATE_GASP_TX + 4; // u32 1 after a self-fencing gasp
export const TX_SEQ: usize = STATE_GASP_TX + 8; // u64 last sequence number used (0: none yet)
export const TX_FRAME_COUNT: usize = STATE_GASP_TX + 16; // u32 frames per set

export const SET_GASP: i32 = 0;
export const SET_HELLO: i32 = 1;

// Per-frame metadata, FM_SIZE bytes, computed at arm time so the fault path only adds.
export const FM_SIZE: usize = 32;
export const FM_ADDR: usize = 0; // u32 frame address in linear memory
export const FM_MSG_OFF: usize = 4; // u16 offset of the message in the frame
export const FM_IP_OFF: usize = 6; // u16 offset of the IPv4 header (UDP frames)
export const FM_PORT: usize = 8; // u8
export const FM_ENCAP: usize = 9; // u8 GASP_ENCAP_*
export const FM_BASE_TOTAL: usize = 10; // u16 IPv4 total length for an empty excerpt
export const FM_BASE_IPSUM: usize = 12; // u16 IPv4 header checksum for an empty excerpt
export const FM_UDP_SUM: usize = 16; // u64 partial UDP sum of everything fixed for the boot

export function frameMeta(set: i32, i: i32): usize {
  return STATE_GASP_TX_FRAMES + (<usize>(set * GASP_MAX_FRAMES + i)) * FM_SIZE;
}

export function setMessage(set: i32): usize {
  return <usize>(GASP_BASE + (set == SET_GASP ? GASP_REG_MSG : GASP_REG_HELLO_MSG));
}

export function setResult(set: i32): usize {
  return <usize>(GASP_BASE + (set == SET_GASP ? GASP_REG_RESULT : GASP_REG_HELLO_RESULT));
}

export function setFrame(set: i32, i: i32): usize {
  return <usize>(GASP_BASE + (set == SET_GASP ? GASP_REG_FRAMES : GASP_REG_HELLO_FRAMES) + i * GASP_FRAME_BUF);
}
