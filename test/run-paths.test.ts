// `lastgasp run` with two front ports (board `pathFailover`): alternate-path failover as the
// virtual chassis does it (docs/failover.md; docs/running-a-pair.md "Two front ports"). Two
// units and a client on one bridged segment; each unit has fp0 (primary) and fp1 (secondary)
// on two interfaces of its namespace, both bridge ports:
//
//  - the active's primary link is cut (its bridge port pulled down): the same unit stays
//    active; its addresses, MAC and VIPs move to fp1; the client's neighbour entries for both
//    VIPs (IPv4, IPv6) are on the MAC the unit now answers from (the interface's), and the
//    client's pings are answered again (the 1 pkt/ms outage is logged); the standby does NOT
//    take over, even after more than its heartbeat detection time;
//  - the primary returns: as on the chassis, nothing moves back (fp0 is now the secondary);
//  - the new primary (fp1) is cut in turn: the identity fails back to fp0.
//  - a board whose pathFailover names a port that is not a front port: one line, exit 2.
// Runs as root (CI); otherwise every test FAILS.

import { test } from "uvu";
import * as assert from "uvu/assert";
import * as fs from "fs";
import * as path from "path";
import { spawnSync } from "child_process";
import { BIN, ensureBuilt } from "./helpers/cli";
import { requireTshark, tmpDir } from "./helpers/tshark";
import { requireRoot, ip } from "./helpers/netns";
import { Segment } from "./helpers/segment";
import { PairUnit, PAIR, writePairFiles, waitFor, sleep, startProbe, neighboursAt as neighboursAtIn } from "./helpers/pair";
import { BOARD_ADDON_PATH } from "../host/native/board";

const dir = tmpDir("run-paths");
const seg = new Segment("lgq");
let setupError: Error | null = null;
let files: ReturnType<typeof writePairFiles>;
try {
  requireRoot("run-paths.test.ts");
  requireTshark();
  if (!fs.existsSync(BOARD_ADDON_PATH)) throw new Error(`${BOARD_ADDON_PATH} missing: make native`);
  ensureBuilt();
  seg.create();
  files = writePairFiles(dir, seg, { twoPorts: true });
} catch (e) {
  setupError = e as Error;
}
function ready(): void {
  if (setupError) throw setupError;
}

const units: Record<"a" | "b", PairUnit> = {} as never;
const ifaces = () => ({ fp0: seg.member("a").iface, fp1: `${seg.member("a").iface}s` });

const neighboursAt = (mac: string) => neighboursAtIn(seg, mac);

/** An interface of unit a: its MAC and whether it carries the VIPs and the port's own address. */
function ifaceOfA(iface: string): { mac: string; vips: boolean; own: boolean } {
  const [j] = JSON.parse(ip("-n", seg.member("a").ns, "-j", "addr", "show", "dev", iface)) as { address: string; addr_info: { local: string }[] }[];
  const locals = j.addr_info.map((x) => x.local);
  return { mac: j.address, vips: locals.includes(PAIR.vip4) && locals.includes(PAIR.vip6), own: locals.includes(PAIR.ip4.a) };
}

/** The client's pings to both VIPs are answered (a few, spaced: robust on a loaded machine). */
function answered(): void {
  seg.exec("c", "ping", ["-c", "3", "-i", "0.2", "-W", "2", PAIR.vip4]);
  seg.exec("c", "ping", ["-6", "-c", "3", "-i", "0.2", "-W", "2", PAIR.vip6]);
}

test("two units with two front ports each: a takes the VIPs on fp0, b stays standby", async () => {
  ready();
  units.a = new PairUnit(seg, files, "a");
  await units.a.waitEvent((e) => e.event === "role.takeover", 15_000);
  units.b = new PairUnit(seg, files, "b");
  await units.b.waitEvent((e) => e.event === "peer.hello" && e.role === "active", 15_000);
  await units.a.waitEvent((e) => e.event === "vip.added", 15_000);
  const st = await units.a.status();
  assert.equal(st.paths, { primary: "fp0", secondary: "fp1", state: "monitoring", failovers: 0 });
  const { fp0, fp1 } = ifaces();
  assert.equal(ifaceOfA(fp0), { mac: PAIR.mac.a, vips: true, own: true });
  assert.equal(ifaceOfA(fp1), { mac: PAIR.mac2.a, vips: false, own: false });
  answered();
  await neighboursAt(PAIR.mac.a);
});

const outages: string[] = [];

test("the active's primary link is cut: the identity and the VIPs move to fp1, the same unit stays active, the standby does not take over", async () => {
  ready();
  const { fp0, fp1 } = ifaces();
  await sleep(1100); // the kernel ignores a GARP within a second of the entry's last update
  const [ma, mb] = [units.a.events.length, units.b.events.length];
  const probe = startProbe(seg, PAIR.vip4);
  let probing = true;
  await sleep(300);
  const t0 = Date.now();
  seg.cableOf(fp0, false);
  try {
    const done = await units.a.waitEvent((e) => e.event === "failover.done", 15_000, ma);
    assert.is(done.from, "fp0");
    assert.is(done.to, "fp1");
    const moved = await units.a.waitEvent((e) => e.event === "path.moved", 15_000, ma);
    assert.is(moved.to, "fp1");
    await waitFor(() => ifaceOfA(fp1).vips, 15_000, () => `VIPs on fp1: ${ip("-n", seg.member("a").ns, "addr")}`);
    assert.equal(ifaceOfA(fp1), { mac: PAIR.mac.a, vips: true, own: true });
    assert.equal(ifaceOfA(fp0), { mac: PAIR.mac2.a, vips: false, own: false });
    // The unit answers from fp1's MAC — the identity's, moved with it: the entries end there.
    await neighboursAt(ifaceOfA(fp1).mac);
    answered();
    probing = false;
    const lost = await probe.stop();
    outages.push(`fp0 cut: ${lost} ms lost, failover.done ${Date.parse(done.time as string) - t0} ms after the cut`);
    // Longer than the standby's detection time (3 HELLO intervals and a skew): no takeover.
    await sleep(4500);
    assert.ok(!units.b.events.slice(mb).some((e) => e.event === "role.takeover"), `the standby took over: ${JSON.stringify(units.b.events.slice(mb))}`);
    assert.is((await units.b.status()).role, "backup");
    const st = await units.a.status();
    assert.is(st.role, "active");
    assert.equal(st.paths, { primary: "fp1", secondary: "fp0", state: "monitoring", failovers: 1 });
    assert.ok(!units.a.events.slice(ma).some((e) => e.event === "role.fault" || e.event === "vip.removed"), "no FAULT, VIPs kept");
    answered();
  } finally {
    seg.cableOf(fp0, true);
    if (probing) await probe.stop().catch(() => 0); // a failure must not leave the ping running
  }
  console.log(`  outage (client 1 pkt/ms to ${PAIR.vip4}): ${outages.join("; ")}`);
});

test("the primary returns: nothing moves back (as on the chassis: fp0 is the secondary now)", async () => {
  ready();
  const { fp0, fp1 } = ifaces();
  const ma = units.a.events.length;
  // The link's return is seen at the next poll (100 ms); give it several.
  await waitFor(() => ip("-n", seg.member("a").ns, "link", "show", fp0).includes("LOWER_UP"), 15_000, () => "fp0 carrier");
  await sleep(1000);
  assert.ok(!units.a.events.slice(ma).some((e) => e.event.startsWith("failover.") && e.event !== "failover.ignored"), JSON.stringify(units.a.events.slice(ma)));
  assert.equal(ifaceOfA(fp1), { mac: PAIR.mac.a, vips: true, own: true });
  assert.equal(ifaceOfA(fp0), { mac: PAIR.mac2.a, vips: false, own: false });
  assert.equal((await units.a.status()).paths, { primary: "fp1", secondary: "fp0", state: "monitoring", failovers: 1 });
  answered();
});

test("the new primary (fp1) is cut in turn: the identity fails back to fp0; still no takeover", async () => {
  ready();
  const { fp0, fp1 } = ifaces();
  await sleep(1100);
  const [ma, mb] = [units.a.events.length, units.b.events.length];
  seg.cableOf(fp1, false);
  try {
    const done = await units.a.waitEvent((e) => e.event === "failover.done", 15_000, ma);
    assert.equal([done.from, done.to], ["fp1", "fp0"]);
    await waitFor(() => ifaceOfA(fp0).vips, 15_000, () => "VIPs back on fp0");
    assert.equal(ifaceOfA(fp0), { mac: PAIR.mac.a, vips: true, own: true });
    await neighboursAt(PAIR.mac.a);
    answered();
    assert.is((await units.a.status()).role, "active");
    assert.ok(!units.b.events.slice(mb).some((e) => e.event === "role.takeover"), "the standby took over");
  } finally {
    seg.cableOf(fp1, true);
  }
});

test("bad input: pathFailover naming a port that is not a front port — one line, exit 2", () => {
  ready();
  const raw = JSON.parse(fs.readFileSync(files.board.a, "utf8"));
  raw.pathFailover = { primary: "fp0", secondary: "fp9" };
  const bad = path.join(dir, "bad-paths.json");
  fs.writeFileSync(bad, JSON.stringify(raw));
  const env = { ...process.env };
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  const r = spawnSync("ip", ["netns", "exec", seg.member("a").ns, process.execPath, BIN, "run", "--board", bad, "--peer", files.board.b, "--key-file", files.key, "--socket", path.join(dir, "bad.sock")], { encoding: "utf8", env });
  assert.is(r.status, 2, r.stdout + r.stderr);
  assert.is(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr, /pathFailover\/secondary.*fp9.*is not a port of this board/);
  assert.is(r.stdout, "");
});

test("a planned stop, then cleanup removes every namespace", async () => {
  ready();
  for (const u of [units.a, units.b]) {
    u.kill("SIGTERM");
    assert.is((await u.exited).code, 0, u.stderr);
  }
  seg.cleanup();
  assert.is(seg.exists(), false);
});

test.after(() => {
  for (const u of Object.values(units)) u?.kill("SIGKILL");
  seg.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

test.run();
