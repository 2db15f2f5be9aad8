// `lastgasp keygen` and `lastgasp image build | inspect | verify` as a user runs them: exit
// 0 valid, 1 refused with a one-line reason, 2 bad input or unreadable file, and never a
// stack trace. The board file decides which keys its card trusts.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { runCliInProcess, spawnCli, ROOT } from "./helpers/cli";
import { tmpDir } from "./helpers/tshark";
import { buildImage } from "../host/image/format";
import { keyId, readPrivateKey } from "../host/image/keys";
import { smallSpec, testKey } from "./helpers/image";

const dir = tmpDir("image-cli");
const p = (f: string) => path.join(dir, f);
const oneLine = (s: string) => s.trim().split("\n").length === 1 && !/\n\s+at /.test(s);

function board(file: string, id: string, trusted: string[]): string {
  // The shipped board of that id when there is one: a renamed linecard-a would be its own peer.
  const shipped = path.join(ROOT, "boards", `${id}.json`);
  const raw = JSON.parse(fs.readFileSync(fs.existsSync(shipped) ? shipped : path.join(ROOT, "boards", "linecard-a.json"), "utf8"));
  raw.id = id;
  raw.trustedKeys = trusted;
  delete raw.$schema;
  fs.writeFileSync(p(file), JSON.stringify(raw, null, 2));
  return p(file);
}

let keyIdHex = "";
let otherIdHex = "";

test("keygen: a 0600 PEM private key and a .pub, the key id printed; never overwrites", async () => {
  const r = await runCliInProcess(["keygen", "--out", p("keys")]);
  assert.is(r.code, 0, r.err);
  const priv = p("keys/image-signing.key");
  const pub = p("keys/image-signing.pub");
  assert.is(fs.statSync(priv).mode & 0o777, 0o600);
  assert.match(fs.readFileSync(priv, "utf8"), /^-----BEGIN PRIVATE KEY-----/);
  assert.match(fs.readFileSync(pub, "utf8"), /^-----BEGIN PUBLIC KEY-----/);
  const k = readPrivateKey(priv);
  keyIdHex = Buffer.from(k.id).toString("hex");
  assert.is(keyIdHex, crypto.createHash("sha256").update(k.publicRaw).digest("hex").slice(0, 32));
  assert.match(r.out, new RegExp(`key id\\s+${keyIdHex}`));
  const again = await runCliInProcess(["keygen", "--out", p("keys")]);
  assert.is(again.code, 2);
  assert.ok(oneLine(again.err) && /already exists/.test(again.err), again.err);
  assert.is(keyId(k.publicRaw).length, 16);
  const j = await runCliInProcess(["keygen", "--out", p("keys"), "--name", "other", "--json"]);
  assert.is(j.code, 0);
  otherIdHex = JSON.parse(j.out).keyId;
  assert.is((await runCliInProcess(["keygen", "--out", p("keys"), "--name", "../x"])).code, 2);
  assert.is((await runCliInProcess(["keygen"])).code, 2, "--out is required");
});

test("build, inspect, verify: 0; the image carries the board, version, counter and key id", async () => {
  const b = board("card.json", "linecard-a", [keyIdHex]);
  const r = await runCliInProcess(["image", "build", "--board", b, "--key", p("keys/image-signing.key"), "--version", "3.1.4+15", "--security-counter", "9", "-o", p("a.img")]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /verified by the core/);
  const i = await runCliInProcess(["image", "inspect", p("a.img")]);
  assert.is(i.code, 0, i.err);
  for (const re of [/board\s+linecard-a/, /version\s+3\.1\.4\+15/, /security counter\s+9/, /core .* ok/, /board .* ok/, new RegExp(`key id\\s+${keyIdHex}`)]) assert.match(i.out, re);
  const j = JSON.parse((await runCliInProcess(["image", "inspect", p("a.img"), "--json"])).out);
  assert.is(j.valid, true);
  assert.is(j.header.version.text, "3.1.4+15");
  assert.is(j.header.securityCounter, 9);
  assert.equal(j.records.map((x: { name: string }) => x.name), ["core", "board", "key-id", "signature"]);
  assert.is(j.records[0].sha256, crypto.createHash("sha256").update(fs.readFileSync(path.join(ROOT, "build", "core.wasm"))).digest("hex"));
  const v = await runCliInProcess(["image", "verify", p("a.img"), "--pubkey", p("keys/image-signing.pub")]);
  assert.is(v.code, 0, v.err);
  assert.match(v.out, /valid: board linecard-a, version 3\.1\.4\+15, security counter 9/);
  const vb = await runCliInProcess(["image", "verify", p("a.img"), "--pubkey", p("keys/image-signing.pub"), "--board", b]);
  assert.is(vb.code, 0, vb.err);
});

test("refusals exit 1 with one line: another key, a board that does not trust the key, another board, the image's own board", async () => {
  const other = await runCliInProcess(["image", "verify", p("a.img"), "--pubkey", p("keys/other.pub")]);
  assert.is(other.code, 1);
  assert.ok(oneLine(other.err), other.err);
  assert.match(other.err, new RegExp(`signed by key ${keyIdHex}, not by the given public key ${otherIdHex}`));
  const distrust = board("distrust.json", "linecard-a", [otherIdHex]);
  const d = await runCliInProcess(["image", "verify", p("a.img"), "--pubkey", p("keys/image-signing.pub"), "--board", distrust]);
  assert.is(d.code, 1);
  assert.match(d.err, /does not trust key/);
  const b2 = board("b2.json", "linecard-b", [keyIdHex]);
  const wrong = await runCliInProcess(["image", "verify", p("a.img"), "--pubkey", p("keys/image-signing.pub"), "--board", b2]);
  assert.is(wrong.code, 1);
  assert.match(wrong.err, /built for board "linecard-a", not for board linecard-b/);
  // An image whose own (signed) board does not list the key that signed it.
  const k = testKey(42);
  const raw = JSON.parse(fs.readFileSync(path.join(ROOT, "boards", "linecard-a.json"), "utf8"));
  raw.trustedKeys = [];
  const img = buildImage(smallSpec(k, { core: fs.readFileSync(path.join(ROOT, "build", "core.wasm")), board: Buffer.from(JSON.stringify(raw)) }));
  fs.writeFileSync(p("selfish.img"), img);
  fs.writeFileSync(p("k42.pub"), crypto.createPublicKey(k.priv).export({ format: "pem", type: "spki" }));
  const s = await runCliInProcess(["image", "verify", p("selfish.img"), "--pubkey", p("k42.pub")]);
  assert.is(s.code, 1);
  assert.match(s.err, /own board \(linecard-a\) does not list key/);
  // An image whose board record is no board at all (but is signed).
  fs.writeFileSync(p("noboard.img"), buildImage(smallSpec(k, { board: Buffer.from('{"id": 5}') })));
  const nb = await runCliInProcess(["image", "verify", p("noboard.img"), "--pubkey", p("k42.pub")]);
  assert.is(nb.code, 1);
  assert.match(nb.err, /not a valid board/);
});

test("damaged files exit 1 with the reason: truncated, extended, garbage, empty, one flipped byte, oversized", async () => {
  const img = fs.readFileSync(p("a.img"));
  const cases: [string, Buffer, RegExp][] = [
    ["truncated", img.subarray(0, img.length - 100), /truncated/],
    ["extended", Buffer.concat([img, Buffer.alloc(8)]), /extended/],
    ["garbage", crypto.randomBytes(5000), /not a lastgasp image/],
    ["empty", Buffer.alloc(0), /0 bytes is shorter/],
    ["flipped", (() => { const m = Buffer.from(img); m[1000] ^= 1; return m; })(), /record 0 \(core\): SHA-256 does not match/],
    ["late flip", (() => { const m = Buffer.from(img); m[52] ^= 1; return m; })(), /signature does not verify/],
  ];
  for (const [name, bytes, re] of cases) {
    fs.writeFileSync(p(`${name}.img`), bytes);
    for (const args of [["image", "verify", p(`${name}.img`), "--pubkey", p("keys/image-signing.pub")], ["image", "inspect", p(`${name}.img`)]]) {
      const r = await runCliInProcess(args);
      if (name === "late flip" && args[1] === "inspect") {
        assert.is(r.code, 0, "inspect does not check the signature");
        continue;
      }
      assert.is(r.code, 1, `${name} ${args[1]}`);
      assert.ok(oneLine(r.err), `${name}: ${r.err}`);
      assert.match(r.err, re, `${name} ${args[1]}`);
    }
  }
  // Oversized: a sparse 17 MiB file is refused without being read.
  const big = p("big.img");
  const fd = fs.openSync(big, "w");
  fs.ftruncateSync(fd, 17 << 20);
  fs.closeSync(fd);
  const r = await runCliInProcess(["image", "verify", big, "--pubkey", p("keys/image-signing.pub")]);
  assert.is(r.code, 1);
  assert.match(r.err, /over the 16777216-byte limit/);
});

test("bad input exits 2 with one line: missing and unreadable files, keys, options", async () => {
  const pub = p("keys/image-signing.pub");
  const key = p("keys/image-signing.key");
  const b = board("card2.json", "linecard-a", [keyIdHex]);
  fs.writeFileSync(p("garbage.pem"), "not a key\n");
  fs.writeFileSync(p("identity.pub"), crypto.createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), Buffer.from("01" + "00".repeat(31), "hex")]), format: "der", type: "spki" }).export({ format: "pem", type: "spki" }));
  fs.copyFileSync(key, p("open.key"));
  fs.chmodSync(p("open.key"), 0o644);
  const cases: [string[], RegExp][] = [
    [["image", "verify", p("nonexistent.img"), "--pubkey", pub], /cannot read the image \(ENOENT\)/],
    [["image", "verify", dir, "--pubkey", pub], /not a regular file/],
    [["image", "inspect", p("nonexistent.img")], /ENOENT/],
    [["image", "verify", p("a.img")], /--pubkey: required/],
    [["image", "verify", p("a.img"), "--pubkey", p("none.pub")], /cannot read the public key/],
    [["image", "verify", p("a.img"), "--pubkey", key], /is a private key/],
    [["image", "verify", p("a.img"), "--pubkey", p("garbage.pem")], /not a PEM public key/],
    [["image", "verify", p("a.img"), "--pubkey", p("identity.pub")], /refused by the core's key checks .*E_ED_KEY_SMALL_ORDER/],
    [["image", "verify", p("a.img"), "--pubkey", pub, "--board", p("none.json")], /none\.json/],
    [["image", "build", "--board", b, "--key", p("open.key"), "--version", "1.0.0", "-o", p("x.img")], /readable by group or others \(mode 0644\); chmod 600/],
    [["image", "build", "--board", b, "--key", p("keys/other.key"), "--version", "1.0.0", "-o", p("x.img")], /does not trust key/],
    [["image", "build", "--board", b, "--key", key, "--version", "1.0", "-o", p("x.img")], /is not a version/],
    [["image", "build", "--board", b, "--key", key, "--version", "1.0.0", "--security-counter", "-1", "-o", p("x.img")], /--security-counter/],
    [["image", "build", "--board", b, "--key", key, "-o", p("x.img")], /--version: required/],
    [["image", "build", "--board", b, "--key", key, "--version", "1.0.0", "-o", p("no/such/dir/x.img")], /does not exist/],
    [["image", "build", "--board", b, "--key", key, "--version", "1.0.0", "-o", dir], /not a regular file/],
    [["image", "build", "--board", b, "--key", key, "--version", "1.0.0", "-o", p("x.img"), "--pubkey", pub], /--pubkey: not an option of image build/],
    [["image", "build", "--board", p("garbage.pem"), "--key", key, "--version", "1.0.0", "-o", p("x.img")], /not valid JSON/],
    [["image", "frobnicate"], /not an image subcommand/],
    [["image", "inspect"], /missing FILE/],
  ];
  for (const [args, re] of cases) {
    const r = await runCliInProcess(args);
    assert.is(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.ok(oneLine(r.err), `${args.join(" ")}: ${r.err}`);
    assert.match(r.err, re, args.join(" "));
  }
  assert.not.ok(fs.existsSync(p("x.img")), "nothing written by a refused build");
});

test("the development key and the shipped board; as a user runs it (child processes): exit codes, no stack trace", async () => {
  const devKey = p("development.key");
  fs.copyFileSync(path.join(ROOT, "boards", "keys", "development.key"), devKey);
  fs.chmodSync(devKey, 0o600);
  const built = await runCliInProcess(["image", "build", "--board", "boards/linecard-a.json", "--key", devKey, "--version", "1.2.0", "-o", p("dev.img")], ROOT);
  assert.is(built.code, 0, built.err);
  const ok = await runCliInProcess(["image", "verify", p("dev.img"), "--pubkey", "boards/keys/development.pub", "--board", "boards/linecard-a.json"], ROOT);
  assert.is(ok.code, 0, ok.err);
  const wrong = spawnCli(["image", "verify", p("dev.img"), "--pubkey", "boards/keys/development.pub", "--board", "boards/linecard-b.json"]);
  assert.is(wrong.code, 1);
  assert.ok(oneLine(wrong.err), wrong.err);
  const missing = spawnCli(["image", "inspect", p("missing.img")]);
  assert.is(missing.code, 2);
  assert.ok(oneLine(missing.err), missing.err);
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
