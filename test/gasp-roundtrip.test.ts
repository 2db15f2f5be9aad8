// Sender to receiver: every gasp and hello the core builds is accepted with the fields it
// was given; copies are reported as authentic duplicates, older messages as replays; replay
// state survives a receiver restart through a file, and a sender restart is accepted only
// with its persisted boot counter incremented.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { Rng } from "../host/util/rng";
import { GaspReceiver } from "../host/gasp/gasp";
import { nextBootCounter, saveReplayState, loadReplayState } from "../host/gasp/persist";
import * as G from "../assembly/shared/gasp";
import { armedSender, receiver, CHASSIS, KEY, KEY_ID, boardPorts } from "../host/campaign/gasp-fixture";
import { tmpDir } from "./helpers/tshark";

const rng = new Rng(0x7007);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const big = () => (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());

test("1,000 random gasps and hellos: every frame's first copy accepted with the fields sent, the rest duplicates", () => {
  const tx = armedSender({ selfFence: false, unit: 5, priority: 17, epoch: 99 });
  const rx = receiver();
  let accepted = 0;
  for (let i = 0; i < 1000; i++) {
    const hello = rng.bool(0.3);
    const cause = 1 + rng.int(7), vector = rng.u32(), pc = big(), uptimeUs = big();
    const excerpt = rng.bytes(rng.int(80));
    const built = hello ? tx.hello(uptimeUs) : tx.fire({ cause, vector, pc, uptimeUs, excerpt });
    built.frames.forEach((f, k) => {
      const r = rx.receive(f.bytes);
      const m = r.message!;
      assert.ok(m, `frame ${k} of message ${i}: ${r.ok ? "" : r.reason}`);
      if (k === 0) {
        assert.ok(r.ok, `first frame of message ${i}`);
        accepted++;
      } else {
        assert.is(r.ok ? "accepted" : r.reason, "E_GASP_DUPLICATE");
      }
      assert.equal([m.type, m.unit, m.role, m.priority, m.chassis, m.boot, m.epoch, m.seq, m.keyId], [hello ? 2 : 1, 5, 1, 17, CHASSIS, 7, 99, built.seq, KEY_ID]);
      assert.is(m.uptimeUs, uptimeUs);
      if (!hello) {
        assert.equal([m.cause, m.vector, m.pc], [cause, vector, pc]);
        assert.is(hex(m.excerpt), hex(excerpt.subarray(0, 64)));
        assert.is(m.flags, excerpt.length > 64 ? G.GASP_FLAG_EXCERPT_TRUNCATED : 0);
      }
      const port = boardPorts(5)[f.port];
      assert.is(m.encap, f.encap);
      assert.is(hex(m.ethSrc), hex(port.ownMac));
      assert.is(m.vlanTci, port.vlanTci);
      if (f.encap === "udp") assert.is(hex(m.ipSrc!), hex(port.ownIp!));
    });
  }
  const c = rx.counters();
  assert.is(c.accepted, accepted);
  assert.is(c.E_GASP_DUPLICATE, accepted * 3);
  assert.equal(rx.highest(5), { boot: 7, seq: 1000n });
});

test("the N copies of one gasp: one accepted, N-1 authentic duplicates; an older message is a replay", () => {
  const tx = armedSender({ copies: 4, selfFence: false });
  const rx = receiver();
  const first = tx.fire({ cause: G.GASP_CAUSE_POWER });
  const f = first.frames[2].bytes;
  const results = Array.from({ length: first.copies }, () => rx.receive(f));
  assert.equal(results.map((r) => (r.ok ? "accepted" : r.reason)), ["accepted", "E_GASP_DUPLICATE", "E_GASP_DUPLICATE", "E_GASP_DUPLICATE"]);
  const second = tx.fire({ cause: G.GASP_CAUSE_POWER });
  assert.ok(rx.receive(second.frames[0].bytes).ok);
  const old = rx.receive(f);
  assert.is(old.ok ? "accepted" : old.reason, "E_GASP_REPLAY");
  assert.is(old.ok ? undefined : old.message, undefined, "a replay reports no message");
});

test("receiver restart: replay state saved to a file and restored; without it old gasps would pass", () => {
  const dir = tmpDir("gasp-replay");
  const file = path.join(dir, "replay.json");
  try {
    const a = armedSender({ selfFence: false, unit: 1 });
    const b = armedSender({ selfFence: false, unit: 3, keySlot: 2 });
    const rx = receiver();
    const recorded: Uint8Array[] = [];
    for (let i = 0; i < 20; i++) {
      for (const tx of [a, b]) {
        const f = tx.fire({ cause: 1 }).frames[i % 4].bytes;
        recorded.push(f);
        assert.ok(rx.receive(f).ok);
      }
    }
    const saved = saveReplayState(file, rx);
    assert.equal(saved.senders, [{ unit: 1, boot: 7, seq: "20" }, { unit: 3, boot: 7, seq: "20" }]);
    assert.equal(JSON.parse(fs.readFileSync(file, "utf8")), saved);

    const fresh = receiver();
    assert.ok(fresh.receive(recorded[0]).ok, "control: a receiver without its state accepts an old gasp");

    const restarted = receiver();
    assert.is(loadReplayState(file, restarted), 2);
    const verdicts = recorded.map((f) => {
      const r = restarted.receive(f);
      return r.ok ? "accepted" : r.reason;
    });
    assert.is(verdicts.filter((v) => v === "accepted").length, 0, "nothing recorded before the restart passes");
    assert.is(verdicts.filter((v) => v === "E_GASP_DUPLICATE").length, 2, "the newest of each sender is a duplicate");
    assert.is(verdicts.filter((v) => v === "E_GASP_REPLAY").length, recorded.length - 2);
    assert.ok(restarted.receive(a.fire({ cause: 1 }).frames[0].bytes).ok, "the live sender carries on");
    assert.ok(restarted.receive(b.hello().frames[1].bytes).ok);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("restore is raise-only, per chassis, and a missing file is a first boot", () => {
  const rx = receiver();
  assert.is(rx.restore(4, 10, 100n), true);
  assert.is(rx.restore(4, 10, 99n), false, "never lowered");
  assert.is(rx.restore(4, 9, 1n << 60n), false);
  assert.equal(rx.highest(4), { boot: 10, seq: 100n });
  assert.is(rx.restore(4, 10, 0xffff_ffff_ffff_fff0n), true, "64-bit sequence numbers survive the i32 halves");
  assert.equal(rx.highest(4), { boot: 10, seq: 0xffff_ffff_ffff_fff0n });
  assert.is(rx.highest(5), null);
  assert.throws(() => rx.restoreState({ version: 1, chassis: CHASSIS + 1, senders: [] }), /chassis/);
  const dir = tmpDir("gasp-none");
  try {
    assert.is(loadReplayState(path.join(dir, "absent.json"), rx), 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  assert.is(rx.core.exports.gasp_rx_restore(256, 0, 0, 0) < 0, true);
});

test("sender restart: the persisted boot counter + 1 is accepted from sequence 1; the same counter is refused", () => {
  const dir = tmpDir("gasp-boot");
  const file = path.join(dir, "boot");
  try {
    assert.is(nextBootCounter(file), 1, "first boot");
    const boot1 = nextBootCounter(file);
    assert.is(boot1, 2);
    assert.is(fs.readFileSync(file, "utf8"), "2\n", "written before it is used");
    const rx = receiver();
    const before = armedSender({ boot: boot1, selfFence: false });
    for (let i = 0; i < 5; i++) assert.ok(rx.receive(before.hello().frames[0].bytes).ok);

    const replayedBoot = armedSender({ boot: boot1 });
    const r = rx.receive(replayedBoot.hello().frames[0].bytes);
    assert.is(r.ok ? "accepted" : r.reason, "E_GASP_REPLAY", "a restart that reused its boot counter cannot be told from a replay");

    const boot2 = nextBootCounter(file);
    assert.is(boot2, 3);
    const after = armedSender({ boot: boot2 });
    const g = after.fire({ cause: G.GASP_CAUSE_TRAP });
    assert.is(g.seq, 1n);
    const accepted = rx.receive(g.frames[0].bytes);
    assert.ok(accepted.ok, "the restarted sender's first gasp");
    assert.equal(rx.highest(1), { boot: 3, seq: 1n });
    const stale = rx.receive(before.hello().frames[0].bytes);
    assert.is(stale.ok ? "accepted" : stale.reason, "E_GASP_REPLAY", "the previous boot is over for good");
    fs.writeFileSync(file, "garbage");
    assert.throws(() => nextBootCounter(file), /not a boot counter/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("key rotation: a receiver holding two key ids accepts both; an unknown id is refused before hashing", () => {
  const newKey = Uint8Array.from(Buffer.from("the next chassis key, rotated in"));
  const rx = receiver({}, [[KEY_ID, KEY], [2, newKey]]);
  const oldTx = armedSender({ selfFence: false });
  const newTx = armedSender({ selfFence: false, unit: 3 }, newKey, 2);
  assert.ok(rx.receive(oldTx.hello().frames[0].bytes).ok);
  const m = rx.receive(newTx.hello().frames[0].bytes);
  assert.ok(m.ok && m.message.keyId === 2);
  const onlyNew = receiver({}, [[2, newKey]]);
  const r = onlyNew.receive(oldTx.hello().frames[0].bytes);
  assert.is(r.ok ? "accepted" : r.reason, "E_GASP_KEY_ID");
});

test("receiver filters: own unit, encapsulations it does not accept, another UDP port", () => {
  const tx = armedSender({ selfFence: false, unit: 2 });
  const rx = receiver({ ownUnit: 2 });
  const r = rx.receive(tx.hello().frames[0].bytes);
  assert.is(r.ok ? "" : r.reason, "E_GASP_SELF");
  const rawOnly = receiver({ accept: ["raw"], ownUnit: 9 });
  const h = tx.hello();
  assert.equal(h.frames.map((f) => { const x = rawOnly.receive(f.bytes); return x.ok ? "accepted" : x.reason; }), ["accepted", "E_GASP_DUPLICATE", "E_GASP_NOT_GASP", "E_GASP_NOT_GASP"]);
  const otherPort = armedSender({ selfFence: false, udpPort: 40001 });
  const rx2 = receiver({ udpPort: 40001 });
  const h2 = otherPort.hello();
  assert.ok(rx2.receive(h2.frames[2].bytes).ok);
  const def = receiver();
  const d = def.receive(h2.frames[3].bytes);
  assert.is(d.ok ? "" : d.reason, "E_GASP_NOT_GASP");
  const unconfigured = new GaspReceiver(tx.core);
  assert.is(unconfigured.receive(h.frames[0].bytes).ok ? "" : (unconfigured.receive(h.frames[0].bytes) as { reason: string }).reason, "E_GASP_NOT_ARMED");
  assert.throws(() => rx.configure({ chassis: 1, accept: [] }), /E_GASP_CONFIG/);
});

test.run();
