// Arming, at boot: validate the config, take a private copy of it and of the key states,
// build the frame templates. Everything the fault path needs is ready after this; nothing it
// reads is shared with the code that may be running when the fault hits.

import { OK, E_GASP_CONFIG, E_GASP_KEY, E_GASP_NOT_ARMED, E_GASP_FENCED } from "../shared/status";
import {
  GASP_TYPE_GASP, GASP_TYPE_HELLO, GASP_MAX_PORTS, GASP_MAX_COPIES, GASP_ENCAP_RAW, GASP_ENCAP_UDP,
  GASP_CFG_SIZE, GASP_CFG_CHASSIS, GASP_CFG_UNIT, GASP_CFG_ROLE, GASP_CFG_PRIORITY, GASP_CFG_KEY_SLOT,
  GASP_CFG_BOOT, GASP_CFG_EPOCH, GASP_CFG_COPIES, GASP_CFG_PORT_COUNT, GASP_CFG_FLAGS, GASP_CFG_PORTS,
  GASP_CFG_PORT_SIZE, GASP_CFGF_SELF_FENCE, GASP_CP_TAGGED, GASP_CP_TCI, GASP_CP_ENCAPS, GASP_REG_END,
} from "../shared/gasp";
import { VLAN_VID_MASK, VLAN_VID_RESERVED } from "../shared/wire";
import { GASP_BASE } from "../shared/memmap";
import { STATE_GASP_TX, STATE_GASP_TX_CONFIG, STATE_GASP_TX_KEY, STATE_GASP_TX_FRAMES } from "../state";
import { slotAddr, slotValid, slotKeyId, HMAC_SLOT_COUNT, SLOT_INNER, SLOT_OUTER } from "../crypto/hmac";
import { ld8 } from "../lib/mem";
import { emitIdentity } from "./message";
import { buildFrames } from "./template";
import { TX_ARMED, TX_FENCED, TX_SEQ, TX_FRAME_COUNT, SET_GASP, SET_HELLO, setMessage } from "./txstate";

const ENCAP_BITS: i32 = (1 << GASP_ENCAP_RAW) | (1 << GASP_ENCAP_UDP);

/** Checks a config repr; OK or the reason it cannot be armed. */
function validate(cfg: usize): i32 {
  const slot = ld8(cfg + GASP_CFG_KEY_SLOT);
  if (slot >= HMAC_SLOT_COUNT || !slotValid(slot) || slotKeyId(slot) > 0xff) return E_GASP_KEY;
  const copies = ld8(cfg + GASP_CFG_COPIES);
  const ports = ld8(cfg + GASP_CFG_PORT_COUNT);
  if (copies < 1 || copies > GASP_MAX_COPIES || ports < 1 || ports > GASP_MAX_PORTS) return E_GASP_CONFIG;
  if ((ld8(cfg + GASP_CFG_FLAGS) & ~GASP_CFGF_SELF_FENCE) != 0) return E_GASP_CONFIG;
  for (let p = 0; p < ports; p++) {
    const port = cfg + GASP_CFG_PORTS + <usize>(p * GASP_CFG_PORT_SIZE);
    const encaps = ld8(port + GASP_CP_ENCAPS);
    if (encaps == 0 || (encaps & ~ENCAP_BITS) != 0) return E_GASP_CONFIG;
    const tagged = ld8(port + GASP_CP_TAGGED);
    if (tagged > 1) return E_GASP_CONFIG;
    if (tagged == 1 && (<i32>load<u16>(port + GASP_CP_TCI) & VLAN_VID_MASK) == VLAN_VID_RESERVED) return E_GASP_CONFIG;
  }
  return OK;
}

/** Writes both messages' identity blocks from the private config and rebuilds every frame. */
function rebuild(): void {
  const cfg = STATE_GASP_TX_CONFIG;
  const keyId = <i32>slotKeyId(ld8(cfg + GASP_CFG_KEY_SLOT));
  for (let set = SET_GASP; set <= SET_HELLO; set++) {
    emitIdentity(
      setMessage(set), set == SET_GASP ? GASP_TYPE_GASP : GASP_TYPE_HELLO,
      load<u32>(cfg + GASP_CFG_CHASSIS), ld8(cfg + GASP_CFG_UNIT), ld8(cfg + GASP_CFG_ROLE),
      ld8(cfg + GASP_CFG_PRIORITY), keyId, load<u32>(cfg + GASP_CFG_BOOT), load<u32>(cfg + GASP_CFG_EPOCH),
    );
    store<u32>(TX_FRAME_COUNT, <u32>buildFrames(set));
  }
}

/** gasp_arm: returns the number of frames per set (1..8) or a negative status. */
export function gaspArm(cfg: usize): i32 {
  const rc = validate(cfg);
  if (rc != OK) {
    store<u32>(TX_ARMED, 0);
    return rc;
  }
  memory.fill(STATE_GASP_TX, 0, STATE_GASP_TX_FRAMES + 0x200 - STATE_GASP_TX);
  memory.fill(GASP_BASE, 0, GASP_REG_END); // no frame of an earlier arming survives
  memory.copy(STATE_GASP_TX_CONFIG, cfg, GASP_CFG_SIZE);
  const slot = slotAddr(ld8(cfg + GASP_CFG_KEY_SLOT));
  memory.copy(STATE_GASP_TX_KEY, slot + SLOT_INNER, 32);
  memory.copy(STATE_GASP_TX_KEY + 32, slot + SLOT_OUTER, 32);
  store<u64>(TX_SEQ, 0);
  store<u32>(TX_FENCED, 0);
  rebuild();
  store<u32>(TX_ARMED, 1);
  return <i32>load<u32>(TX_FRAME_COUNT);
}

/**
 * gasp_update: a new role, priority or epoch (a takeover, a demotion). Rewrites the
 * templates, so frames of an earlier fire/hello that the ring code has not taken yet are
 * stale afterwards. Refused after a self-fencing gasp: that unit has nothing more to say.
 */
export function gaspUpdate(role: i32, priority: i32, epoch: u32): i32 {
  if (load<u32>(TX_ARMED) != 1) return E_GASP_NOT_ARMED;
  if (load<u32>(TX_FENCED) != 0) return E_GASP_FENCED;
  if (role < 0 || role > 0xff || priority < 0 || priority > 0xff) return E_GASP_CONFIG;
  const cfg = STATE_GASP_TX_CONFIG;
  store<u8>(cfg + GASP_CFG_ROLE, <u8>role);
  store<u8>(cfg + GASP_CFG_PRIORITY, <u8>priority);
  store<u32>(cfg + GASP_CFG_EPOCH, epoch);
  rebuild();
  return OK;
}

export function selfFenceConfigured(): bool {
  return (ld8(STATE_GASP_TX_CONFIG + GASP_CFG_FLAGS) & GASP_CFGF_SELF_FENCE) != 0;
}

export function configuredCopies(): i32 {
  return ld8(STATE_GASP_TX_CONFIG + GASP_CFG_COPIES);
}

export function configuredBoot(): u32 {
  return load<u32>(STATE_GASP_TX_CONFIG + GASP_CFG_BOOT);
}
