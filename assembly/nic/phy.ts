// The internal PHY through MDIC (8254x SDM §13.4.6, I210 §8.2.4): the carrier drop the fault
// entry asks for last. Writing the MII control register with POWER_DOWN (IEEE 802.3
// 22.2.4.1.5) takes the link down at both ends; CTRL.SLU would only make the MAC ignore it.

import {
  REG_MDIC, MDIC_OP_WRITE, MDIC_READY, MDIC_ERROR, MDIC_REG_SHIFT, MDIC_PHY_SHIFT, PHY_ADDR_INTERNAL,
  PHY_REG_CTRL, PHY_CTRL_RESET_VALUE, MII_CR_POWER_DOWN,
} from "../shared/e1000";
import { opWrite, opRead } from "./ops";

/** Appends the power-down write and a read of MDIC; returns the read's REGOP index. */
export function phyPowerDownBegin(port: i32): i32 {
  opWrite(port, REG_MDIC, <u32>(MDIC_OP_WRITE | (PHY_ADDR_INTERNAL << MDIC_PHY_SHIFT) | (PHY_REG_CTRL << MDIC_REG_SHIFT) | (PHY_CTRL_RESET_VALUE | MII_CR_POWER_DOWN)));
  return opRead(port, REG_MDIC);
}

/** Appends another read of MDIC; its REGOP index. */
export function phyPoll(port: i32): i32 {
  return opRead(port, REG_MDIC);
}

/** An MDIC value read back: 1 done, 0 still running, -1 the PHY answered an error. */
export function phyAnswer(v: u32): i32 {
  if ((v & <u32>MDIC_ERROR) != 0) return -1;
  return (v & <u32>MDIC_READY) != 0 ? 1 : 0;
}
