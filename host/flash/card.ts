// A card's flash as the host drives it: the core configured with the board's layout and
// trust (its keys and board id), a device, and one method per operation. The CLI
// (commands.ts), the power-cut campaign and the benchmarks all go through this.

import * as S from "../../assembly/shared/status";
import { Core } from "../core/core";
import { configureTrust } from "../image/verifier";
import { FlashDevice } from "./device";
import { FlashLayout } from "./layout";
import { configureFlash, runFlash, readFlashReport, FlashReport, RoundHook } from "./driver";

export interface CardTrust {
  /** Raw 32-byte public keys the board trusts. */
  keys: Uint8Array[];
  /** The board's id: images for another board are refused. */
  board: string;
}

export class FlashCard {
  readonly core: Core;

  constructor(
    readonly dev: FlashDevice,
    readonly layout: FlashLayout,
    readonly trust: CardTrust,
    core?: Core,
  ) {
    this.core = core ?? Core.load();
    configureTrust(this.core, trust.keys, trust.board);
    configureFlash(this.core, layout, dev);
  }

  private run(begin: () => number, image?: Uint8Array, onRound?: RoundHook): FlashReport {
    const src = image ? (off: number, len: number) => image.subarray(off, off + len) : undefined;
    runFlash(this.core, this.dev, begin, src, onRound);
    return readFlashReport(this.core);
  }

  /** The boot stage: which slot to boot, and why. */
  boot(onRound?: RoundHook): FlashReport {
    return this.run(() => this.core.exports.boot_select(), undefined, onRound);
  }

  /** Writes image to the inactive slot, reads it back, marks it trial. */
  flash(image: Uint8Array, onRound?: RoundHook): FlashReport {
    return this.run(() => this.core.exports.flash_write(image.length), image, onRound);
  }

  /** Manufacture: writes the golden slot (which must be erased). */
  golden(image: Uint8Array, onRound?: RoundHook): FlashReport {
    return this.run(() => this.core.exports.flash_write_golden(image.length), image, onRound);
  }

  confirm(): FlashReport {
    return this.run(() => this.core.exports.flash_confirm());
  }

  revert(): FlashReport {
    return this.run(() => this.core.exports.flash_revert());
  }

  /** The state on flash and (verify) every slot's verdict; writes nothing. */
  status(verify = true): FlashReport {
    return this.run(() => this.core.exports.flash_status(verify ? 1 : 0));
  }
}

export const succeeded = (r: FlashReport) => r.status === S.OK;
