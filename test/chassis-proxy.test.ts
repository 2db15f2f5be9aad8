// ARP proxies on the virtual chassis (scenarios/arp-proxy.json): each unit reached through its
// own proxy station, which answers ARP for the VIPs with its MAC and forwards their traffic.
// At the takeover the standby registers with its proxy, which announces the VIPs; the old
// proxy falls silent — by yielding when it hears that announcement (its client died without
// a word), or by the chassis' withdraw. The scenario's own expectations (expect.proxy) hold,
// and fail when they name the wrong stations.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { runChassis } from "../host/chassis/chassis";
import { figures, failoverChecks } from "../host/chassis/report";
import { scenario, events, first } from "../host/campaign/chassis-fixture";

const MS = 1e6;

function run(handover: "yield" | "withdraw") {
  const loaded = scenario("arp-proxy", (s) => {
    s.proxies!.handover = handover;
    s.durationMs = 2500;
  });
  const r = runChassis(loaded);
  return { r, checks: failoverChecks(r, figures(r), loaded.scenario.expect) };
}

for (const handover of ["yield", "withdraw"] as const) {
  test(`${handover}: the standby's proxy announces, the old one falls silent; hosts follow the new proxy's MAC, nothing lost`, () => {
    const { r, checks } = run(handover);
    assert.equal(checks.filter((c) => !c.ok), [], JSON.stringify(checks));
    assert.ok(checks.some((c) => c.name === "proxy-announces") && checks.some((c) => c.name === "proxy-silent"));
    const fault = r.faultNs!;
    const [pa, pb] = ["proxy-a", "proxy-b"].map((n) => r.proxies!.find((p) => p.name === n)!);
    // Before the fault proxy-a answered the hosts for the VIP and forwarded their traffic.
    assert.ok(pa.answered.some((a) => a.tNs < fault), "proxy-a answered before the fault");
    assert.ok(pa.forwarded > 0 && pb.forwarded > 0);
    // The order: takeover, the new proxy's registration and announcement, the old one's silence.
    const takeover = first(r, "role.takeover", "linecard-b", fault)!;
    const reg = first(r, "proxy.register", "proxy-b")!;
    const gone = first(r, handover === "yield" ? "proxy.yield" : "proxy.deregister", "proxy-a")!;
    assert.ok(takeover && reg && gone);
    assert.ok(reg.tNs >= takeover.tNs && reg.tNs - takeover.tNs < MS, "the standby registers at the takeover");
    assert.ok(gone.tNs >= reg.tNs - 0 && gone.tNs - reg.tNs < MS, `proxy-a silent ${(gone.tNs - reg.tNs) / 1e3} us after the registration`);
    assert.is(events(r, handover === "yield" ? "proxy.deregister" : "proxy.yield", "proxy-a").length, 0, "only the one way");
    assert.equal([pa.holds, pb.holds], [[], ["192.0.2.1"]]);
    assert.ok(pa.answered.every((a) => a.tNs < gone.tNs), "proxy-a answered nothing once silent");
    // Every host maps the VIP to proxy-b's MAC.
    for (const h of r.hosts) assert.is(h.vips["192.0.2.1"].mapping, pb.mac, h.name);
    assert.is(first(r, "hosts.moved", "hosts", fault)?.detail?.mac, pb.mac);
  });
}

test("the expectations are not vacuous: naming the stations the other way round fails both", () => {
  const { r } = run("yield");
  const checks = failoverChecks(r, figures(r), { proxy: { announces: "proxy-a", silent: "proxy-b" } });
  assert.equal(checks.filter((c) => c.name.startsWith("proxy-")).map((c) => `${c.name}:${c.ok}`), ["proxy-announces:false", "proxy-silent:false"]);
});

test.run();
