// Building signed images (docs/image-format.md). The layout constants come from
// assembly/shared/image.ts, the same declaration the core's parser compiles; parsing is the
// core's job (verifier.ts drives it), this file only lays images out. Signing is done by
// the caller (Node's crypto), never by the core.

import * as crypto from "crypto";
import * as F from "../../assembly/shared/image";

export interface Version {
  major: number;
  minor: number;
  patch: number;
  build: number;
}

/** Thrown for an input an image cannot be built from (the CLI's exit 2). */
export class ImageInputError extends Error {}

const VERSION_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,5})(?:\+(\d{1,10}))?$/;

/** Parses "MAJOR.MINOR.PATCH[+BUILD]" (0..255, 0..255, 0..65535, 0..2^32-1). */
export function parseVersion(text: string): Version {
  const m = VERSION_RE.exec(text);
  const bad = () => new ImageInputError(`"${text}" is not a version MAJOR.MINOR.PATCH[+BUILD] (major and minor 0..255, patch 0..65535, build 0..4294967295)`);
  if (!m) throw bad();
  const v = { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), build: m[4] === undefined ? 0 : Number(m[4]) };
  if (v.major > 255 || v.minor > 255 || v.patch > 0xffff || v.build > 0xffffffff) throw bad();
  return v;
}

export function versionText(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}${v.build ? `+${v.build}` : ""}`;
}

export interface Extension {
  /** A record type without the critical bit (0x0000..0x7fff), unknown to this format version. */
  type: number;
  value: Uint8Array;
}

export interface ImageSpec {
  boardId: string;
  version: Version;
  securityCounter: number;
  core: Uint8Array;
  board: Uint8Array;
  native?: Uint8Array;
  /** Non-critical records a newer builder might add (tests use them). */
  extensions?: Extension[];
  /** 16 bytes: keyId() of the signing key's public half. */
  keyId: Uint8Array;
  /** Ed25519 over the bytes it is given (everything before the signature value). */
  sign: (message: Uint8Array) => Uint8Array;
}

export const RECORD_NAMES: Record<number, string> = {
  [F.IMG_REC_CORE]: "core",
  [F.IMG_REC_BOARD]: "board",
  [F.IMG_REC_NATIVE]: "native",
  [F.IMG_REC_KEY_ID]: "key-id",
  [F.IMG_REC_SIGNATURE]: "signature",
};

export function recordName(type: number): string {
  return RECORD_NAMES[type] ?? `0x${type.toString(16).padStart(4, "0")}${type & F.IMG_REC_CRITICAL ? " (critical, unknown)" : " (unknown)"}`;
}

const pad8 = (n: number) => (n + F.IMG_ALIGN - 1) & ~(F.IMG_ALIGN - 1);
const sha256 = (b: Uint8Array) => new Uint8Array(crypto.createHash("sha256").update(b).digest());

function checkBounds(name: string, len: number, min: number, max: number): void {
  if (len < min || len > max) throw new ImageInputError(`${name} is ${len} bytes: the image format takes ${min}..${max}`);
}

/** Lays out and signs an image. Throws ImageInputError when an input is out of bounds. */
export function buildImage(spec: ImageSpec): Uint8Array {
  checkBounds("the core", spec.core.length, F.IMG_CORE_MIN, F.IMG_CORE_MAX);
  checkBounds("the board file", spec.board.length, F.IMG_BOARD_MIN, F.IMG_BOARD_MAX);
  if (spec.native) checkBounds("the native build", spec.native.length, F.IMG_NATIVE_MIN, F.IMG_NATIVE_MAX);
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(spec.boardId)) throw new ImageInputError(`board id "${spec.boardId}" is not [a-z][a-z0-9-]{0,31}`);
  if (!Number.isInteger(spec.securityCounter) || spec.securityCounter < 0 || spec.securityCounter > 0xffffffff) {
    throw new ImageInputError(`security counter ${spec.securityCounter} is not in 0..4294967295`);
  }
  if (spec.keyId.length !== F.IMG_KEY_ID_LEN) throw new ImageInputError("a key id is 16 bytes");
  const records: { type: number; value: Uint8Array }[] = [];
  const part = (type: number, content: Uint8Array) => {
    const value = new Uint8Array(F.IMG_DIGEST_LEN + content.length);
    value.set(sha256(content), 0);
    value.set(content, F.IMG_DIGEST_LEN);
    records.push({ type, value });
  };
  part(F.IMG_REC_CORE, spec.core);
  part(F.IMG_REC_BOARD, spec.board);
  if (spec.native) part(F.IMG_REC_NATIVE, spec.native);
  for (const e of spec.extensions ?? []) {
    if (e.type < 0 || e.type > 0xffff) throw new ImageInputError(`record type ${e.type} is not 16 bits`);
    records.push({ type: e.type, value: e.value });
  }
  records.push({ type: F.IMG_REC_KEY_ID, value: spec.keyId });
  records.push({ type: F.IMG_REC_SIGNATURE, value: new Uint8Array(F.IMG_SIG_LEN) });
  if (records.length > F.IMG_MAX_RECORDS) throw new ImageInputError(`${records.length} records: the format allows ${F.IMG_MAX_RECORDS}`);
  const length = F.IMG_HEADER_LEN + records.reduce((n, r) => n + F.IMG_REC_HEADER_LEN + pad8(r.value.length), 0);
  if (length > F.IMG_MAX_LEN) throw new ImageInputError(`the image would be ${length} bytes: the format allows ${F.IMG_MAX_LEN}`);

  const img = new Uint8Array(length);
  const dv = new DataView(img.buffer);
  dv.setUint32(F.IMG_OFF_MAGIC, F.IMG_MAGIC, true);
  dv.setUint16(F.IMG_OFF_FORMAT, F.IMG_FORMAT_VERSION, true);
  dv.setUint16(F.IMG_OFF_HEADER_LEN, F.IMG_HEADER_LEN, true);
  dv.setUint32(F.IMG_OFF_IMAGE_LEN, length, true);
  dv.setUint32(F.IMG_OFF_FLAGS, 0, true);
  img.set(Buffer.from(spec.boardId, "ascii"), F.IMG_OFF_BOARD);
  dv.setUint8(F.IMG_OFF_VER_MAJOR, spec.version.major);
  dv.setUint8(F.IMG_OFF_VER_MINOR, spec.version.minor);
  dv.setUint16(F.IMG_OFF_VER_PATCH, spec.version.patch, true);
  dv.setUint32(F.IMG_OFF_VER_BUILD, spec.version.build, true);
  dv.setUint32(F.IMG_OFF_SECURITY_COUNTER, spec.securityCounter, true);
  dv.setUint16(F.IMG_OFF_RECORD_COUNT, records.length, true);
  let at = F.IMG_HEADER_LEN;
  for (const r of records) {
    dv.setUint16(at + F.IMG_REC_OFF_TYPE, r.type, true);
    dv.setUint32(at + F.IMG_REC_OFF_LEN, r.value.length, true);
    img.set(r.value, at + F.IMG_REC_HEADER_LEN);
    at += F.IMG_REC_HEADER_LEN + pad8(r.value.length);
  }
  const signedLen = length - F.IMG_SIG_LEN;
  const sig = spec.sign(img.subarray(0, signedLen));
  if (sig.length !== F.IMG_SIG_LEN) throw new Error(`signer returned ${sig.length} bytes`);
  img.set(sig, signedLen);
  return img;
}
