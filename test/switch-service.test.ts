// The switching service (host/switch/service.ts) on the virtual board, as `lastgasp run`
// drives it through the daemon's seam (host/run/service.ts): configured from the board's
// switching file, the VIP's TCP service forwarded to the back end while the unit is active,
// fenced (not forwarded) when it is not and back when it is again, punted frames offered to
// the unit's control plane first, the daemon's frames sent through the DOWN ring, counters;
// and the factory: no switching file, no service; a bad one, ServiceConfigError listing every
// problem (`lastgasp run`: exit 2, one line each); TAPs asked for on a virtual board, refused at start.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { loadBoard } from "../host/board/load";
import { openBoard, type BoardRuntime } from "../host/board/runtime";
import { SwitchingService, switchingFactory } from "../host/switch/service";
import { ServiceConfigError, type ServiceContext } from "../host/run/service";
import type { Role } from "../host/ha/role";
import { frame, ip4, TCP } from "../host/campaign/frames";
import { tmpDir } from "./helpers/tshark";
import { BIN, ensureBuilt } from "./helpers/cli";
import { spawnSync } from "child_process";
import { parseMac } from "../host/util/addr";
import { BOARDS_DIR } from "../host/paths";

const dir = tmpDir("switch-service");
const LB_A = path.join(BOARDS_DIR, "appliance", "lb-a.json");
const SWITCHING = {
  kind: "switching", clientPort: "clients", serverPort: "servers",
  service: { vip: "203.0.113.10", tcpPort: 80, mode: "nat", backendPort: 8080 },
  backends: [{ name: "web1", ip: "198.51.100.11", mac: "02:00:00:00:be:01" }],
  router: { ip: "192.0.2.1", mac: "02:00:00:0c:00:fe" }, capacity: 256, distribution: { tableSize: 251 },
};

/** lb-a.json (a virtual board) with "switching" pointing at a file holding spec. */
function boardWith(name: string, spec: unknown) {
  const file = path.join(dir, `${name}.switching.json`);
  fs.writeFileSync(file, JSON.stringify(spec, null, 2));
  const b = loadBoard(LB_A);
  // The VIP's port is the unit's front port (where it announces its VIPs).
  return { ...b, switching: file, ports: b.ports.map((p) => ({ ...p, role: p.name === "clients" ? "front" as const : "host" as const })) };
}

function context(rt: BoardRuntime, logs: string[], delivered: Uint8Array[], role: { r: Role }): ServiceContext {
  return {
    board: rt.board, rt, role: () => role.r, now: () => rt.now(),
    log: (event) => logs.push(event),
    deliver: (_port, f) => (f[12] === 0x88 && f[13] === 0xb5 ? (delivered.push(f), true) : false), // the gasp ethertype: the daemon's
  };
}

const syn = (sport: number) => frame({
  dstMac: parseMac("02:00:00:1b:00:01"), srcMac: parseMac("02:00:00:0c:00:fe"),
  src: ip4("198.18.0.7"), dst: ip4("203.0.113.10"), proto: "tcp", sport, dport: 80, flags: TCP.SYN, seq: 1,
});

test("served while active, fenced when not, served again; control-plane frames to the daemon first; counters", () => {
  const board = boardWith("ok", SWITCHING);
  const svc = switchingFactory.create(board) as SwitchingService;
  assert.ok(svc instanceof SwitchingService);
  assert.is(svc.ownsRings, true);
  const rt = openBoard(board);
  try {
    board.ports.forEach((_, i) => {
      rt.osRings.must("nic_tx_init", i);
      rt.osRings.must("nic_rx_init", i);
    });
    const logs: string[] = [];
    const delivered: Uint8Array[] = [];
    const role = { r: "active" as Role };
    svc.start(context(rt, logs, delivered, role));
    const sw = svc.switchPath;
    const v1 = sw.process(syn(40001), 0).verdict;
    assert.equal([v1.action, v1.port], ["forward", 1]);
    svc.roleChanged("backup");
    assert.not.equal(sw.process(syn(40002), 0).verdict.action, "forward", "fenced: the VIP is not served");
    svc.roleChanged("active");
    assert.equal(sw.process(syn(40003), 0).verdict.action, "forward");
    assert.equal(logs, ["switching.start", "switching.fence", "switching.fence"]);
    // The daemon's frame leaves through the DOWN ring on the next round.
    const gaspish = new Uint8Array(64);
    gaspish.set([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0x1b, 0, 1, 0x88, 0xb5]);
    assert.ok(svc.send(0, gaspish));
    svc.poll(rt.now());
    const c = svc.counters();
    assert.is(c.sent, 1);
    assert.is(c.engine_inject, 1);
    assert.is(c.serving, true);
    assert.is(svc.poll(rt.now() + 1e6), false, "idle: no work");
    svc.stop();
    svc.stop();
    assert.equal(logs.slice(-1), ["switching.stop"]);
  } finally {
    rt.close();
  }
});

test("factory: no switching file, no service; a bad one lists every problem (ServiceConfigError)", () => {
  assert.is(switchingFactory.create(loadBoard(LB_A)), null);
  switchingFactory.check!(loadBoard(LB_A));
  const bad = boardWith("bad", { ...SWITCHING, serverPort: "clients", backends: [{ name: "web1", ip: "192.0.2.2", mac: "02:00:00:1b:00:01" }], batch: 0 });
  try {
    switchingFactory.check!(bad);
    assert.unreachable("accepted");
  } catch (e) {
    assert.instance(e, ServiceConfigError);
    const lines = (e as Error).message.split("\n");
    for (const want of [/\/serverPort: must differ from clientPort/, /\/batch: /, /\/backends\/0\/ip: address 192\.0\.2\.2 is also .*lb-a\.json: ports\/clients/, /\/backends\/0\/mac: MAC 02:00:00:1b:00:01 is also/]) {
      assert.ok(lines.some((l) => want.test(l)), `${want}\n${lines.join("\n")}`);
    }
    assert.ok(lines.every((l) => l.startsWith(`${bad.switching}:`)), lines.join("\n"));
  }
});

test("lastgasp run with a bad switching file: one line per problem, exit 2, nothing touched", () => {
  ensureBuilt();
  const board = path.join(dir, "bad-run.json");
  const raw = JSON.parse(fs.readFileSync(path.join(BOARDS_DIR, "appliance", "lb-linux.json"), "utf8"));
  fs.writeFileSync(board, JSON.stringify({ ...raw, switching: "bad-run.switching.json" }));
  fs.writeFileSync(path.join(dir, "bad-run.switching.json"), JSON.stringify({ ...SWITCHING, capacity: 1000, backends: [] }, null, 2));
  fs.writeFileSync(path.join(dir, "k"), "5a".repeat(32), { mode: 0o600 });
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const r = spawnSync(process.execPath, [BIN, "run", "--board", board, "--key-file", path.join(dir, "k"), "--state-dir", path.join(dir, "state")], { encoding: "utf8", env });
  assert.is(r.status, 2, r.stdout + r.stderr);
  const lines = r.stderr.trim().split("\n");
  assert.is(lines.length, 2, r.stderr);
  assert.match(lines[0], /bad-run\.switching\.json:\d+:\d+: \/backends: /);
  assert.match(lines[1], /bad-run\.switching\.json:\d+:\d+: \/capacity: 1000 is not a power of two/);
  assert.is(fs.existsSync(path.join(dir, "state")), false, "nothing created");
});

test("TAPs on a virtual board: refused at start, one line", () => {
  const board = boardWith("tap", { ...SWITCHING, tap: [{ port: "clients", name: "cp0" }] });
  const svc = switchingFactory.create(board)!;
  const rt = openBoard(board);
  try {
    board.ports.forEach((_, i) => rt.osRings.must("nic_rx_init", i));
    assert.throws(() => svc.start(context(rt, [], [], { r: "active" })), /TAP devices need a board of real ports/);
  } finally {
    rt.close();
  }
});

test.after(() => fs.rmSync(dir, { recursive: true, force: true }));

test.run();
