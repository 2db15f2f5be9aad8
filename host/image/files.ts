// What `lastgasp image build | inspect | verify` do with files, apart from printing: read
// inputs (with one-line errors for every bad one), build and sign, stream images through the
// core, and apply the board's trust list. The CLI (host/cli/image.ts) only formats.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as F from "../../assembly/shared/image";
import { Core, CORE_WASM } from "../core/core";
import { BoardError, Board } from "../board/board";
import { loadBoard, validateBoard, toBoard } from "../board/load";
import { ImageInputError, buildImage, parseVersion, Version } from "./format";
import { KeyFileError, readPrivateKey, readPublicKey, keyId, hexId } from "./keys";
import { ImageResult, TrustError, configureTrust, runImage } from "./verifier";

/** Bad input: the CLI prints the message on one line and exits 2. */
export class InputError extends Error {}

function errno(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? (e as Error).message;
}

function readBoardFile(file: string): { board: Board; bytes: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read the board file (${errno(e)})`);
  }
  try {
    return { board: loadBoard(file), bytes };
  } catch (e) {
    if (e instanceof BoardError) throw new InputError(e.first);
    throw e;
  }
}

function readInput(file: string, what: string, max: number): Uint8Array {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read the ${what} (${errno(e)})`);
  }
  if (!st.isFile()) throw new InputError(`${file}: the ${what} is not a regular file`);
  if (st.size > max) throw new InputError(`${file}: the ${what} is ${st.size} bytes, more than the image format's ${max}`);
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read the ${what} (${errno(e)})`);
  }
}

function wrapKeyErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof KeyFileError || e instanceof ImageInputError) throw new InputError(e.message);
    throw e;
  }
}

export interface BuildRequest {
  boardFile: string;
  keyFile: string;
  version: string;
  securityCounter?: number;
  out: string;
  coreFile?: string;
  nativeFile?: string;
}

export interface BuildOutcome {
  out: string;
  size: number;
  board: string;
  version: Version;
  securityCounter: number;
  keyId: string;
  records: number;
}

/** Writes data to file through a temporary file in the same directory and a rename. */
function writeAtomically(file: string, data: Uint8Array): void {
  const dir = path.dirname(path.resolve(file));
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(file);
  } catch {
    st = undefined;
  }
  if (st && !st.isFile()) throw new InputError(`${file}: exists and is not a regular file`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(`${file}: directory ${dir} does not exist`);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(tmp, data, { mode: 0o644 });
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw new InputError(`${file}: cannot write (${errno(e)})`);
  }
}

/**
 * Builds and signs an image, then has the core verify it as the board's card would before
 * writing it: an image the card would refuse is never written.
 */
export function buildImageFile(req: BuildRequest): BuildOutcome {
  const version = wrapKeyErrors(() => parseVersion(req.version));
  const securityCounter = req.securityCounter ?? 0;
  const { board, bytes: boardBytes } = readBoardFile(req.boardFile);
  const key = wrapKeyErrors(() => readPrivateKey(req.keyFile));
  const id = hexId(key.id);
  if (!board.trustedKeys.includes(id)) {
    throw new InputError(`board ${board.id} (${req.boardFile}) does not trust key ${id} (${req.keyFile}): add it to the board's trustedKeys, or sign with a key it lists`);
  }
  const coreFile = req.coreFile ?? CORE_WASM;
  if (!req.coreFile && !fs.existsSync(coreFile)) throw new InputError(`${path.relative(process.cwd(), coreFile)} is missing: build the core first (make)`);
  const core = readInput(coreFile, "core", F.IMG_CORE_MAX);
  const native = req.nativeFile ? readInput(req.nativeFile, "native build", F.IMG_NATIVE_MAX) : undefined;
  const image = wrapKeyErrors(() =>
    buildImage({
      boardId: board.id,
      version,
      securityCounter,
      core,
      board: boardBytes,
      native,
      keyId: key.id,
      sign: (m) => new Uint8Array(crypto.sign(null, m, key.privateKey)),
    }),
  );
  const check = runImage(Core.load(), image, { mode: "verify", trust: [key.publicRaw], board: board.id });
  if (check.status !== 0) throw new ImageRefusedError(`the core refuses the image just built: ${check.reason}`);
  writeAtomically(req.out, image);
  return { out: req.out, size: image.length, board: board.id, version, securityCounter, keyId: id, records: check.records.length };
}

/** The built image would be refused (exit 1). */
export class ImageRefusedError extends Error {}

/** Reads an image file for inspect/verify. Oversized files are not read: they are refused. */
export function readImageFile(file: string): Uint8Array | { oversized: number } {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read the image (${errno(e)})`);
  }
  if (!st.isFile()) throw new InputError(`${file}: the image is not a regular file`);
  if (st.size > F.IMG_MAX_LEN) return { oversized: st.size };
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new InputError(`${file}: cannot read the image (${errno(e)})`);
  }
}

function oversized(size: number, mode: "parse" | "verify"): ImageResult {
  return {
    status: -137, // E_IMG_LENGTH, as img_begin would return it
    statusName: "E_IMG_LENGTH",
    mode,
    size,
    records: [],
    reason: `${size} bytes is over the ${F.IMG_MAX_LEN}-byte limit of the format`,
  };
}

/** Parses an image with the core (structure and part digests; no signature). */
export function inspectImageFile(file: string): ImageResult {
  const image = readImageFile(file);
  if ("oversized" in image) return oversized(image.oversized, "parse");
  return runImage(Core.load(), image, { mode: "parse" });
}

export interface VerifyOutcome {
  result: ImageResult;
  /** Set when the core accepted the image but the board's trust list refuses it. */
  trustRefusal?: string;
  /** The image's own board file, when it verified and validated. */
  imageBoard?: Board;
  keyId: string;
  valid: boolean;
  reason: string;
}

/**
 * Verifies an image with the core under the public key in pubkeyFile, then applies the
 * board's trust list. With cardBoardFile (the card's own board), its trustedKeys decide and
 * the image must be built for that board; without, the image's own (signed) board file must
 * list the key that signed it.
 */
export function verifyImageFile(file: string, pubkeyFile: string, cardBoardFile?: string): VerifyOutcome {
  const pub = wrapKeyErrors(() => readPublicKey(pubkeyFile));
  const id = hexId(keyId(pub));
  const card = cardBoardFile ? readBoardFile(cardBoardFile).board : undefined;
  const image = readImageFile(file);
  const refused = (result: ImageResult, reason: string): VerifyOutcome => ({ result, keyId: id, valid: false, reason });
  if ("oversized" in image) {
    const r = oversized(image.oversized, "verify");
    return refused(r, r.reason);
  }
  const core = Core.load();
  try {
    configureTrust(core, [pub], card?.id);
  } catch (e) {
    if (e instanceof TrustError) throw new InputError(`${pubkeyFile}: the public key is refused by the core's key checks (${e.message.replace(/^.*: /, "")})`);
    throw e;
  }
  if (card && !card.trustedKeys.includes(id)) {
    const r = runImage(core, image, { mode: "parse" });
    return refused(r, `board ${card.id} (${cardBoardFile}) does not trust key ${id} (${pubkeyFile})`);
  }
  const result = runImage(core, image, { mode: "verify" });
  if (result.status !== 0) {
    const reason =
      result.statusName === "E_IMG_KEY" ? `signed by key ${result.keyId}, not by the given public key ${id}`
      : result.statusName === "E_IMG_BOARD" && card ? `built for board "${result.header?.board}", not for board ${card.id} (${cardBoardFile})`
      : result.reason;
    return refused(result, reason);
  }
  // The signature holds: the board record is authentic. It must be a valid board, name the
  // board the header names, and (without a card board) list the key that signed it.
  const rec = result.records.find((r) => r.type === F.IMG_REC_BOARD)!;
  const text = Buffer.from(image.subarray(rec.contentOffset, rec.contentOffset + rec.contentLength)).toString("utf8");
  let imageBoard: Board;
  try {
    const raw = JSON.parse(text);
    validateBoard(`${file}#board`, raw);
    imageBoard = toBoard(`${file}#board`, raw);
  } catch (e) {
    const msg = e instanceof BoardError ? e.first : `not valid JSON (${(e as Error).message})`;
    return refused(result, `the image's board file is not a valid board: ${msg}`);
  }
  if (imageBoard.id !== result.header!.board) return refused(result, `the header names board "${result.header!.board}" but the image's board file is "${imageBoard.id}"`);
  if (!card && !imageBoard.trustedKeys.includes(id)) {
    return refused(result, `the image's own board (${imageBoard.id}) does not list key ${id} in trustedKeys`);
  }
  return { result, imageBoard, keyId: id, valid: true, reason: result.reason };
}
