// `lastgasp image build | inspect | verify`: signed images (docs/image-format.md). The work
// is in host/image/files.ts; the core parses and verifies. Exit status: 0 built / valid,
// 1 refused (one line with the reason), 2 bad input or unreadable file.

import { Command, Parsed, UsageError, optionalInt, requireString } from "./command";
import { InputError, ImageRefusedError, buildImageFile, inspectImageFile, verifyImageFile } from "../image/files";
import { ImageResult } from "../image/verifier";
import { versionText } from "../image/format";

const SUBCOMMANDS: Record<string, string[]> = {
  build: ["board", "key", "version", "security-counter", "out", "core", "native", "json"],
  inspect: ["json"],
  verify: ["pubkey", "board", "json"],
};

const hex8 = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;

function inspectText(file: string, r: ImageResult): string {
  const out: string[] = [`image ${file}: ${r.size} bytes`];
  const h = r.header;
  if (h) {
    out.push(
      `  magic             ${hex8(h.magic)}`,
      `  format            ${h.formatVersion} (header ${h.headerLength} bytes)`,
      `  image length      ${h.imageLength}`,
      `  flags             ${hex8(h.flags)}`,
      `  board             ${h.board}`,
      `  version           ${h.version.text} (major ${h.version.major}, minor ${h.version.minor}, patch ${h.version.patch}, build ${h.version.build})`,
      `  security counter  ${h.securityCounter}`,
      `  records           ${h.recordCount}`,
    );
  }
  if (r.records.length) {
    out.push("  #  type       offset    length    content  sha256");
    for (const rec of r.records) {
      const digest = rec.sha256 ? `${rec.sha256} ${rec.digestOk ? "ok" : "not checked"}` : rec.name === "key-id" ? `(key id ${r.keyId})` : "";
      out.push(`  ${String(rec.index).padEnd(2)} ${rec.name.padEnd(10)} ${String(rec.offset).padStart(8)}  ${String(rec.length).padStart(8)}  ${String(rec.contentLength).padStart(8)}  ${digest}`);
    }
  }
  if (r.keyId) out.push(`  key id            ${r.keyId}`);
  out.push(r.status === 0 ? `  parsed by the core: ${r.reason}` : `  refused by the core: ${r.reason}`);
  return out.join("\n");
}

function resultJson(file: string, r: ImageResult) {
  return {
    file,
    size: r.size,
    valid: r.status === 0,
    status: r.statusName,
    reason: r.reason,
    header: r.header ?? null,
    records: r.records,
    keyId: r.keyId ?? null,
    ...(r.status !== 0 ? { errorOffset: r.errOffset ?? null, errorRecord: r.errRecord ?? null } : {}),
  };
}

function run(args: Parsed): number {
  const [sub, ...rest] = args.positionals;
  const allowed = SUBCOMMANDS[sub];
  if (!allowed) throw new UsageError(`${sub}: not an image subcommand (build, inspect, verify)`);
  for (const [k, v] of Object.entries(args.values)) {
    if (v !== undefined && !allowed.includes(k)) throw new UsageError(`--${k}: not an option of image ${sub}`);
  }
  const json = args.values.json === true;
  try {
    if (sub === "build") {
      if (rest.length) throw new UsageError(`${rest[0]}: unexpected argument`);
      const o = buildImageFile({
        boardFile: requireString(args, "board"),
        keyFile: requireString(args, "key"),
        version: requireString(args, "version"),
        securityCounter: optionalInt(args, "security-counter", 0, 0xffffffff),
        out: requireString(args, "out"),
        coreFile: args.values.core as string | undefined,
        nativeFile: args.values.native as string | undefined,
      });
      if (json) console.log(JSON.stringify({ ...o, version: versionText(o.version) }, null, 2));
      else console.log(`wrote ${o.out}: ${o.size} bytes, ${o.records} records, board ${o.board}, version ${versionText(o.version)}, security counter ${o.securityCounter}, key id ${o.keyId}; verified by the core`);
      return 0;
    }
    if (rest.length !== 1) throw new UsageError(rest.length ? `${rest[1]}: unexpected argument` : `missing FILE (usage: lastgasp image ${sub} FILE${sub === "verify" ? " --pubkey P" : ""})`);
    const file = rest[0];
    if (sub === "inspect") {
      const r = inspectImageFile(file);
      if (json) console.log(JSON.stringify(resultJson(file, r), null, 2));
      else console.log(inspectText(file, r));
      if (r.status !== 0) console.error(`lastgasp image inspect: ${file}: refused: ${r.reason}`);
      return r.status === 0 ? 0 : 1;
    }
    const v = verifyImageFile(file, requireString(args, "pubkey"), args.values.board as string | undefined);
    if (json) console.log(JSON.stringify({ ...resultJson(file, v.result), valid: v.valid, reason: v.reason, trustedKey: v.keyId }, null, 2));
    if (!v.valid) {
      console.error(`lastgasp image verify: ${file}: refused: ${v.reason}`);
      return 1;
    }
    const h = v.result.header!;
    if (!json) console.log(`${file}: valid: board ${h.board}, version ${h.version.text}, security counter ${h.securityCounter}, signed by key ${v.keyId}`);
    return 0;
  } catch (e) {
    if (e instanceof InputError) throw new UsageError(e.message.replace(/\s*\n\s*/g, " "));
    if (e instanceof ImageRefusedError) {
      console.error(`lastgasp image ${sub}: ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError) throw e;
    // Anything else is an I/O surprise, not a reason for a stack trace: one line, exit 2.
    throw new UsageError(`${(e as Error).message.split("\n")[0]}`);
  }
}

export const command: Command = {
  usage: "image build --board B --key K --version V [--security-counter N] -o FILE | image inspect FILE [--json] | image verify FILE --pubkey P [--board B] [--json]",
  details: `image build --board B --key K --version V [--security-counter N] -o FILE [--native F] [--core F]
  An image for board file B: its core (build/core.wasm, or --core), the board file itself,
  optionally the wasm2c native build (--native), each with its SHA-256, the signing key's id
  and an Ed25519 signature over all of it (docs/image-format.md). V is MAJOR.MINOR.PATCH[+BUILD];
  N the security counter (default 0). K is the PEM private key from lastgasp keygen; it must
  not be readable by group or others, and B's trustedKeys must list its key id. The core
  verifies the image as B's card would before it is written.

image inspect FILE [--json]
  Every header field and record (offsets, sizes, SHA-256s, the key id), as the core's parser
  finds them. The signature is not checked (no key needed).

image verify FILE --pubkey P [--board B] [--json]
  The core parses FILE and verifies its signature under the public key P (PEM). With --board
  (the card's own board file) the image must be built for B and B's trustedKeys must list P;
  without it, the image's own board file must list P.

exit status: 0 built / valid; 1 refused, with the reason on one line; 2 bad input or an
unreadable file.

examples:
  lastgasp keygen --out keys
  lastgasp image build --board boards/linecard-a.json --key boards/keys/development.key --version 1.2.0 -o build/linecard-a.img
  lastgasp image inspect build/linecard-a.img
  lastgasp image verify build/linecard-a.img --pubkey boards/keys/development.pub`,
  options: {
    board: { type: "string" },
    key: { type: "string" },
    version: { type: "string" },
    "security-counter": { type: "string" },
    out: { type: "string", short: "o" },
    core: { type: "string" },
    native: { type: "string" },
    pubkey: { type: "string" },
    json: { type: "boolean" },
  },
  positionals: { min: 1, max: 3 },
  run,
};
