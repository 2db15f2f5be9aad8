// The "i210-like" model: the e1000 model with the i210's multiple TX queues (I210 datasheet
// §7.2, §8.12): TDBAL(n)..TXDCTL(n) at txQueueBase(n) and aliased at 0xE000 + 0x40*n, TDH
// read-only, TXDCTL.ENABLE that takes effect (and reads back) only after a short latency,
// zeroes TDH/TDT when set, and never clears while a hung queue still has work. Each queue
// has its own engine, so a fault path can own one (say queue 1) whatever a crashed driver
// left on queue 0. Not a full i210: one RX queue, legacy interrupts, no head write-back.

import * as R from "../../assembly/shared/e1000";
import { E1000, type E1000Options } from "./e1000";

export class I210 extends E1000 {
  constructor(opts: Omit<E1000Options, "txQueues"> & { txQueues?: number }) {
    const txQueues = opts.txQueues ?? R.I210_TX_QUEUES;
    if (txQueues < 2) throw new RangeError(`${opts.name}: the i210-like model has 2..${R.I210_TX_QUEUES} TX queues`);
    super({ ...opts, txQueues });
  }
}
