// `lastgasp run`'s BFD learning (host/run/bfd-poll.ts) against a FAKE vtysh: a shell script
// that prints a JSON file the test rewrites between polls (FRR's `show bfd peers json` shape,
// as test/dialect-frr.test.ts reads it from a real bfdd). The frames are armed in a real core
// (the fault core's dialect table, host/dialect/dialect.ts). Shown: a session Up in bfdd is
// armed; new discriminators (FRR re-created the session) re-arm the same slot and the armed
// frame names them, never the stale ones; an unchanged answer changes nothing; a session
// Down or gone is disarmed; a failing vtysh keeps what is armed and logs once. What this does
// not show: a real bfdd under a running unit (test/dialect-frr.test.ts has the real bfdd with
// the learner called by hand).

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import * as os from "os";
import { Core } from "../host/core/core";
import { Dialects } from "../host/dialect/dialect";
import { BfdPoller } from "../host/run/bfd-poll";
import { parseMac } from "../host/util/addr";
import type { Board } from "../host/board/board";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bfd-poll-"));
const answer = path.join(dir, "peers.json");
const vtysh = path.join(dir, "vtysh");
fs.writeFileSync(vtysh, `#!/bin/sh\n[ "$1 $2" = "-c show bfd peers json" ] || { echo "fake vtysh: $*" >&2; exit 2; }\n[ -f ${answer} ] || { echo "% bfdd is not running" >&2; exit 1; }\ncat ${answer}\n`, { mode: 0o755 });

const board = {
  id: "unit-a",
  ports: [{ name: "fp0", mac: "02:00:00:0a:00:02", macBytes: parseMac("02:00:00:0a:00:02"), ipv4: ["192.0.2.2/24"], ipv6: ["2001:db8::2/64"], role: "front" }],
  dialects: { bfd: { learn: "frr", sessions: [{ port: "fp0", peer: "192.0.2.3", peerMac: "02:00:00:0b:00:02" }] } },
} as unknown as Board;

const peer = (status: string, id: number, remote: number) => ({ peer: "192.0.2.3", local: "192.0.2.2", interface: "eth1", status, id, "remote-id": remote, "detect-multiplier": 3, "transmit-interval": 300, "receive-interval": 300 });
// A session this board does not name: never armed.
const stranger = { ...peer("up", 77, 88), peer: "198.51.100.9", local: "198.51.100.2" };

const logs: { event: string; fields: Record<string, unknown> }[] = [];
const dialects = new Dialects(Core.load());
const poller = new BfdPoller(board, dialects, { vtysh, log: (event, fields) => logs.push({ event, fields: fields as Record<string, unknown> }) });
const poll = () => new Promise<void>((r) => poller.poll(r));
const be32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
const bfdFrames = () => dialects.frames().filter((f) => f.kind === "bfd").map((f) => Buffer.from(f.bytes));

test("vtysh failing (bfdd not running): nothing armed, logged once", async () => {
  await poll();
  await poll();
  assert.is(poller.armed.size, 0);
  assert.is(poller.failures, 2);
  assert.equal(logs.filter((l) => l.event === "bfd.learn-failed").length, 1);
  assert.match(String(logs[0].fields.error), /bfdd is not running/);
});

test("a session Up in bfdd is armed with its discriminators; others are ignored", async () => {
  fs.writeFileSync(answer, JSON.stringify([peer("up", 1001, 2002), stranger]));
  await poll();
  assert.is(poller.armed.size, 1);
  const [f] = bfdFrames();
  assert.ok(f, "a BFD frame is armed");
  const body = f.subarray(f.length - 24); // the BFD control packet (RFC 5880 §4.1), 24 bytes
  assert.equal([body.readUInt32BE(4), body.readUInt32BE(8)], [1001, 2002]);
  assert.is(bfdFrames().length, 1);
});

test("the peer re-creates the session (new Your Discriminator): the same slot is re-armed, never stale", async () => {
  const slot = [...poller.armed.values()][0].index;
  fs.writeFileSync(answer, JSON.stringify([peer("up", 1001, 3003), stranger]));
  await poll();
  assert.is([...poller.armed.values()][0].index, slot);
  const frames = bfdFrames();
  assert.is(frames.length, 1);
  const body = frames[0].subarray(frames[0].length - 24);
  assert.equal([body.readUInt32BE(4), body.readUInt32BE(8)], [1001, 3003]);
  assert.ok(!frames[0].includes(be32(2002)), "the stale discriminator is gone");
  const re = logs.find((l) => l.event === "bfd.rearmed");
  assert.equal([re?.fields.yourDisc, re?.fields.wasYourDisc], [3003, 2002]);
});

test("an unchanged answer changes nothing; vtysh failing keeps what is armed", async () => {
  const n = logs.length;
  await poll();
  assert.is(logs.length, n);
  fs.rmSync(answer);
  await poll();
  assert.is(poller.armed.size, 1);
  assert.is(bfdFrames().length, 1);
});

test("the session goes Down, then disappears: disarmed", async () => {
  fs.writeFileSync(answer, JSON.stringify([peer("down", 1001, 0)]));
  await poll();
  assert.is(poller.armed.size, 0);
  assert.is(bfdFrames().length, 0);
  fs.writeFileSync(answer, JSON.stringify([peer("up", 1005, 4004)]));
  await poll();
  assert.is(poller.armed.size, 1);
  fs.writeFileSync(answer, "[]");
  await poll();
  assert.is(poller.armed.size, 0);
  assert.ok(logs.some((l) => l.event === "bfd.disarmed"));
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
