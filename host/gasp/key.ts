// Chassis keys: the HMAC-SHA256 key every unit of a chassis holds (docs/gasp-protocol.md).
// One rule everywhere a key enters lastgasp — key files, scenario files:
//
//   - hex text, 64..128 hex digits: 32..64 bytes. At least the hash's output length L = 32
//     (RFC 2104 §3: shorter keys are strongly discouraged, they weaken the MAC); at most one
//     SHA-256 block, 64 bytes (longer keys are hashed to 32 bytes first and gain nothing).
//   - a key file must not be readable or writable by group or others (as ssh refuses a
//     private key file): mode 0600 or stricter. A key on the command line is visible to every
//     user of the machine (ps, /proc/PID/cmdline, shell history), so there is no --key.

import * as fs from "fs";
import { secretFileProblem } from "../util/secret-file";

export const KEY_MIN_BYTES = 32;
export const KEY_MAX_BYTES = 64;

/** The key the virtual chassis uses unless a scenario names one (SHA-256 of "lastgasp chassis-1 key (demo)"). */
export const DEMO_KEY_HEX = "8c93b92fe662c3db269a0fdd517dc18107ad2ab9f2656809a308ea3772b56302";

export class KeyError extends Error {}

/** Hex text (whitespace ignored) -> key bytes; KeyError naming what is wrong. */
export function parseKeyHex(text: string): Uint8Array {
  const hex = text.replace(/\s+/g, "");
  if (hex === "") throw new KeyError("is empty (expected the key in hex)");
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new KeyError("is not hex (expected the key as hex digits, e.g. from `openssl rand -hex 32`)");
  if (hex.length % 2) throw new KeyError(`has an odd number of hex digits (${hex.length})`);
  const n = hex.length / 2;
  if (n < KEY_MIN_BYTES) throw new KeyError(`is ${n} bytes: a chassis key has at least ${KEY_MIN_BYTES} (RFC 2104 §3: no shorter than the hash output)`);
  if (n > KEY_MAX_BYTES) throw new KeyError(`is ${n} bytes: a chassis key has at most ${KEY_MAX_BYTES} (one SHA-256 block)`);
  return Uint8Array.from(Buffer.from(hex, "hex"));
}

/** Reads a key file: exists, is a regular file, mode 0600 or stricter, holds a key in hex. */
export function readKeyFile(file: string): Uint8Array {
  const bad = secretFileProblem(file, "chassis key");
  if (bad) throw new KeyError(bad);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new KeyError(`cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseKeyHex(text);
}
