// `lastgasp check` as a CI runs it, on all three engines: V8, real wasmtime (the npm binding)
// and native (the core translated by wasm2c, compiled with gcc, run on this machine): every
// case passes; the JUnit XML says so in the form CI systems read (parsed here by Python's
// own XML parser); a damaged core fails (exit 1) naming the first wrong call; bad input exits 2.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as crypto from "crypto";
import { spawnCli, ROOT } from "./helpers/cli";
import { tmpDir } from "./helpers/tshark";

const dir = tmpDir("check-cli");
const run = (...args: string[]) => spawnCli(args, dir);

/** A JUnit file as Python's xml.etree reads it: suites, cases, failures. */
function junit(file: string): { suites: { name: string; tests: number; failures: number }[]; cases: { classname: string; name: string; failure: string | null }[] } {
  const py = `
import json, sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites"
suites = [{"name": s.get("name"), "tests": int(s.get("tests")), "failures": int(s.get("failures"))} for s in root.findall("testsuite")]
cases = [{"classname": c.get("classname"), "name": c.get("name"), "failure": (c.find("failure").get("message") if c.find("failure") is not None else None)} for c in root.iter("testcase")]
print(json.dumps({"suites": suites, "cases": cases}))`;
  return JSON.parse(execFileSync("python3", ["-c", py, file], { encoding: "utf8" }));
}

for (const engine of ["v8", "wasmtime", "native"]) {
  test(`check --engine ${engine}: self-test, known answers and conformance replay all pass; JUnit XML`, () => {
    const xml = path.join(dir, `${engine}.xml`);
    const r = run("check", "--engine", engine, "--junit", xml, "--json");
    assert.is(r.code, 0, r.err + r.out.slice(0, 2000));
    const rep = JSON.parse(r.out);
    assert.is(rep.ok, true);
    const names = rep.cases.map((c: { suite: string; name: string }) => `${c.suite}/${c.name}`);
    for (const n of ["core/abi", "core/selftest", "kat/crc32-check", "kat/sha256-million-a", "kat/hmac-sha256-rfc4231-7", "kat/arp-announce", "kat/na-unsolicited", "conformance/gasp", "conformance/engine", "conformance/fault-e1000-hung", "conformance/switch", "conformance/wire", "conformance/image", "conformance/flash", "conformance/dialect", "conformance/fault-dialects", "kat/sha512-896", "kat/ed25519-rfc8032-1024"]) assert.ok(names.includes(n), n);
    assert.match(rep.engine, engine === "native" ? /^native \(wasm2c .*, .*\)/ : new RegExp(`^${engine}`));
    const digests = rep.cases.reduce((a: number, c: { digests: number }) => a + c.digests, 0);
    assert.ok(digests > 500, `${digests} digests compared`);
    const j = junit(xml);
    assert.equal(j.suites, [{ name: `lastgasp check (${engine})`, tests: rep.cases.length, failures: 0 }]);
    assert.is(j.cases.length, rep.cases.length);
    assert.ok(j.cases.every((c) => c.failure === null && c.classname.startsWith("lastgasp.")));
  });
}

test("a damaged core fails (exit 1): the self-test and every script that calls it, the first wrong call named; JUnit lists the failures", () => {
  // One bit of the FIPS 180-4 "abc" digest the self-test compares with, in the data segment.
  const core = fs.readFileSync(path.join(ROOT, "build", "core.wasm"));
  const needle = crypto.createHash("sha256").update("abc").digest();
  const at = core.indexOf(needle);
  assert.ok(at > 0);
  const bad = Buffer.from(core);
  bad[at + 31] ^= 1;
  fs.writeFileSync(path.join(dir, "bad.wasm"), bad);
  for (const engine of ["v8", "native"]) {
    const r = run("check", "--engine", engine, "--core", "bad.wasm", "--junit", `bad-${engine}.xml`);
    assert.is(r.code, 1, r.err);
    assert.match(r.out, /FAIL {2}core\/selftest +step 2: selftest\(\) = 1, expected 0/);
    assert.match(r.out, /FAIL {2}conformance\/wire +step \d+: selftest\(\) = 1, expected 0/);
    assert.match(r.out, /ok {4}kat\/sha256-abc/, "the code is right: only the self-test's own copy of the answer is damaged");
    const failed = junit(path.join(dir, `bad-${engine}.xml`)).cases.filter((c) => c.failure !== null).map((c) => c.name);
    assert.equal(failed, ["selftest", "flash", "image", "wire"]);
  }
});

test("bad input exits 2 with one line: an unknown engine, a file that is not a core, a core with imports, a JUnit path that is a directory", () => {
  fs.writeFileSync(path.join(dir, "junk.wasm"), "not wasm");
  fs.mkdirSync(path.join(dir, "adir"), { recursive: true });
  const cases: [string[], RegExp][] = [
    [["check", "--engine", "spidermonkey"], /--engine: "spidermonkey" is not one of v8, wasmtime, native/],
    [["check", "--core", "junk.wasm"], /--core: junk\.wasm: not a valid WebAssembly module/],
    [["check", "--core", "nope.wasm"], /--core: nope\.wasm: no such file/],
    [["check", "--core", path.join(ROOT, "build", "sim", "os.wasm")], /imports env\.panic, env\.memory: the core has none/],
    [["check", "--junit", "adir"], /--junit: adir: is a directory/],
    [["check", "--engine", "native", "--cc-test"], /--cc-test: unknown option/],
  ];
  const noCc = spawnCli(["check", "--engine", "native"], dir, { env: { CC: "lg-no-such-cc" } });
  assert.is(noCc.code, 2, noCc.err);
  assert.match(noCc.err, /^lastgasp check: --engine native: lg-no-such-cc not found: the native engine compiles/);
  for (const [args, msg] of cases) {
    const r = run(...args);
    assert.is(r.code, 2, r.err);
    assert.is(r.out, "");
    assert.is(r.err.trim().split("\n").length, 1, r.err);
    assert.match(r.err, msg);
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
