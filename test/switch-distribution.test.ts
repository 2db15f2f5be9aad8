// Load distribution: the host computes tables (WRR, Maglev, least-load), writes the inactive
// A/B table and flips; the switching path spreads new flows by them and keeps existing
// connections where they are. Tolerances are stated next to each assertion.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { fixture, Fixture, VIP4, clientIp4, PORT_CLIENTS, SVC_TCP_NAT, SVC_TCP_DSR, SVC_UDP_NAT, SVC_TCP6_DSR, SVC_UDP6_DSR, V6_BASE } from "../host/campaign/switch-fixture";
import { frame, TCP, macs } from "../host/campaign/frames";
import { wrrTable, maglevTable, leastLoadTable, leastLoadShares, slotCounts, isPrime, BackendShare, MAGLEV_DEFAULT_SIZE } from "../host/switch/distribution";
import { LbTables } from "../host/switch/lbtables";
import * as MAP from "../assembly/shared/memmap";
import * as S from "../assembly/shared/switch";
import { E_SW_ACTIVE, E_SW_TABLE } from "../assembly/shared/status";
import { Rng } from "../host/util/rng";

const FLOWS = 40_000;
const share = (index: number, weight = 1): BackendShare => ({ index, name: `198.51.100.${11 + index}:8080`, weight });
const flow = (i: number, flags = TCP.SYN) => frame({ src: clientIp4(i >> 4), dst: VIP4, proto: "tcp", sport: 10000 + (i & 0xf) * 3001 + (i >> 20), dport: 443, flags });

/** Sends one packet per flow, returns the back end (MAC's last byte) each went to. */
function route(f: Fixture, from: number, n: number, flags = TCP.SYN): Int16Array {
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const r = f.sw.process(flow(from + i, flags), PORT_CLIENTS);
    out[i] = r.verdict.action === "forward" ? macs(r.frame).dst[5] : -1;
  }
  return out;
}

function shares(routes: Int16Array, backends: number[]): number[] {
  const n = backends.map(() => 0);
  for (const b of routes) n[backends.indexOf(b)]++;
  return n.map((x) => x / routes.length);
}

function publishDsr(f: Fixture, table: ArrayLike<number>) {
  f.lb.publish(new Map([[SVC_TCP_DSR, table]]));
}

test("WRR table: slot counts equal M·w/Σw within one slot; neighbours interleave", () => {
  const w = [1, 2, 3, 4];
  const t = wrrTable(w.map((x, i) => share(i, x)), 1000);
  const c = slotCounts(t);
  w.forEach((x, i) => assert.ok(Math.abs(c.get(i)! - (1000 * x) / 10) <= 1, `back end ${i}: ${c.get(i)}`));
  let runs = 0;
  for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1]) runs++;
  assert.ok(runs < 300, `${runs} equal neighbours`);
});

test("Maglev table: prime size required; every slot filled; weighted slot shares within 1 % of the weights", () => {
  assert.throws(() => maglevTable([share(0)], 1000), /not prime/);
  assert.ok(isPrime(MAGLEV_DEFAULT_SIZE));
  const w = [1, 2, 3, 4];
  const t = maglevTable(w.map((x, i) => share(i, x)), 65537);
  const c = slotCounts(t);
  assert.is([...c.values()].reduce((a, b) => a + b, 0), 65537);
  w.forEach((x, i) => assert.ok(Math.abs(c.get(i)! / 65537 - x / 10) < 0.01, `back end ${i}: ${c.get(i)! / 65537}`));
  const eq = maglevTable([0, 1, 2, 3, 4].map((i) => share(i)), 65537);
  for (const [, n] of slotCounts(eq)) assert.ok(Math.abs(n - 65537 / 5) <= 1, "equal weights: equal slots (Maglev's balance)");
});

for (const strategy of ["wrr", "maglev"] as const) {
  test(`${strategy}: ${FLOWS.toLocaleString()} flows through the core spread as the weights 1:2:3:4 say (±1 percentage point)`, () => {
    const f = fixture({ capacity: 1 << 16 });
    const w = [1, 2, 3, 4];
    const table = strategy === "wrr" ? wrrTable(w.map((x, i) => share(i, x)), 65537) : maglevTable(w.map((x, i) => share(i, x)), 65537);
    publishDsr(f, table);
    const got = shares(route(f, 0, FLOWS), [0, 1, 2, 3]);
    // binomial sd at p = 0.4, n = 40,000 is 0.25 %: 1 point is 4 sd
    w.forEach((x, i) => assert.ok(Math.abs(got[i] - x / 10) < 0.01, `back end ${i}: ${(got[i] * 100).toFixed(2)} %, expected ${x * 10} %`));
    const c = f.sw.counters();
    assert.is(c.conn_new, FLOWS);
    assert.is(c.forward, FLOWS);
  });
}

test("least-load: new flows follow the load reports (headroom-weighted), and follow them again when they change", () => {
  const f = fixture({ capacity: 1 << 16 }, 3);
  const names = [0, 1, 2].map((i) => share(i).name);
  const report = (loads: number[]) => loads.map((load, index) => ({ index, name: names[index], load }));
  assert.equal(leastLoadShares(report([0.9, 0.5, 0.1])).map((s) => +s.weight.toFixed(3)), [0.1, 0.5, 0.9]);
  publishDsr(f, leastLoadTable(report([0.9, 0.5, 0.1]), 65537));
  const a = shares(route(f, 0, 20_000), [0, 1, 2]);
  [0.1, 0.5, 0.9].forEach((w, i) => assert.ok(Math.abs(a[i] - w / 1.5) < 0.015, `first report, back end ${i}: ${a[i]}`));
  assert.ok(a[2] > a[1] && a[1] > a[0], "least loaded gets the most");
  publishDsr(f, leastLoadTable(report([0.2, 0.95, 0.6]), 65537));
  const b = shares(route(f, 100_000, 20_000), [0, 1, 2]);
  [0.8, 0.05, 0.4].forEach((w, i) => assert.ok(Math.abs(b[i] - w / 1.25) < 0.015, `second report, back end ${i}: ${b[i]}`));
  // all saturated: fall back to the configured weights rather than an empty table
  const sat = slotCounts(leastLoadTable(report([1, 1, 1.5]), 101));
  assert.is(sat.size, 3);
});

test("connections stick across table flips; new flows follow the new table", () => {
  const f = fixture({ capacity: 1 << 15 }, 4);
  publishDsr(f, maglevTable([0, 1, 2, 3].map((i) => share(i)), 65537));
  const before = route(f, 0, 10_000);
  // flip twice: to back ends {0} only, then to {3} only
  for (const only of [0, 3]) {
    publishDsr(f, maglevTable([share(only)], 65537));
    const again = route(f, 0, 10_000, TCP.ACK);
    let same = 0;
    for (let i = 0; i < again.length; i++) if (again[i] === before[i]) same++;
    assert.is(same, 10_000, `after the flip to {${only}}: every existing connection kept its back end`);
    const fresh = route(f, 500_000 + only * 20_000, 1000);
    assert.ok(fresh.every((b) => b === only), `new flows all go to ${only}`);
  }
  assert.is(f.sw.counters().lb_flips, 3 + 1, "fixture's flip + three");
});

test("Maglev: removing one of N back ends moves about 1/N of new-flow assignments (WRR moves most)", () => {
  const N = 10;
  const n = 30_000;
  const run = (kind: "maglev" | "wrr", backends: number[]) => {
    const f = fixture({ capacity: 1 << 16 }, N);
    const list = backends.map((i) => share(i));
    publishDsr(f, kind === "maglev" ? maglevTable(list, 65537) : wrrTable(list, 65537));
    return route(f, 0, n);
  };
  const all = [...Array(N).keys()];
  const removed = 4;
  for (const kind of ["maglev", "wrr"] as const) {
    const a = run(kind, all);
    const b = run(kind, all.filter((i) => i !== removed));
    let moved = 0;
    let movedNeedlessly = 0;
    for (let i = 0; i < n; i++) {
      if (a[i] !== b[i]) {
        moved++;
        if (a[i] !== removed) movedNeedlessly++;
      }
    }
    const frac = moved / n;
    const needless = movedNeedlessly / n;
    console.log(`  ${kind}: removing 1 of ${N} moved ${(frac * 100).toFixed(2)} % of flows (${(needless * 100).toFixed(2)} % not on the removed back end; 1/N = ${(100 / N).toFixed(1)} %)`);
    if (kind === "maglev") {
      // the removed back end's flows (~1/N) must move; Maglev adds little churn beyond that
      assert.ok(frac <= (1 / N) * 1.3, `moved ${frac}`);
      assert.ok(needless <= 0.03, `needless moves ${needless}`);
    } else {
      assert.ok(frac > 0.5, `WRR is not consistent: it moved ${frac}`);
    }
  }
});

test("A/B flip: the active table is refused, invalid tables are refused whole, the path never reads the inactive one", () => {
  const f = fixture({ capacity: 1 << 10 }, 4);
  const core = f.sw.core;
  const active = f.lb.active();
  assert.is(core.exports.sw_lb_flip(active), E_SW_ACTIVE);
  const inactive = 1 - active;
  const base = LbTables.base(inactive);
  const hdr = (svc: number, off: number, size: number) => {
    core.view.setUint32(base + svc * 8, off, true);
    core.view.setUint32(base + svc * 8 + 4, size, true);
  };
  const gen = f.lb.generation();
  const reset = () => core.bytes.fill(0, base, base + S.LB_SLOTS);
  // unknown back end index
  reset();
  hdr(SVC_TCP_DSR, 0, 3);
  [0, 1, 999].forEach((b, i) => core.view.setUint16(base + S.LB_SLOTS + 2 * i, b, true));
  assert.is(core.exports.sw_lb_flip(inactive), E_SW_TABLE);
  // range beyond the slot array
  reset();
  hdr(SVC_TCP_DSR, S.LB_MAX_SLOTS - 1, 2);
  assert.is(core.exports.sw_lb_flip(inactive), E_SW_TABLE);
  reset();
  hdr(SVC_TCP_DSR, 0xffffffff, 2);
  assert.is(core.exports.sw_lb_flip(inactive), E_SW_TABLE);
  // a service that is not configured
  reset();
  hdr(40, 0, 1);
  assert.is(core.exports.sw_lb_flip(inactive), E_SW_TABLE);
  // an IPv6 back end behind a NAT (IPv4) service
  reset();
  hdr(SVC_TCP_NAT, 0, 1);
  core.view.setUint16(base + S.LB_SLOTS, V6_BASE, true);
  assert.is(core.exports.sw_lb_flip(inactive), E_SW_TABLE);
  assert.is(f.lb.active(), active, "still the old table");
  assert.is(f.lb.generation(), gen);
  // garbage in the inactive table while traffic flows: the path does not look at it
  const rng = new Rng(3);
  core.bytes.set(rng.bytes(4096), base);
  const routes = route(f, 0, 500);
  assert.ok(routes.every((b) => b >= 0 && b < 4));
  assert.is(core.exports.sw_lb_quiescent(), 1);
  // a valid table publishes and bumps the generation
  f.publish([2], [V6_BASE]);
  assert.is(f.lb.active(), inactive);
  assert.is(f.lb.generation(), gen + 1);
  assert.ok(route(f, 10_000, 200).every((b) => b === 2));
  assert.equal([...f.lb.read(SVC_TCP_DSR)].every((b) => b === 2), true);
  // both tables live in the SWITCH region at their declared bases
  assert.is(LbTables.base(S.LB_TABLE_A), MAP.SW_LB_A_BASE);
  assert.is(LbTables.base(S.LB_TABLE_B), MAP.SW_LB_B_BASE);
  assert.ok([SVC_UDP_NAT, SVC_TCP6_DSR, SVC_UDP6_DSR].every((s) => f.lb.read(s).length > 0));
});

test.run();
