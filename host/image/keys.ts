// Image signing keys: Ed25519 in PEM (PKCS#8 private, SPKI public), and their key ids.
//
// A key id is the first 16 bytes of SHA-256 over the raw 32-byte public key (RFC 8032
// §5.1.5 encoding): the image names its signer with it and a board file lists the ids its
// card trusts. A private key file must not be readable by group or others: one that is has
// possibly leaked, and it is refused rather than used.

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { IMG_KEY_ID_LEN, IMG_PUBKEY_LEN } from "../../assembly/shared/image";
import { secretFileProblem } from "../util/secret-file";

/** A key file that cannot be used (the CLI's exit 2). */
export class KeyFileError extends Error {}

// DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4): the raw key follows it.
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

export function keyId(rawPublicKey: Uint8Array): Uint8Array {
  return new Uint8Array(crypto.createHash("sha256").update(rawPublicKey).digest().subarray(0, IMG_KEY_ID_LEN));
}

export const hexId = (id: Uint8Array) => Buffer.from(id).toString("hex");

export function rawPublicKey(key: crypto.KeyObject): Uint8Array {
  const der = key.export({ format: "der", type: "spki" });
  if (der.length !== SPKI_ED25519_PREFIX.length + IMG_PUBKEY_LEN || !der.subarray(0, SPKI_ED25519_PREFIX.length).equals(SPKI_ED25519_PREFIX)) {
    throw new KeyFileError("not an Ed25519 public key");
  }
  return new Uint8Array(der.subarray(SPKI_ED25519_PREFIX.length));
}

export function publicKeyFromRaw(raw: Uint8Array): crypto.KeyObject {
  return crypto.createPublicKey({ key: Buffer.concat([SPKI_ED25519_PREFIX, raw]), format: "der", type: "spki" });
}

function readText(file: string, what: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new KeyFileError(`${file}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!st.isFile()) throw new KeyFileError(`${file}: the ${what} is not a regular file`);
  if (st.size > 16384) throw new KeyFileError(`${file}: ${st.size} bytes is too large for a PEM ${what}`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new KeyFileError(`${file}: cannot read the ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

export interface SigningKey {
  privateKey: crypto.KeyObject;
  publicRaw: Uint8Array;
  id: Uint8Array;
}

/**
 * Reads a PEM PKCS#8 Ed25519 private key, refusing one readable by group or others — unless
 * `mayBeOpen(key)` says this key may be (a key whose private half is published anyway).
 */
export function readPrivateKey(file: string, mayBeOpen?: (key: SigningKey) => boolean): SigningKey {
  const bad = secretFileProblem(file, "private key");
  if (bad && (!mayBeOpen || !/readable by group or others/.test(bad))) throw new KeyFileError(`${file}: ${bad}`);
  const text = readText(file, "private key");
  let key: crypto.KeyObject;
  try {
    key = crypto.createPrivateKey({ key: text, format: "pem" });
  } catch {
    if (bad) throw new KeyFileError(`${file}: ${bad}`);
    throw new KeyFileError(`${file}: not a PEM private key`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new KeyFileError(`${file}: a ${key.asymmetricKeyType} key, not Ed25519`);
  const publicRaw = rawPublicKey(crypto.createPublicKey(key));
  const signing = { privateKey: key, publicRaw, id: keyId(publicRaw) };
  if (bad && !mayBeOpen!(signing)) throw new KeyFileError(`${file}: ${bad}`);
  return signing;
}

/** Reads a PEM SPKI Ed25519 public key; returns the raw 32 bytes. */
export function readPublicKey(file: string): Uint8Array {
  const text = readText(file, "public key");
  if (/-----BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY-----/.test(text)) throw new KeyFileError(`${file}: is a private key; give the public key (the .pub file)`);
  let key: crypto.KeyObject;
  try {
    key = crypto.createPublicKey({ key: text, format: "pem" });
  } catch {
    throw new KeyFileError(`${file}: not a PEM public key`);
  }
  if (key.asymmetricKeyType !== "ed25519") throw new KeyFileError(`${file}: a ${key.asymmetricKeyType} key, not Ed25519`);
  return rawPublicKey(key);
}

export interface GeneratedKey {
  privateFile: string;
  publicFile: string;
  id: Uint8Array;
}

/**
 * Generates an Ed25519 key pair into dir: NAME.key (PKCS#8 PEM, created with mode 0600 and
 * never over an existing file) and NAME.pub (SPKI PEM, 0644).
 */
export function generateKeyFiles(dir: string, name: string): GeneratedKey {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(name)) throw new KeyFileError(`--name: "${name}" is not a file name ([A-Za-z0-9._-], up to 64)`);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new KeyFileError(`${dir}: cannot create the directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new KeyFileError(`${dir}: not a directory`);
  const privateFile = path.join(dir, `${name}.key`);
  const publicFile = path.join(dir, `${name}.pub`);
  for (const f of [privateFile, publicFile]) {
    if (fs.existsSync(f)) throw new KeyFileError(`${f}: already exists (keygen never overwrites a key)`);
  }
  const { publicKey, privateKey } = crypto.generateKeyPairSync("ed25519");
  const pem = privateKey.export({ format: "pem", type: "pkcs8" }) as string;
  let fd: number;
  try {
    // O_EXCL: never over a file that appeared meanwhile; the mode is set at creation, so the
    // key is never readable by others, not even for a moment.
    fd = fs.openSync(privateFile, fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL, 0o600);
  } catch (e) {
    throw new KeyFileError(`${privateFile}: cannot create (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    fs.fchmodSync(fd, 0o600); // whatever the umask
    fs.writeSync(fd, pem);
  } finally {
    fs.closeSync(fd);
  }
  fs.writeFileSync(publicFile, publicKey.export({ format: "pem", type: "spki" }) as string, { mode: 0o644, flag: "wx" });
  return { privateFile, publicFile, id: keyId(rawPublicKey(publicKey)) };
}
