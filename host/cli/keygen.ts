// `lastgasp keygen --out DIR`: an Ed25519 key pair for signing images (host/image/keys.ts).

import { Command, Parsed, UsageError, requireString } from "./command";
import { KeyFileError, generateKeyFiles, hexId } from "../image/keys";

export const command: Command = {
  usage: "keygen --out DIR [--name NAME] [--json]",
  details: `writes DIR/NAME.key (PKCS#8 PEM, created with mode 0600) and DIR/NAME.pub (SPKI PEM),
and prints the key id: a board trusts images signed by this key once its id is in the
board file's trustedKeys (docs/image-format.md). Never overwrites an existing key.

options:
  --out DIR    directory for the two files (created, mode 0700, if missing)
  --name NAME  file name stem (default image-signing)
  --json       print {keyId, privateKey, publicKey}

exit status: 0 written; 2 bad input (existing files, unwritable directory).

example:
  lastgasp keygen --out keys`,
  options: { out: { type: "string" }, name: { type: "string" }, json: { type: "boolean" } },
  positionals: { min: 0, max: 0 },
  run(args: Parsed): number {
    const dir = requireString(args, "out");
    const name = (args.values.name as string | undefined) ?? "image-signing";
    let k;
    try {
      k = generateKeyFiles(dir, name);
    } catch (e) {
      if (e instanceof KeyFileError) throw new UsageError(e.message);
      throw e;
    }
    const id = hexId(k.id);
    if (args.values.json) console.log(JSON.stringify({ keyId: id, privateKey: k.privateFile, publicKey: k.publicFile }, null, 2));
    else console.log(`private key ${k.privateFile} (mode 0600)\npublic key  ${k.publicFile}\nkey id      ${id}`);
    return 0;
  },
};
