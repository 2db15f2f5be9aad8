// Arming the dialects, at boot and whenever what the peer knows changes: a frame per slot,
// built from a config repr (build.ts); a slot re-armed in place (a BFD session's new
// discriminators or source port: the armed frame is never stale); the peer's OAM Local
// Information TLV learned from a received OAMPDU; the carrier drop's ports. A refusal leaves
// the slot as it was.

import { OK, E_DIALECT_CONFIG, E_DIALECT_FULL, E_DIALECT_INDEX, E_DIALECT_KIND, E_DIALECT_RING, E_DIALECT_PEER } from "../shared/status";
import {
  DIALECT_VRRP, DIALECT_BFD, DIALECT_OAM, DIALECT_MAX_FRAMES, DIALECT_FRAME_BUF, DC_PORT, DC_COPIES,
  DIALECT_CARRIER_DRAIN_MAX_US,
} from "../shared/dialect";
import { GASP_MAX_PORTS } from "../shared/gasp";
import { ETHERTYPE_SLOW, SLOW_SUBTYPE_OAM, OAM_CODE_INFORMATION, OAM_TLV_LOCAL_INFO, OAM_TLV_REMOTE_INFO, OAM_INFO_TLV_LEN, OAM_INFO_OFF_TYPE, OAM_INFO_OFF_LEN } from "../shared/wire";
import { ld8, st8, st16be, memEqual } from "../lib/mem";
import { ethHeaderLength, ethPayloadType } from "../wire/ethernet";
import { oamSubtype, oamCode, oamFindTlv } from "../wire/oampdu";
import { DialectSlot, dialectCtl, dialectSlot, dialectFrame, dialectDescriptorsOn, dialectReset } from "./state";
import { buildVrrp, buildBfd, buildOam, oamDiscoveryFlags } from "./build";
import { faultRingFits } from "../fault/entry";

/** The peer's TLV kept across an OAM re-arm (16 bytes), in the control block's scratch. */
function build(kind: i32, cfg: usize, f: usize, s: DialectSlot): i32 {
  switch (kind) {
    case DIALECT_VRRP: return buildVrrp(cfg, f, s);
    case DIALECT_BFD: return buildBfd(cfg, f, s);
    case DIALECT_OAM: return buildOam(cfg, f, s);
  }
  return E_DIALECT_KIND;
}

/**
 * Builds into slot index (free, or being re-armed with the same kind). The port's fault ring
 * must still hold everything once this frame's copies are counted. The builders validate the
 * whole config before they write a byte, so a refusal leaves the slot as it was. An OAM
 * re-arm keeps the peer's TLV it had learned.
 */
function place(index: i32, kind: i32, cfg: usize): i32 {
  if (kind < DIALECT_VRRP || kind > DIALECT_OAM) return E_DIALECT_KIND;
  const port = ld8(cfg + DC_PORT);
  if (port >= GASP_MAX_PORTS) return E_DIALECT_CONFIG;
  const s = dialectSlot(index);
  const others = dialectDescriptorsOn(port) - (s.armed == 1 && s.port == port ? s.copies : 0);
  if (!faultRingFits(port, others + ld8(cfg + DC_COPIES))) return E_DIALECT_RING;
  const f = dialectFrame(index);
  const keepPeer = s.armed == 1 && kind == DIALECT_OAM && s.peerKnown == 1;
  const saved = dialectCtl().peerTlv;
  if (keepPeer) memory.copy(saved, f + <usize>s.oamRemoteOff, OAM_INFO_TLV_LEN);
  const len = build(kind, cfg, f, s);
  if (len < 0) return len;
  if (keepPeer) {
    memory.copy(f + <usize>s.oamRemoteOff, saved, OAM_INFO_TLV_LEN);
    s.peerKnown = 1;
    s.oamBaseFlags = oamDiscoveryFlags(true);
    st16be(f + <usize>s.oamFlagsOff, s.oamBaseFlags);
  }
  s.armed = 1;
  const c = dialectCtl();
  if (index >= c.count) c.count = index + 1;
  return index;
}

/** dialect_arm: the first free slot gets the frame. Its index, or a negative status. */
export function dialectArm(kind: i32, cfg: usize): i32 {
  for (let i = 0; i < DIALECT_MAX_FRAMES; i++) if (dialectSlot(i).armed == 0) return place(i, kind, cfg);
  return E_DIALECT_FULL;
}

/** dialect_rearm: slot index rebuilt from a new config of the same kind. */
export function dialectRearm(index: i32, kind: i32, cfg: usize): i32 {
  if (index < 0 || index >= DIALECT_MAX_FRAMES || dialectSlot(index).armed == 0) return E_DIALECT_INDEX;
  if (dialectSlot(index).kind != kind) return E_DIALECT_KIND;
  return place(index, kind, cfg);
}

/** dialect_disarm: the slot sends nothing any more. */
export function dialectDisarm(index: i32): i32 {
  if (index < 0 || index >= DIALECT_MAX_FRAMES || dialectSlot(index).armed == 0) return E_DIALECT_INDEX;
  memory.fill(changetype<usize>(dialectSlot(index)), 0, offsetof<DialectSlot>());
  memory.fill(dialectFrame(index), 0, DIALECT_FRAME_BUF);
  const c = dialectCtl();
  while (c.count > 0 && dialectSlot(c.count - 1).armed == 0) c.count--;
  return OK;
}

export function dialectClear(): i32 {
  dialectReset();
  return OK;
}

/**
 * dialect_oam_learn: a received frame; if it is an Information OAMPDU with a Local Information
 * TLV, that TLV is echoed as our Remote Information TLV from now on. 1 when the armed frame
 * changed, 0 when it already echoed the same bytes, or a negative status.
 */
export function dialectOamLearn(index: i32, buf: usize, len: i32): i32 {
  if (index < 0 || index >= DIALECT_MAX_FRAMES || dialectSlot(index).armed == 0) return E_DIALECT_INDEX;
  const s = dialectSlot(index);
  if (s.kind != DIALECT_OAM) return E_DIALECT_KIND;
  const hl = ethHeaderLength(buf, len);
  if (hl < 0 || ethPayloadType(buf, hl) != ETHERTYPE_SLOW || len - hl < 4) return E_DIALECT_PEER;
  const o = buf + <usize>hl;
  if (oamSubtype(o) != SLOW_SUBTYPE_OAM || oamCode(o) != OAM_CODE_INFORMATION) return E_DIALECT_PEER;
  const at = oamFindTlv(o, len - hl, OAM_TLV_LOCAL_INFO);
  if (at < 0 || ld8(o + <usize>at + OAM_INFO_OFF_LEN) != OAM_INFO_TLV_LEN) return E_DIALECT_PEER;
  const f = dialectFrame(index);
  const remote = f + <usize>s.oamRemoteOff;
  const tlv = o + <usize>at;
  // Compare everything after the type byte (ours says Remote, theirs Local).
  if (s.peerKnown == 1 && memEqual(remote + 1, tlv + 1, OAM_INFO_TLV_LEN - 1)) return 0;
  memory.copy(remote, tlv, OAM_INFO_TLV_LEN);
  st8(remote + OAM_INFO_OFF_TYPE, OAM_TLV_REMOTE_INFO);
  s.peerKnown = 1;
  s.oamBaseFlags = oamDiscoveryFlags(true);
  st16be(f + <usize>s.oamFlagsOff, s.oamBaseFlags);
  return 1;
}

/** dialect_carrier: the ports (bit mask) whose carrier the fault entry drops, and the drain before. */
export function dialectCarrier(mask: i32, drainUs: i32): i32 {
  if ((mask & ~((1 << GASP_MAX_PORTS) - 1)) != 0 || drainUs < 0 || drainUs > DIALECT_CARRIER_DRAIN_MAX_US) return E_DIALECT_CONFIG;
  const c = dialectCtl();
  c.carrierMask = <u32>mask;
  c.drainUs = drainUs;
  return OK;
}
