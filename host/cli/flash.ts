// `lastgasp flash | boot | confirm | revert | flash-status`: power-safe flashing and the
// core's boot stage (docs/flashing.md). The work is in host/flash/commands.ts; this file
// parses and prints. Exit status: 0 done; 1 refused or failed, one line with the reason;
// 2 bad input (board, image, key, target), the flash untouched. The five commands share
// their options and printing, so they live in this one module (commands.ts loads each by
// its export: `command` is flash).

import { Command, Parsed, InputError, requireString } from "./command";
import { FlashInputError, FlashRefusedError, CardRequest, flashImage, bootCard, confirmCard, revertCard, cardStatus, bootExplanation, reasonText } from "../flash/commands";
import { FlashReport, StateRecord } from "../flash/driver";

const TARGET_HELP = `  --board B     the card's board file: its flash layout and trustedKeys (docs/boards.md)
  --target T    /dev/mtdN (a Linux MTD device), or a flash model file (NOR or NAND as the
                board says; lastgasp flash creates it, erased, when missing)
  --pubkey P    a trusted public key (repeatable); default: every *.pub in the board file's
                keys/ directory whose id the board lists
  --json        the core's whole report as JSON`;

const COMMON = { board: { type: "string" as const }, target: { type: "string" as const }, pubkey: { type: "string" as const, multiple: true }, json: { type: "boolean" as const } };

function request(args: Parsed): CardRequest {
  const pub = args.values.pubkey as string[] | undefined;
  return { boardFile: requireString(args, "board"), target: requireString(args, "target"), pubkeys: pub };
}

/** Runs f, mapping the flash errors to the exit-code convention (anything else is a bug: main's exit 70). */
function guarded(name: string, json: boolean, f: () => number): number {
  try {
    return f();
  } catch (e) {
    if (e instanceof FlashInputError) throw new InputError(e.message);
    if (e instanceof FlashRefusedError) {
      if (json) console.log(JSON.stringify({ ok: false, error: e.message, report: e.report ?? null }, null, 2));
      console.error(`lastgasp ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const stateLine = (s: StateRecord) =>
  `confirmed ${s.confirmed ?? "none"}, trial ${s.trial ? `${s.trial} (${s.attemptsLeft} of ${s.attemptsGiven} boots left)` : "none"}, security counter ${s.securityCounter}, sequence ${s.seq}`;

function slotsText(r: FlashReport): string[] {
  return r.slots.map((s) => {
    const img = s.version !== undefined ? `version ${s.version}, security counter ${s.securityCounter}, ${s.length} bytes, id ${s.imageId ?? "?"}` : "";
    const verdict = s.verdict === "ok" ? "valid" : s.verdict === "not checked" ? "not checked" : `refused: ${reasonText(s.status)}`;
    return `  ${s.slot.padEnd(6)} ${verdict}${img ? `; ${img}` : ""}${s.badBlocks ? ` (${s.badBlocks} bad blocks)` : ""}`;
  });
}

export const command: Command = {
  usage: "flash --board B --image FILE --target T [--golden] [--pubkey P] [--json]",
  details: `The image is checked first as the card would check it (Ed25519 signature under a key the
board trusts, built for this board, security counter not below the card's); then the core
writes the slot it does not boot from (never the golden one), reads it back and verifies it
(SHA-256 of what was written against what came back, and the signature again: a read that
returns no error is not trusted), and marks it trial. Boot it (lastgasp boot), then confirm
it (lastgasp confirm); unconfirmed, it reverts after the board's trialAttempts boots.

${TARGET_HELP}
  --image FILE  the signed image (lastgasp image build)
  --golden      manufacture: write the golden slot instead; it must be erased

exit status: 0 written and marked trial; 1 refused (signature, key, board, security counter)
or the write failed; 2 bad input (board, image, key, target), the flash untouched.

examples:
  lastgasp flash --board boards/linecard-a.json --image build/linecard-a.img --target build/card-a.flash --golden
  lastgasp flash --board boards/linecard-a.json --image build/linecard-a.img --target build/card-a.flash
  sudo lastgasp flash --board boards/linecard-b.json --image b.img --target /dev/mtd0`,
  options: { ...COMMON, image: { type: "string" }, golden: { type: "boolean" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const json = args.values.json === true;
    return guarded("flash", json, () => {
      const o = flashImage({ ...request(args), imageFile: requireString(args, "image"), golden: args.values.golden === true });
      const r = o.report;
      if (json) console.log(JSON.stringify({ ok: true, slot: r.target, kept: r.keep, device: o.device, imageSize: o.imageSize, version: o.version, securityCounter: o.securityCounter, report: r }, null, 2));
      else if (args.values.golden) console.log(`wrote golden on ${o.device}: ${o.imageSize} bytes, version ${o.version}; read back and verified by the core`);
      else {
        console.log(`wrote slot ${r.target} on ${o.device}: ${o.imageSize} bytes, version ${o.version}, security counter ${o.securityCounter}; read back and verified by the core`);
        console.log(`marked trial: ${r.state.attemptsGiven} boots to confirm it (lastgasp confirm), or it reverts; kept ${r.keep ? `slot ${r.keep}, what the card boots until then` : "no other slot (the card boots golden until then)"} (${r.rounds} rounds of flash operations)`);
      }
      return 0;
    });
  },
};

export const boot: Command = {
  usage: "boot --board B --target T [--pubkey P] [--json]",
  details: `What the card's boot stage does at power-on: read the state (two copies), verify the slot
it would boot (SHA-256 of each part, Ed25519 signature, board, security counter) before
choosing it — a pending trial while it has boots left (one is spent, on flash, before it
runs), else the confirmed slot, else the other slot, else golden. A trial whose boots are
used up without a confirm is reverted. A confirmed card writes nothing.

${TARGET_HELP}

exit status: 0 a slot was chosen; 1 nothing to boot (or a flash error); 2 bad input.`,
  options: COMMON,
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const json = args.values.json === true;
    return guarded("boot", json, () => {
      const r = bootCard(request(args));
      const slot = r.slots.find((s) => s.slot === r.chosen);
      if (json) console.log(JSON.stringify({ ok: true, chosen: r.chosen, reason: r.reason, explanation: bootExplanation(r), report: r }, null, 2));
      else {
        console.log(`boot: slot ${r.chosen} (${r.reason}): version ${slot?.version}, security counter ${slot?.securityCounter}`);
        console.log(`  why: ${bootExplanation(r)}`);
        console.log(`  state: ${stateLine(r.state)}`);
      }
      return 0;
    });
  },
};

export const confirm: Command = {
  usage: "confirm --board B --target T [--pubkey P] [--json]",
  details: `The trial must have been booted at least once and must still verify. Confirmation is the
only transition that raises the card's security counter (to the image's), so older images
can no longer boot; until then the previous image stays bootable.

${TARGET_HELP}

exit status: 0 confirmed; 1 no trial pending, never booted, or it does not verify; 2 bad input.`,
  options: COMMON,
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const json = args.values.json === true;
    return guarded("confirm", json, () => {
      const r = confirmCard(request(args));
      if (json) console.log(JSON.stringify({ ok: true, confirmed: r.state.confirmed, securityCounter: r.state.securityCounter, report: r }, null, 2));
      else console.log(`confirmed slot ${r.state.confirmed}: security counter ${r.stateBefore.securityCounter} -> ${r.state.securityCounter}`);
      return 0;
    });
  },
};

export const revert: Command = {
  usage: "revert --board B --target T [--pubkey P] [--json]",
  details: `The trial's image is remembered as rejected: it is never booted as a fallback.

${TARGET_HELP}

exit status: 0 reverted; 1 no trial pending; 2 bad input.`,
  options: COMMON,
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const json = args.values.json === true;
    return guarded("revert", json, () => {
      const r = revertCard(request(args));
      if (json) console.log(JSON.stringify({ ok: true, reverted: r.stateBefore.trial, report: r }, null, 2));
      else console.log(`reverted the trial in slot ${r.stateBefore.trial}; confirmed: ${r.state.confirmed ?? "none"}`);
      return 0;
    });
  },
};

export const flashStatus: Command = {
  usage: "flash-status --board B --target T [--pubkey P] [--json]",
  details: `Reads both state copies and verifies every slot with the core, writing nothing.

${TARGET_HELP}

exit status: 0; 1 the flash could not be read; 2 bad input.`,
  options: COMMON,
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const json = args.values.json === true;
    return guarded("flash-status", json, () => {
      const { report: r, device, keyIds } = cardStatus(request(args));
      if (json) console.log(JSON.stringify({ ok: true, device, trustedKeys: keyIds, report: r }, null, 2));
      else {
        console.log(`${device}`);
        console.log(`  state: ${r.flags.includes("no-state") ? "none on flash (a blank card)" : stateLine(r.state)}`);
        r.copies.forEach((c, i) => console.log(`  copy ${i} at 0x${c.offset.toString(16)}: ${c.valid ? `valid, sequence ${c.seq}` : "not valid"}`));
        if (r.state.rejectedId) console.log(`  last reverted image: ${r.state.rejectedId}`);
        for (const l of slotsText(r)) console.log(l);
      }
      return 0;
    });
  },
};
