// What `lastgasp flash | boot | confirm | revert | flash-status` do, apart from printing
// (host/cli/flash.ts formats): open the board, its trusted keys and the target; check the
// image before anything is written; run the core's operation; explain the outcome in one
// line. Bad input (FlashInputError, exit 2) is found before the flash is touched; a refusal
// or a failed operation is FlashRefusedError (exit 1).

import * as fs from "fs";
import * as path from "path";
import * as F from "../../assembly/shared/image";
import * as S from "../../assembly/shared/status";
import { Board, BoardError } from "../board/board";
import { loadBoard } from "../board/load";
import { statusName } from "../core/status";
import { KeyFileError, readPublicKey, keyId, hexId } from "../image/keys";
import { runImage, TrustError } from "../image/verifier";
import { readImageFile, InputError as ImageInputError } from "../image/files";
import { FlashCard } from "./card";
import { FlashDevice } from "./device";
import { FlashModel } from "./model";
import { MtdDevice, isMtdPath } from "./mtd";
import { FlashLayout, geometryMismatch } from "./layout";
import { FlashReport, RoundHook } from "./driver";

/** Bad input: one line, exit 2, the flash untouched. */
export class FlashInputError extends Error {}
/** The image was refused, or the operation failed: one line, exit 1. */
export class FlashRefusedError extends Error {
  constructor(
    message: string,
    readonly report?: FlashReport,
  ) {
    super(message);
  }
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

export interface CardRequest {
  boardFile: string;
  target: string;
  /** Public key files; default: every *.pub in the board file's keys/ directory that the board trusts. */
  pubkeys?: string[];
}

export interface OpenCard {
  card: FlashCard;
  board: Board;
  layout: FlashLayout;
  dev: FlashDevice;
  keyIds: string[];
}

function boardOf(file: string): { board: Board; layout: FlashLayout } {
  let board: Board;
  try {
    board = loadBoard(file);
  } catch (e) {
    if (e instanceof BoardError) throw new FlashInputError(e.first);
    throw e;
  }
  if (!board.flash) throw new FlashInputError(`${file}: board ${board.id} has no flash layout ("flash", docs/flashing.md)`);
  return { board, layout: board.flash };
}

/** The raw public keys the card trusts, each listed by the board. */
function trustedKeys(boardFile: string, board: Board, files?: string[]): { keys: Uint8Array[]; ids: string[] } {
  const keys: Uint8Array[] = [];
  const ids: string[] = [];
  const add = (file: string, strict: boolean) => {
    let raw: Uint8Array;
    try {
      raw = readPublicKey(file);
    } catch (e) {
      if (e instanceof KeyFileError) throw new FlashInputError(e.message);
      throw e;
    }
    const id = hexId(keyId(raw));
    if (!board.trustedKeys.includes(id)) {
      if (strict) throw new FlashInputError(`${file}: key ${id} is not in board ${board.id}'s trustedKeys`);
      return;
    }
    if (!ids.includes(id)) {
      keys.push(raw);
      ids.push(id);
    }
  };
  if (files && files.length) files.forEach((f) => add(f, true));
  else {
    const dir = path.join(path.dirname(boardFile), "keys");
    const found = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".pub")).sort() : [];
    for (const f of found) add(path.join(dir, f), false);
    if (!keys.length) {
      throw new FlashInputError(`no public key for board ${board.id}'s trusted key ids (${board.trustedKeys.join(", ") || "none"}) in ${dir}: give --pubkey FILE`);
    }
  }
  if (keys.length > 8) throw new FlashInputError(`board ${board.id}: more than 8 trusted keys`);
  return { keys, ids };
}

function openDevice(target: string, layout: FlashLayout, writable: boolean, create: boolean): FlashDevice {
  if (isMtdPath(target)) {
    try {
      return new MtdDevice(target, writable);
    } catch (e) {
      throw new FlashInputError(`${target}: ${(e as Error).message.replace(new RegExp(`^${target}: `), "")}`);
    }
  }
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(target);
  } catch {
    st = undefined;
  }
  if (!st) {
    if (!create) throw new FlashInputError(`${target}: no such target (a flash model file, or /dev/mtdN)`);
    const dir = path.dirname(path.resolve(target));
    if (!fs.existsSync(dir)) throw new FlashInputError(`${target}: directory ${dir} does not exist`);
    try {
      FlashModel.create(target, { type: layout.type, size: layout.size, eraseSize: layout.eraseSize, writeSize: layout.writeSize });
    } catch (e) {
      throw new FlashInputError(`${target}: cannot create the flash model (${errno(e)})`);
    }
  } else if (!st.isFile()) {
    throw new FlashInputError(`${target}: not a flash model file nor an MTD character device (/dev/mtdN)`);
  }
  try {
    return FlashModel.open(target, { type: layout.type, eraseSize: layout.eraseSize, writeSize: layout.writeSize });
  } catch (e) {
    throw new FlashInputError(`${target}: cannot open (${errno(e)})`);
  }
}

/** Opens board, keys and target; the target's geometry must hold the board's layout. */
export function openCard(req: CardRequest, opts: { writable: boolean; create?: boolean; beforeTarget?: () => void }): OpenCard {
  const { board, layout } = boardOf(req.boardFile);
  const { keys, ids } = trustedKeys(req.boardFile, board, req.pubkeys);
  opts.beforeTarget?.();
  const dev = openDevice(req.target, layout, opts.writable, opts.create ?? false);
  const mismatch = geometryMismatch(layout, dev.geometry);
  if (mismatch) {
    dev.close();
    throw new FlashInputError(`${req.target}: ${mismatch}`);
  }
  let card: FlashCard;
  try {
    card = new FlashCard(dev, layout, { keys, board: board.id });
  } catch (e) {
    dev.close();
    if (e instanceof TrustError) throw new FlashInputError(`a trusted key is refused by the core's key checks (${statusName(e.status)})`);
    throw e;
  }
  return { card, board, layout, dev, keyIds: ids };
}

// ---- reasons in words -------------------------------------------------------------------------

const WORDS: Record<string, string> = {
  E_FLASH_EMPTY: "erased, no image",
  E_FLASH_ROLLBACK: "its security counter is below the one the card confirmed",
  E_FLASH_MISMATCH: "it holds another image than the one the state names",
  E_FLASH_REJECTED: "it is the image of a trial that was reverted",
  E_FLASH_IO: "a flash read, erase or program failed",
  E_FLASH_BAD_BLOCKS: "too few good blocks",
  E_FLASH_READBACK: "what was read back is not what was written (the read returned no error)",
  E_FLASH_TOO_BIG: "the image does not fit in the slot's good blocks",
  E_FLASH_NO_TRIAL: "no trial is pending",
  E_FLASH_NOT_BOOTED: "the trial image has not been booted yet (lastgasp boot)",
  E_FLASH_NOT_BLANK: "the golden slot is not erased: golden is written once, at manufacture",
  E_FLASH_STATE_WRITE: "a state copy read back wrong; the previous state stands",
  E_BOOT_NOTHING: "no slot holds an image this card accepts",
  E_IMG_BOARD: "built for another board",
  E_IMG_KEY: "signed by a key the board does not trust",
  E_ED_BAD_SIGNATURE: "the signature does not verify",
  E_IMG_DIGEST: "a part's SHA-256 does not match its content",
  E_IMG_MAGIC: "not an image",
  E_IMG_LENGTH: "its length is out of bounds or not what its header declares",
  E_IMG_TRAILER: "no key id and signature at its end",
};

export function reasonText(status: number): string {
  const name = statusName(status);
  return WORDS[name] ? `${WORDS[name]} (${name})` : name;
}

/** One line on why the boot stage chose what it chose. */
export function bootExplanation(r: FlashReport): string {
  const verdicts = r.slots.filter((s) => s.checked && s.verdict !== "ok").map((s) => `${s.slot}: ${reasonText(s.status)}`);
  const st = r.state;
  const notes: string[] = [];
  if (r.flags.includes("reverted")) notes.push(`the trial in ${r.stateBefore.trial} was reverted (${r.stateBefore.attemptsLeft === 0 ? "its attempts were used up without a confirm" : "it did not verify"})`);
  if (r.flags.includes("state-write-failed")) notes.push("a state write failed: the trial was not booted");
  switch (r.reason) {
    case "trial":
      notes.unshift(`trial boot ${st.attemptsGiven - st.attemptsLeft} of ${st.attemptsGiven}; run lastgasp confirm once the image is good, or it reverts`);
      break;
    case "confirmed":
      notes.unshift("the confirmed image");
      break;
    case "fallback":
      notes.unshift(st.confirmed ? `the confirmed slot ${st.confirmed} does not hold the confirmed image` : "nothing is confirmed yet");
      break;
    case "golden":
      notes.unshift("neither A nor B holds an image this card accepts");
      break;
  }
  if (verdicts.length) notes.push(verdicts.join("; "));
  return notes.join("; ");
}

// ---- the operations ----------------------------------------------------------------------------

export interface FlashRequest extends CardRequest {
  imageFile: string;
  golden?: boolean;
  onRound?: RoundHook;
}

export interface FlashOutcome {
  report: FlashReport;
  target: string;
  device: string;
  imageSize: number;
  version: string;
  securityCounter: number;
}

function readImage(file: string): Uint8Array {
  let r: ReturnType<typeof readImageFile>;
  try {
    r = readImageFile(file);
  } catch (e) {
    if (e instanceof ImageInputError) throw new FlashInputError(e.message);
    throw e;
  }
  if ("oversized" in r) throw new FlashRefusedError(`${file}: ${r.oversized} bytes is over the ${F.IMG_MAX_LEN}-byte limit of the image format`);
  return r;
}

/**
 * `lastgasp flash`: checks the image as the card would (signature, trusted key, board, and
 * the security counter against the card's), then has the core write the inactive slot, read
 * it back and verify it, and mark it trial. --golden: manufacture, into an erased golden slot.
 */
export function flashImage(req: FlashRequest): FlashOutcome {
  let image: Uint8Array | undefined;
  const open = openCard(req, { writable: true, create: true, beforeTarget: () => void (image = readImage(req.imageFile)) });
  const { card, dev } = open;
  try {
    const check = runImage(card.core, image!, { mode: "verify" });
    if (check.status !== S.OK) throw new FlashRefusedError(`${req.imageFile}: refused: ${check.reason}`);
    const h = check.header!;
    if (!req.golden) {
      const st = card.status(false);
      if (st.status !== S.OK) throw new FlashRefusedError(`${req.target}: cannot read the card's state: ${reasonText(st.status)}`, st);
      if (h.securityCounter < st.state.securityCounter) {
        throw new FlashRefusedError(`${req.imageFile}: refused: security counter ${h.securityCounter} is below the card's ${st.state.securityCounter} (no downgrade)`);
      }
    }
    const report = req.golden ? card.golden(image!, req.onRound) : card.flash(image!, req.onRound);
    if (report.status !== S.OK) throw new FlashRefusedError(`${req.golden ? "golden" : `slot ${report.target ?? "?"}`}: ${reasonText(report.status)}`, report);
    return { report, target: req.target, device: dev.description, imageSize: image!.length, version: h.version.text, securityCounter: h.securityCounter };
  } finally {
    dev.close();
  }
}

function withCard<T>(req: CardRequest, writable: boolean, f: (o: OpenCard) => T): T {
  const open = openCard(req, { writable });
  try {
    return f(open);
  } finally {
    open.dev.close();
  }
}

/** `lastgasp boot`: the core's boot stage; throws FlashRefusedError when nothing boots. */
export function bootCard(req: CardRequest): FlashReport {
  return withCard(req, true, ({ card }) => {
    const r = card.boot();
    if (r.status !== S.OK) throw new FlashRefusedError(`${req.target}: nothing to boot: ${reasonText(r.status)}${r.slots.length ? ` (${r.slots.map((s) => `${s.slot}: ${s.verdict}`).join(", ")})` : ""}`, r);
    return r;
  });
}

export function confirmCard(req: CardRequest): FlashReport {
  return withCard(req, true, ({ card }) => {
    const r = card.confirm();
    if (r.status !== S.OK) throw new FlashRefusedError(`${req.target}: not confirmed: ${reasonText(r.status)}`, r);
    return r;
  });
}

export function revertCard(req: CardRequest): FlashReport {
  return withCard(req, true, ({ card }) => {
    const r = card.revert();
    if (r.status !== S.OK) throw new FlashRefusedError(`${req.target}: not reverted: ${reasonText(r.status)}`, r);
    return r;
  });
}

export function cardStatus(req: CardRequest): { report: FlashReport; device: string; keyIds: string[] } {
  return withCard(req, false, ({ card, dev, keyIds }) => {
    const r = card.status(true);
    if (r.status !== S.OK) throw new FlashRefusedError(`${req.target}: ${reasonText(r.status)}`, r);
    return { report: r, device: dev.description, keyIds };
  });
}
