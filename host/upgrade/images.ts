// The signed images an in-service upgrade installs, and what an image's version means on the
// chassis (docs/upgrade.md "Versions").
//
// An image's version is MAJOR.MINOR.PATCH[+BUILD] (docs/image-format.md). The configuration
// a unit speaks — its command grammar, the config-sync image of host/sync/images — belongs to
// the release train: MAJOR.MINOR. "2.0.3+17" speaks 2.0; patches and builds never change the
// grammar, so two units on 2.0.1 and 2.0.3 sync as equals. A train the sync registry does not
// know cannot take part in config sync: an upgrade to it is refused before anything is
// flashed.
//
// Images are built here exactly as `lastgasp image build` builds them (host/image/format.ts:
// the real core, the board file, one Ed25519 signature), once per board, version, counter and
// defect, and cached for the process. A scenario may ask for a defective release (scenarios
// upgrade-<failure>.json): the defect travels inside the signed image, so a unit misbehaves
// because of what its boot stage chose to boot:
//   boot    the core part is a build cut short (the first 4 KiB of core.wasm: it still starts
//           with the WebAssembly preamble, so the image verifies, but the core does not load)
//   crash   a non-critical extension record (SIM_DEFECT_RECORD) that makes the simulated
//           guest OS trap `afterMs` after the unit takes the active role
//   health  the same record: the unit's own traffic to its neighbours (its health probes)
//           leaves by the wrong port, so the hosts never answer them; the service is untouched

import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Core, CORE_WASM } from "../core/core";
import type { Board } from "../board/board";
import { buildImage, parseVersion, Version, versionText } from "../image/format";
import { SigningKey, hexId, readPrivateKey } from "../image/keys";
import { runImage, ImageResult } from "../image/verifier";
import { shipped } from "../sync/images";
import { BOARDS_DIR } from "../paths";
import * as F from "../../assembly/shared/image";

/** A non-critical extension record (0x0000..0x7fff: a card that does not know it skips it): a simulated defect, JSON. */
export const SIM_DEFECT_RECORD = 0x4c44;

export type Defect = { kind: "boot" } | { kind: "crash"; afterMs: number } | { kind: "health" };

/** The development key the shipped boards trust (docs/image-format.md): its private half is public. */
export const DEVELOPMENT_KEY = path.join(BOARDS_DIR, "keys", "development.key");
export const DEVELOPMENT_KEY_ID = "2be87414c89cb08168623cbf589face8";

/** The configuration grammar (sync image version) an image version speaks: its MAJOR.MINOR. */
export function syncVersionOf(v: Version | string): string {
  const ver = typeof v === "string" ? parseVersion(v) : v;
  return `${ver.major}.${ver.minor}`;
}

/** Why an image version cannot take part in config sync, or undefined when it can. */
export function syncVersionProblem(v: string): string | undefined {
  const sv = syncVersionOf(v);
  const known = shipped().versions;
  return known.includes(sv) ? undefined : `version ${v} speaks configuration ${sv}, which config sync does not know (known: ${known.join(", ")})`;
}

/**
 * Reads an image-signing key. The development key is taken whatever its file mode (git keeps
 * none, and its private half is published anyway); any other key must be readable by its
 * owner only, as `lastgasp image build` insists.
 */
export function readSigningKey(file: string): SigningKey {
  return readPrivateKey(file, (k) => hexId(k.id) === DEVELOPMENT_KEY_ID);
}

export interface ImageSpecOnChassis {
  board: Board;
  version: string;
  securityCounter: number;
  defect?: Defect;
}

/** A signed image as the chassis installs it. */
export interface ChassisImage {
  bytes: Uint8Array;
  board: string;
  version: string;
  /** The config grammar it speaks (syncVersionOf). */
  syncVersion: string;
  securityCounter: number;
  /** The first 16 bytes of its signature: the id the flash state names it by. */
  id: string;
  defect?: Defect;
}

const cache = new Map<string, ChassisImage>();
let coreBytes: Uint8Array | undefined;

/** Builds (or returns from the cache) the signed image for a board and version. */
export function chassisImage(spec: ImageSpecOnChassis, key: SigningKey): ChassisImage {
  const ck = [spec.board.file, spec.version, spec.securityCounter, JSON.stringify(spec.defect ?? null), hexId(key.id)].join("|");
  const hit = cache.get(ck);
  if (hit) return hit;
  coreBytes ??= new Uint8Array(fs.readFileSync(CORE_WASM));
  const version = parseVersion(spec.version);
  const d = spec.defect;
  const bytes = buildImage({
    boardId: spec.board.id,
    version,
    securityCounter: spec.securityCounter,
    core: d?.kind === "boot" ? coreBytes.subarray(0, 4096) : coreBytes,
    board: new Uint8Array(fs.readFileSync(spec.board.file)),
    extensions: d && d.kind !== "boot" ? [{ type: SIM_DEFECT_RECORD, value: new TextEncoder().encode(JSON.stringify(d)) }] : [],
    keyId: key.id,
    sign: (m) => new Uint8Array(crypto.sign(null, m, key.privateKey)),
  });
  const img = describeImage(bytes);
  cache.set(ck, img);
  return img;
}

/** What the image's header and records say (parsed by the core, no signature check). */
export function describeImage(bytes: Uint8Array, core: Core = parser()): ChassisImage {
  const r = runImage(core, bytes, { mode: "parse" });
  if (r.status !== 0 || !r.header) throw new Error(`not an image: ${r.reason}`);
  const v = r.header.version;
  return {
    bytes,
    board: r.header.board,
    version: versionText(v),
    syncVersion: syncVersionOf(v),
    securityCounter: r.header.securityCounter,
    id: Buffer.from(bytes.subarray(bytes.length - F.IMG_SIG_LEN, bytes.length - F.IMG_SIG_LEN + 16)).toString("hex"),
    defect: defectOf(r, bytes),
  };
}

let parserCore: Core | undefined;
function parser(): Core {
  return (parserCore ??= Core.load());
}

/** The simulated defect an image carries: its defect record, or a core part that is cut short. */
export function defectOf(r: ImageResult, bytes: Uint8Array): Defect | undefined {
  const rec = r.records.find((x) => x.type === SIM_DEFECT_RECORD);
  if (rec) {
    const at = rec.offset + F.IMG_REC_HEADER_LEN;
    try {
      return JSON.parse(Buffer.from(bytes.subarray(at, at + rec.length)).toString("utf8")) as Defect;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The core part of an image (its content, after the SHA-256), as the parser found it. */
export function corePart(r: ImageResult, bytes: Uint8Array): Uint8Array {
  const rec = r.records.find((x) => x.type === F.IMG_REC_CORE);
  if (!rec) throw new Error("the image has no core part");
  return bytes.subarray(rec.contentOffset, rec.contentOffset + rec.contentLength);
}
