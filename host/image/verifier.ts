// Parsing and verifying images with the core: the host streams the image through the core's
// image window and reads back what the core's parser found (IMG_INFO). The decision is the
// core's — the same code a card runs — and this file only turns it into a report and a
// one-line reason.

import * as F from "../../assembly/shared/image";
import * as S from "../../assembly/shared/status";
import { IMG_INFO_BASE, IMG_WINDOW_BASE, IMG_WINDOW_SIZE } from "../../assembly/shared/memmap";
import { Core } from "../core/core";
import { statusName } from "../core/status";
import { Version, recordName, versionText } from "./format";
import { hexId } from "./keys";

export interface ImageHeader {
  magic: number;
  formatVersion: number;
  headerLength: number;
  imageLength: number;
  flags: number;
  board: string;
  version: Version & { text: string };
  securityCounter: number;
  recordCount: number;
  reserved: number;
}

export interface ImageRecord {
  index: number;
  type: number;
  name: string;
  critical: boolean;
  /** Offset of the record header in the image. */
  offset: number;
  /** Value length (the digest, when there is one, included). */
  length: number;
  contentOffset: number;
  contentLength: number;
  /** Parts (core, board, native): the SHA-256 stored in the image, and whether it matched. */
  sha256?: string;
  digestOk?: boolean;
  unknown: boolean;
}

export interface ImageResult {
  /** OK, or the core's refusal (a negative status). */
  status: number;
  statusName: string;
  mode: "parse" | "verify";
  size: number;
  header?: ImageHeader;
  records: ImageRecord[];
  keyId?: string;
  /** Image offset and record index (-1: the header) at which the core refused. */
  errOffset?: number;
  errRecord?: number;
  /** The core's decision in one line: "valid ..." or the reason for the refusal. */
  reason: string;
}

function readHeader(core: Core): ImageHeader {
  const v = core.view;
  const b = IMG_INFO_BASE + F.IMG_INFO_HEADER;
  const boardBytes = core.read(b + F.IMG_OFF_BOARD, F.IMG_BOARD_ID_LEN);
  const nul = boardBytes.indexOf(0);
  const version = {
    major: v.getUint8(b + F.IMG_OFF_VER_MAJOR),
    minor: v.getUint8(b + F.IMG_OFF_VER_MINOR),
    patch: v.getUint16(b + F.IMG_OFF_VER_PATCH, true),
    build: v.getUint32(b + F.IMG_OFF_VER_BUILD, true),
  };
  return {
    magic: v.getUint32(b + F.IMG_OFF_MAGIC, true),
    formatVersion: v.getUint16(b + F.IMG_OFF_FORMAT, true),
    headerLength: v.getUint16(b + F.IMG_OFF_HEADER_LEN, true),
    imageLength: v.getUint32(b + F.IMG_OFF_IMAGE_LEN, true),
    flags: v.getUint32(b + F.IMG_OFF_FLAGS, true),
    board: Buffer.from(boardBytes.subarray(0, nul < 0 ? boardBytes.length : nul)).toString("latin1"),
    version: { ...version, text: versionText(version) },
    securityCounter: v.getUint32(b + F.IMG_OFF_SECURITY_COUNTER, true),
    recordCount: v.getUint16(b + F.IMG_OFF_RECORD_COUNT, true),
    reserved: v.getUint16(b + F.IMG_OFF_RESERVED, true),
  };
}

function readRecords(core: Core, image: Uint8Array): ImageRecord[] {
  const v = core.view;
  const n = Math.min(v.getUint32(IMG_INFO_BASE + F.IMG_INFO_RECORDS, true), F.IMG_MAX_RECORDS);
  const out: ImageRecord[] = [];
  for (let i = 0; i < n; i++) {
    const e = IMG_INFO_BASE + F.IMG_INFO_TABLE + i * F.IMG_INFO_ENTRY_SIZE;
    const type = v.getUint16(e + F.IMG_ENT_TYPE, true);
    const flags = v.getUint32(e + F.IMG_ENT_FLAGS, true);
    const offset = v.getUint32(e + F.IMG_ENT_OFFSET, true);
    const rec: ImageRecord = {
      index: i,
      type,
      name: recordName(type),
      critical: (type & F.IMG_REC_CRITICAL) !== 0,
      offset,
      length: v.getUint32(e + F.IMG_ENT_LEN, true),
      contentOffset: v.getUint32(e + F.IMG_ENT_CONTENT_OFFSET, true),
      contentLength: v.getUint32(e + F.IMG_ENT_CONTENT_LEN, true),
      unknown: (flags & F.IMG_ENT_F_UNKNOWN) !== 0,
    };
    if (type === F.IMG_REC_CORE || type === F.IMG_REC_BOARD || type === F.IMG_REC_NATIVE) {
      const d = offset + F.IMG_REC_HEADER_LEN;
      if (d + F.IMG_DIGEST_LEN <= image.length) rec.sha256 = Buffer.from(image.subarray(d, d + F.IMG_DIGEST_LEN)).toString("hex");
      rec.digestOk = (flags & F.IMG_ENT_F_DIGEST_OK) !== 0;
    }
    out.push(rec);
  }
  return out;
}

const hex32 = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

/** One line for a refusal, from the status and where the core stopped. */
export function refusalReason(r: ImageResult, trustedIds: string[] = []): string {
  const h = r.header;
  const rec = r.errRecord !== undefined && r.errRecord >= 0 ? r.records[r.errRecord] : undefined;
  const at = r.errOffset !== undefined ? ` (at offset ${r.errOffset})` : "";
  const recText = rec ? `record ${rec.index} (${rec.name}${rec.critical && rec.unknown ? "" : ""})` : r.errRecord !== undefined && r.errRecord >= 0 ? `record ${r.errRecord}` : "the header";
  switch (r.status) {
    case S.E_IMG_LENGTH:
      if (r.size < F.IMG_MIN_LEN) return `${r.size} bytes is shorter than the smallest image (${F.IMG_MIN_LEN} bytes): truncated or not an image`;
      if (r.size > F.IMG_MAX_LEN) return `${r.size} bytes is over the ${F.IMG_MAX_LEN}-byte limit of the format`;
      if (h && h.imageLength % F.IMG_ALIGN !== 0) return `the header declares ${h.imageLength} bytes, not a multiple of ${F.IMG_ALIGN}`;
      return `the header declares ${h?.imageLength} bytes but the file has ${r.size}: ${r.size < (h?.imageLength ?? 0) ? "truncated" : "extended"}`;
    case S.E_IMG_MAGIC:
      return `not a lastgasp image: magic ${hex32(h?.magic ?? 0)} at offset 0, expected ${hex32(F.IMG_MAGIC)} ("LGIM")`;
    case S.E_IMG_FORMAT:
      return h && h.formatVersion !== F.IMG_FORMAT_VERSION ? `format version ${h.formatVersion} is not one this core reads (${F.IMG_FORMAT_VERSION})` : `header length ${h?.headerLength} is not ${F.IMG_HEADER_LEN}`;
    case S.E_IMG_HEADER:
      if (h && h.flags !== 0) return `unknown header flags ${hex32(h.flags)} (format ${F.IMG_FORMAT_VERSION} defines none)`;
      if (h && h.reserved !== 0) return `reserved header field is ${h.reserved}, not 0`;
      if (h && (h.recordCount < 4 || h.recordCount > F.IMG_MAX_RECORDS)) return `record count ${h.recordCount} is outside 4..${F.IMG_MAX_RECORDS}`;
      if (r.errRecord !== undefined && r.errRecord >= 0) return `the header declares ${h?.recordCount} records, the image has ${r.errRecord >= (h?.recordCount ?? 0) ? "more" : "a different number"}${at}`;
      return `malformed board compatibility id in the header`;
    case S.E_IMG_BOARD:
      return `built for board "${h?.board}", not for this board`;
    case S.E_IMG_RECORD:
      return `${recText} is out of place: wrong order, a duplicate, a reserved field set, or the key id and signature not last${at}`;
    case S.E_IMG_CRITICAL:
      return `${recText}: unknown record type marked critical${at}`;
    case S.E_IMG_RECORD_LENGTH:
      return `${recText}: length ${rec?.length ?? "?"} is out of bounds for its type or runs past the end${at}`;
    case S.E_IMG_PADDING:
      return `non-zero padding after ${recText}${at}`;
    case S.E_IMG_DIGEST:
      return `${recText}: SHA-256 does not match its content${at}`;
    case S.E_IMG_CONTENT:
      return `${recText}: content is not a WebAssembly module${at}`;
    case S.E_IMG_MISSING:
      return `a required record is missing: every image has core, board, key id and signature, in that order${at}`;
    case S.E_IMG_KEY:
      return `signed by key ${r.keyId ?? "?"}, which is not trusted${trustedIds.length ? ` (trusted: ${trustedIds.join(", ")})` : ""}`;
    case S.E_IMG_TRAILER:
      return `the image does not end with a key id record and a signature record${at}`;
    case S.E_IMG_TRUNCATED:
      return `the image ends early${at}`;
    case S.E_IMG_OVERRUN:
      return `more bytes than the header declares`;
    case S.E_ED_S_RANGE:
      return `signature refused: S is not below the group order L (RFC 8032 §5.1.7)`;
    case S.E_ED_R_ENCODING:
      return `signature refused: R is not a canonical point encoding`;
    case S.E_ED_BAD_SIGNATURE:
      return `signature does not verify under key ${r.keyId ?? "?"}: the image was changed after signing, or signed by another key`;
    case S.E_ED_KEY_ENCODING:
    case S.E_ED_KEY_NOT_ON_CURVE:
    case S.E_ED_KEY_SMALL_ORDER:
      return `the public key is refused (${statusName(r.status)})`;
    default:
      return `refused by the core: ${statusName(r.status)} (${r.status})`;
  }
}

export interface RunOptions {
  mode: "parse" | "verify";
  /** Raw 32-byte public keys to trust (verify mode), in slots 0.. */
  trust?: Uint8Array[];
  /** The card's board id (verify mode): an image for another board is refused. */
  board?: string;
  /** Bytes per img_update call (default: the whole window). */
  chunk?: number;
}

/** Thrown when a key the caller wants to trust is refused by the core's key checks. */
export class TrustError extends Error {
  constructor(readonly index: number, readonly status: number) {
    super(`public key ${index} refused by the core: ${statusName(status)}`);
  }
}

/** Configures the core's trust store (clearing it first). */
export function configureTrust(core: Core, keys: Uint8Array[], board?: string): void {
  const e = core.exports;
  e.img_trust_clear();
  const slot = Core.slot(64);
  keys.forEach((k, i) => {
    core.write(slot, k);
    const rc = e.img_trust_key(i, slot);
    if (rc < 0) throw new TrustError(i, rc);
  });
  if (board !== undefined) {
    const id = Buffer.from(board, "ascii");
    core.write(slot, id);
    const rc = e.img_trust_board(slot, id.length);
    if (rc < 0) throw new Error(`board id "${board}" refused by the core: ${statusName(rc)}`);
  }
}

/**
 * Streams image through the core (parse or verify) and reports what the core decided. For
 * verify mode, configure the trust store first (configureTrust) or pass opts.trust.
 */
export function runImage(core: Core, image: Uint8Array, opts: RunOptions): ImageResult {
  const e = core.exports;
  if (opts.trust) configureTrust(core, opts.trust, opts.board);
  const verify = opts.mode === "verify";
  const chunk = Math.max(1, Math.min(opts.chunk ?? IMG_WINDOW_SIZE, IMG_WINDOW_SIZE));
  const size = image.length;
  const feed = (from: number, to: number): number => {
    for (let at = from; at < to; ) {
      const n = Math.min(chunk, to - at);
      core.write(IMG_WINDOW_BASE, image.subarray(at, at + n));
      const rc = e.img_update(IMG_WINDOW_BASE, n);
      if (rc < 0) return rc;
      if (rc !== n) throw new Error(`img_update consumed ${rc} of ${n} bytes`);
      at += n;
    }
    return S.OK;
  };
  // Lengths beyond an i32 cannot be passed: img_begin refuses anything over IMG_MAX_LEN anyway.
  let rc = e.img_begin(Math.min(size, 0x7fffffff), verify ? F.IMG_MODE_VERIFY : F.IMG_MODE_PARSE);
  if (rc === S.OK) {
    if (verify) {
      // The header first (the core stops after it), then the trailer, then the rest.
      const head = Math.min(F.IMG_HEADER_LEN, size);
      core.write(IMG_WINDOW_BASE, image.subarray(0, head));
      rc = e.img_update(IMG_WINDOW_BASE, head);
      if (rc >= 0) {
        core.write(IMG_WINDOW_BASE, image.subarray(size - F.IMG_TRAILER_LEN));
        rc = e.img_trailer(IMG_WINDOW_BASE);
        if (rc === S.OK) rc = feed(head, size);
      }
    } else {
      rc = feed(0, size);
    }
    if (rc >= 0) rc = e.img_finish();
  }
  const status = rc >= 0 ? S.OK : rc;
  const v = core.view;
  const consumed = v.getUint32(IMG_INFO_BASE + F.IMG_INFO_CONSUMED, true);
  const header = consumed >= F.IMG_HEADER_LEN || (status < 0 && v.getUint32(IMG_INFO_BASE + F.IMG_INFO_ERR_OFFSET, true) >= F.IMG_HEADER_LEN) ? readHeader(core) : undefined;
  const records = readRecords(core, image);
  const keyRec = records.find((r) => r.type === F.IMG_REC_KEY_ID);
  // The key id is named from the trailer (the core checked it there in verify mode).
  let keyId: string | undefined;
  if (keyRec) keyId = hexId(image.subarray(keyRec.offset + F.IMG_REC_HEADER_LEN, keyRec.offset + F.IMG_REC_HEADER_LEN + F.IMG_KEY_ID_LEN));
  else if (verify && size >= F.IMG_TRAILER_LEN) keyId = hexId(image.subarray(size - F.IMG_TRAILER_LEN + F.IMG_REC_HEADER_LEN, size - F.IMG_TRAILER_LEN + F.IMG_REC_HEADER_LEN + F.IMG_KEY_ID_LEN));
  const result: ImageResult = { status, statusName: statusName(status), mode: opts.mode, size, header, records, keyId, reason: "" };
  if (status < 0) {
    result.errOffset = v.getUint32(IMG_INFO_BASE + F.IMG_INFO_ERR_OFFSET, true);
    result.errRecord = v.getInt32(IMG_INFO_BASE + F.IMG_INFO_ERR_RECORD, true);
    result.reason = refusalReason(result);
  } else {
    result.reason = verify ? "valid: structure, part digests and signature verified by the core" : "structure and part digests valid (signature not checked)";
  }
  return result;
}
