// Conformance script "flash": the boot stage and the flasher through a card's life on a small
// NAND with bad blocks — manufacture, an update, trial boot, confirm, an update whose trial
// reverts, a status — every round of flash operations as the core lists them (digested) and
// the host's answers (read data, fetched image bytes, results) placed as pokes, so every
// engine must ask for the same operations and decide the same slot. The answers come from
// the flash model, driven from a V8 core while the script is built.

import * as L from "../../../assembly/shared/flash";
import { FLASH_OP_BASE, FLASH_INFO_BASE, FLASH_WINDOW_BASE } from "../../../assembly/shared/memmap";
import { STEP_IO } from "../../../assembly/shared/regop";
import { Core } from "../../../host/core/core";
import { configureTrust } from "../../../host/image/verifier";
import { layoutBytes } from "../../../host/flash/layout";
import { FlashModel } from "../../../host/flash/model";
import { FLASH_CONFIG_SLOT } from "../../../host/flash/driver";
import type { Call } from "../engines";
import { testKey } from "../image";
import { NAND_LAYOUT, NAND_BAD_BLOCKS, geometryOf, sizedImage } from "../flash";
import { poke32, PUB, BOARD } from "./image";
import type { ConformanceSource } from "./index";

function build(): Call[] {
  const s: Call[] = [["abi_version"], ["init"], ["selftest"]];
  const key = testKey(11);
  const core = Core.load(); // the V8 instance the model answers, call for call with the script
  configureTrust(core, [key.pub], "linecard-a");
  poke32(s, PUB, key.pub);
  s.push(["img_trust_key", 0, PUB]);
  const board = new TextEncoder().encode("linecard-a");
  poke32(s, BOARD, board);
  s.push(["img_trust_board", BOARD, board.length]);
  const dev = FlashModel.inMemory(geometryOf(NAND_LAYOUT), { badBlocks: NAND_BAD_BLOCKS });
  const cfg = layoutBytes(NAND_LAYOUT, dev.geometry);
  const slot = Core.slot(FLASH_CONFIG_SLOT);
  core.write(slot, cfg);
  core.exports.flash_config(slot);
  poke32(s, slot, cfg);
  s.push(["flash_config", slot]);

  const run = (begin: [string, ...number[]], image?: Uint8Array) => {
    const [fn, ...args] = begin;
    core.exports[fn](...args);
    s.push([fn, ...args]);
    for (let round = 0; round < 1000; round++) {
      const rc = core.exports.flash_step();
      s.push(["flash_step"]);
      if (rc !== STEP_IO) {
        s.push(["region_digest", FLASH_INFO_BASE, L.FI_SLOTS + L.FL_REGIONS * L.FI_SLOT_SIZE]);
        return;
      }
      const v = core.view;
      const n = v.getUint32(FLASH_OP_BASE + L.FOP_OFF_COUNT, true);
      s.push(["region_digest", FLASH_OP_BASE, L.FOP_OFF_ENTRIES + n * L.FOP_ENTRY_SIZE]);
      // Perform as host/flash/driver.ts does, and place every answer in the script too.
      for (let i = 0; i < n; i++) {
        const e = FLASH_OP_BASE + L.FOP_OFF_ENTRIES + i * L.FOP_ENTRY_SIZE;
        const kind = v.getUint32(e + L.FOP_E_KIND, true);
        const addr = v.getUint32(e + L.FOP_E_ADDR, true);
        const w = FLASH_WINDOW_BASE + v.getUint32(e + L.FOP_E_WIN, true);
        const len = v.getUint32(e + L.FOP_E_LEN, true);
        let result = 0;
        if (kind === L.FOP_READ || kind === L.FOP_FETCH) {
          const data = new Uint8Array(len);
          if (kind === L.FOP_READ) dev.read(addr, data);
          else data.set(image!.subarray(addr, addr + len));
          core.write(w, data);
          poke32(s, w, data);
        } else if (kind === L.FOP_ERASE) dev.erase(addr);
        else if (kind === L.FOP_PROGRAM) dev.program(addr, core.read(w, len));
        else if (kind === L.FOP_ISBAD) result = dev.isBad(addr) ? 1 : 0;
        v.setInt32(e + L.FOP_E_RESULT, result, true);
        s.push(["mem_store32", e + L.FOP_E_RESULT, result]);
      }
    }
    throw new Error("conformance flash: an operation did not end");
  };
  const golden = sizedImage(key, 1, 1, 3000, 31);
  const v1 = sizedImage(key, 1, 1, 5000, 32);
  const v2 = sizedImage(key, 2, 2, 4500, 33);
  run(["boot_select"]); // blank: nothing to boot
  run(["flash_write_golden", golden.length], golden);
  run(["flash_write", v1.length], v1);
  run(["boot_select"]);
  run(["flash_confirm"]);
  run(["flash_write", v2.length], v2);
  for (let i = 0; i <= NAND_LAYOUT.trialAttempts; i++) run(["boot_select"]); // trial boots, then the revert
  run(["flash_status", 1]);
  return s;
}

export const flash: ConformanceSource = {
  name: "flash",
  description: "the boot stage and the flasher on a small NAND with bad blocks: manufacture, update, trial, confirm, a trial that reverts, status; every round's operations and every verdict",
  build,
};
