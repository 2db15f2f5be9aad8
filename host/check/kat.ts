// Known-answer vectors, checked from outside the core through its exports: the same vectors
// selftest() checks inside (assembly/selftest/vectors.json, written with vectors.ts by
// scripts/gen-selftest-vectors.js from FIPS 180-4, RFC 4231, RFC 8032, RFC 1071 and frames laid
// out from RFC 826/5227 and RFC 4861), each as a call script whose expected results are computed here,
// independently of the core: a return code, or the CRC-32 of the expected bytes to compare
// with the core's region_digest of its output.
//
// The first vector checks region_digest itself (the CRC-32 catalogue's check value of
// "123456789", 0xCBF43926): every later comparison leans on it.

import * as fs from "fs";
import * as path from "path";
import { crc32 } from "../util/crc32";
import { ROOT } from "../paths";
import { ABI_BASE, ABI_SLOT_SIZE, FRAME_BASE, FRAME_SLOT_SIZE, DMA_BASE } from "../../assembly/shared/memmap";
import { VLAN_NONE } from "../../assembly/shared/repr";
import type { CallScript, Step } from "./script";
import { E_ED_BAD_SIGNATURE } from "../../assembly/shared/status";

export const VECTORS_FILE = path.join(ROOT, "assembly", "selftest", "vectors.json");

const slot = (i: number) => ABI_BASE + i * ABI_SLOT_SIZE;
const frameSlot = (i: number) => FRAME_BASE + i * FRAME_SLOT_SIZE;
/** region_digest's value for bytes: CRC-32 shifted right by one (never negative). */
export const digestOf = (b: Uint8Array) => crc32(b) >>> 1;

const IN = frameSlot(0);
const OUT = frameSlot(1);
const KEY = frameSlot(2);

function load(): Record<string, Buffer> {
  const j = JSON.parse(fs.readFileSync(VECTORS_FILE, "utf8")) as { vectors: Record<string, { hex: string }> };
  return Object.fromEntries(Object.entries(j.vectors).map(([k, v]) => [k, Buffer.from(v.hex, "hex")]));
}

const poke = (addr: number, b: Uint8Array): Step => ["@poke", addr, Buffer.from(b).toString("hex")];

/** The known-answer scripts, in the order they must run (region_digest's own check first). */
export function katScripts(): CallScript[] {
  const V = load();
  const out: CallScript[] = [];
  const add = (name: string, description: string, steps: Step[]) => out.push({ name, description, steps: [["init", [], 0], ...steps] });

  add("crc32-check", "region_digest over \"123456789\": the CRC-32 check value 0xCBF43926, shifted right by one", [
    poke(IN, V.CRC_CHECK_MSG),
    ["region_digest", [IN, V.CRC_CHECK_MSG.length], 0xcbf43926 >>> 1],
  ]);
  const sha = (name: string, msg: Buffer, digest: Buffer, what: string) =>
    add(name, what, [poke(IN, msg), ["sha256", [IN, msg.length, OUT], 0], ["region_digest", [OUT, 32], digestOf(digest)]]);
  sha("sha256-abc", V.MSG_ABC, V.DIGEST_ABC, "SHA-256(\"abc\"), FIPS 180-4");
  sha("sha256-empty", Buffer.alloc(0), V.DIGEST_EMPTY, "SHA-256 of the empty message");
  sha("sha256-448", V.MSG_448, V.DIGEST_448, "SHA-256 of the 448-bit two-block message, FIPS 180-4");
  add("sha256-million-a", "SHA-256 of 1,000,000 x 'a', FIPS 180-4", [
    ["mem_fill", [DMA_BASE, 1_000_000, 0x61], 0],
    ["sha256", [DMA_BASE, 1_000_000, OUT], 0],
    ["region_digest", [OUT, 32], digestOf(V.DIGEST_MILLION_A)],
  ]);
  for (let n = 1; n <= 7; n++) {
    const key = V[`HMAC_KEY_${n}`];
    const data = V[`HMAC_DATA_${n}`];
    const mac = V[`HMAC_MAC_${n}`];
    add(`hmac-sha256-rfc4231-${n}`, `HMAC-SHA-256, RFC 4231 test case ${n}${n === 5 ? " (truncated to 128 bits)" : ""}`, [
      poke(KEY, key),
      ["hmac_set_key", [0, KEY, key.length, n], 0],
      poke(IN, data),
      ["hmac_sha256", [0, IN, data.length, OUT], 0],
      ["region_digest", [OUT, mac.length], digestOf(mac)],
      ["hmac_clear_key", [0], 0],
    ]);
  }
  const sha512 = (name: string, msg: Buffer, digest: Buffer, what: string) =>
    add(name, what, [poke(IN, msg), ["sha512", [IN, msg.length, OUT], 0], ["region_digest", [OUT, 64], digestOf(digest)]]);
  sha512("sha512-abc", V.MSG_ABC, V.SHA512_ABC, "SHA-512(\"abc\"), FIPS 180-4");
  sha512("sha512-empty", Buffer.alloc(0), V.SHA512_EMPTY, "SHA-512 of the empty message");
  sha512("sha512-896", V.MSG_896, V.SHA512_896, "SHA-512 of the 896-bit two-block message, FIPS 180-4");
  for (const t of ["1", "2", "3", "1024", "ABC"]) {
    const [pub, msg, sig] = [V[`ED_PUB_${t}`], V[`ED_MSG_${t}`], V[`ED_SIG_${t}`]];
    const bad = Buffer.from(sig);
    bad[0] ^= 1;
    add(`ed25519-rfc8032-${t.toLowerCase()}`, `Ed25519 verification, RFC 8032 §7.1 TEST ${t}: the signature verifies, a flipped bit of R does not`, [
      poke(slot(0), pub),
      poke(slot(1), sig),
      poke(IN, msg),
      ["ed25519_verify", [slot(0), IN, msg.length, slot(1)], 0],
      poke(slot(1), bad),
      ["ed25519_verify", [slot(0), IN, msg.length, slot(1)], E_ED_BAD_SIGNATURE],
    ]);
  }
  add("inet-checksum-rfc1071", "the RFC 1071 §3 example: the sum ddf2, checksum 220d", [
    poke(IN, V.CSUM_RFC1071),
    ["inet_checksum", [IN, V.CSUM_RFC1071.length], 0x220d],
  ]);
  add("arp-announce", "an RFC 5227 announcement of 203.0.113.9 from 02:00:00:aa:bb:cc, padded to 60 bytes", [
    poke(slot(0), V.FRAME_MAC),
    poke(slot(1), V.FRAME_IP4),
    ["arp_announce", [slot(0), slot(1), VLAN_NONE, OUT, FRAME_SLOT_SIZE], V.FRAME_GARP.length],
    ["region_digest", [OUT, V.FRAME_GARP.length], digestOf(V.FRAME_GARP)],
  ]);
  add("na-unsolicited", "an RFC 4861 unsolicited Neighbor Advertisement for 2001:db8::9 (O=1, hop limit 255)", [
    poke(slot(0), V.FRAME_MAC),
    poke(slot(1), V.FRAME_IP6),
    ["na_unsolicited", [slot(0), slot(1), 0, VLAN_NONE, OUT, FRAME_SLOT_SIZE], V.FRAME_NA.length],
    ["region_digest", [OUT, V.FRAME_NA.length], digestOf(V.FRAME_NA)],
  ]);
  return out;
}
