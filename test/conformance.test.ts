// The conformance scripts `lastgasp check` replays (conformance/*.json): current — a fresh
// recording on V8 from their builders (test/helpers/conformance/) is byte for byte the
// committed file — and about something: what each recording shows about the core, read from
// the recorded results. (That another engine computes the same: test/check-cli.test.ts.)

import { test } from "uvu";
import * as assert from "uvu/assert";
import { execFileSync } from "child_process";
import * as path from "path";
import { conformanceScripts, CallStep, isPoke } from "../host/check/script";
import { SOURCES } from "./helpers/conformance/index";
import * as S from "../assembly/shared/switch";
import * as F from "../assembly/shared/fault";
import * as D from "../assembly/shared/dialect";
import { E_GASP_DUPLICATE, E_GASP_FENCED } from "../assembly/shared/status";

const scripts = new Map(conformanceScripts().map((s) => [s.name, s]));
const calls = (name: string) => scripts.get(name)!.steps.filter((s): s is CallStep => !isPoke(s));
const results = (name: string, fn: string) => calls(name).filter((c) => c[0] === fn).map((c) => c[2]);

test("every builder has its file, current (node scripts/gen-conformance.js --check)", () => {
  assert.equal([...scripts.keys()].sort(), SOURCES.map((s) => s.name).sort());
  execFileSync(process.execPath, [path.join(__dirname, "..", "scripts", "gen-conformance.js"), "--check"], { stdio: ["ignore", "pipe", "pipe"] });
});

test("wire: selftest() passed at the start; hundreds of digests; out-of-range arguments answered, never a trap", () => {
  assert.equal(calls("wire").slice(1, 3).map((c) => [c[0], c[2]]), [["init", 0], ["selftest", 0]]);
  assert.ok(results("wire", "region_digest").length > 100);
  const last = calls("wire").find((c) => c[0] === "arp_announce" && c[1][0] === 0);
  assert.ok(last && last[2] < 0, "a pointer outside host memory is an error code");
});

test("switch: frames reach every verdict", () => {
  const verdicts = results("switch", "sw_packet").map((r) => r >>> 24).filter((a) => a > 0);
  for (const action of [S.V_FORWARD, S.V_ANSWER, S.V_PUNT, S.V_DROP]) assert.ok(verdicts.includes(action), `verdict ${action}`);
});

test("gasp: four frames per fire; fenced rounds refuse hellos; one accepted and three duplicates per gasp; digests that vary", () => {
  assert.ok(results("gasp", "gasp_fire").every((r) => r === 4));
  const hellos = results("gasp", "gasp_hello");
  assert.ok(hellos.includes(E_GASP_FENCED) && hellos.includes(4));
  const rx = results("gasp", "gasp_receive");
  assert.is(rx.filter((r) => r > 0).length, 32);
  assert.is(rx.filter((r) => r === E_GASP_DUPLICATE).length, 96);
  assert.ok(new Set(results("gasp", "region_digest")).size > 60);
});

test("fault entry: every case ends with STEP_DONE; healthy ports sent; a hung port ends in an error and the other still sent", () => {
  for (const [name, hung] of [["fault-e1000", null], ["fault-i210", null], ["fault-e1000-hung", 0], ["fault-i210-hung", 1]] as const) {
    const steps = results(name, "fault_step");
    assert.ok(steps.length > 4, name);
    assert.is(steps[steps.length - 1], 0, `${name}: STEP_DONE`);
    const status = (p: number) => calls(name).find((c) => c[0] === "fault_port_info" && c[1][0] === p && c[1][1] === F.FPI_STATUS)![2];
    if (hung === null) assert.equal([status(0), status(1)], [F.FPS_SENT, F.FPS_SENT], name);
    else {
      assert.ok(status(hung) < 0, `${name}: the hung port ends with an error`);
      assert.is(status(1 - hung), F.FPS_SENT, `${name}: the other port sent`);
    }
  }
});

test("engine: the rounds handled frames; every ring slot holds its own buffer at the end (a permutation)", () => {
  assert.ok(results("engine", "eng_poll").reduce((a, b) => a + b, 0) > 200);
  const bufs = results("engine", "nic_slot_buf").filter((b) => b !== 0);
  assert.is(new Set(bufs).size, bufs.length);
});

test("image: genuine signatures verify and mutated ones do not; the genuine images pass, every corrupted one is refused", () => {
  const eds = results("image", "ed25519_verify");
  assert.is(eds.length, 24);
  eds.forEach((r, i) => assert.ok(i % 2 === 0 ? r === 0 : r < 0, `signature ${i}: ${r}`));
  const finishes = results("image", "img_finish");
  assert.is(finishes.length, 8);
  assert.equal(finishes.slice(0, 2), [0, 0]);
  assert.ok(finishes.slice(2).every((r) => r < 0));
  assert.is(new Set(finishes.slice(2)).size, 6, "six corruptions, six different reasons");
});

test("dialect: frames armed of every kind and refusals; re-arms, OAM learning, fires per cause; digests that vary", () => {
  const arms = results("dialect", "dialect_arm");
  assert.ok(arms.filter((r) => r >= 0).length > 50 && arms.filter((r) => r < 0).length > 5, `armed ${arms.filter((r) => r >= 0).length}, refused ${arms.filter((r) => r < 0).length}`);
  const kinds = new Set(calls("dialect").filter((c) => c[0] === "dialect_info" && c[1][1] === D.DINFO_KIND && c[2] > 0).map((c) => c[2]));
  assert.equal([...kinds].sort(), [D.DIALECT_VRRP, D.DIALECT_BFD, D.DIALECT_OAM]);
  assert.ok(results("dialect", "dialect_rearm").some((r) => r >= 0) && results("dialect", "dialect_rearm").some((r) => r < 0));
  assert.ok(results("dialect", "dialect_oam_learn").includes(1), "a peer's TLV learned");
  assert.ok(results("dialect", "dialect_fire").every((r) => r >= 0));
  assert.ok(new Set(results("dialect", "region_digest")).size > 100);
});

test("fault-dialects: the gasp, then every dialect copy on its port, then the carrier dropped on the port asked", () => {
  assert.equal(results("fault-dialects", "dialect_arm"), [0, 1, 2, 3]);
  const steps = results("fault-dialects", "fault_step");
  assert.is(steps[steps.length - 1], 0, "STEP_DONE");
  const info = (p: number, f: number) => calls("fault-dialects").find((c) => c[0] === "fault_port_info" && c[1][0] === p && c[1][1] === f)![2];
  assert.equal([info(0, F.FPI_STATUS), info(1, F.FPI_STATUS)], [F.FPS_SENT, F.FPS_SENT]);
  assert.equal([info(0, F.FPI_CARRIER), info(1, F.FPI_CARRIER)], [0, 1], "carrier dropped on port 1 only");
});

test.run();
