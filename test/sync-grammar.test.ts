// Command grammars: typed arguments (ranges, families, canonical forms), patterns, the
// parser's error messages (they name the word that is wrong), slots and "no" forms, the
// CLI dump (sorted, no duplicates), and the shipped images' own consistency.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { argType } from "../host/sync/argtypes";
import { Grammar } from "../host/sync/grammar";
import { RunningConfig, naturalCompare, parseConfigText } from "../host/sync/config";
import { shipped } from "../host/sync/images";
import { Rng } from "../host/util/rng";
import { randomSetLine } from "../host/campaign/sync-gen";
import { exampleConfig } from "../host/campaign/sync-images";

const ok = (t: string, tok: string) => {
  const r = argType(t).check(tok);
  return r.ok ? r.canon : undefined;
};

test("argument types accept, canonicalise and refuse", () => {
  assert.is(ok("int(50..10000)", "50"), "50");
  assert.is(ok("int(50..10000)", "10000"), "10000");
  assert.is(ok("int(50..10000)", "49"), undefined);
  assert.is(ok("int(50..10000)", "10001"), undefined);
  assert.is(ok("int(1..10)", "01"), undefined, "leading zero");
  assert.is(ok("int(1..10)", "-1"), undefined);
  assert.is(ok("int(1..10)", "1e1"), undefined);
  assert.is(ok("ipv4", "192.0.2.1"), "192.0.2.1");
  assert.is(ok("ipv4", "192.0.2.256"), undefined);
  assert.is(ok("ipv6", "2001:DB8:0:0::1"), "2001:db8::1");
  assert.is(ok("ipaddr", "2001:db8::a"), "2001:db8::a");
  assert.is(ok("ipaddr", "203.0.113.9"), "203.0.113.9");
  assert.is(ok("if4", "192.0.2.10/24"), "192.0.2.10/24", "interface address: host bits allowed");
  assert.is(ok("net4", "192.0.2.10/24"), undefined, "network prefix: host bits refused");
  assert.is(ok("net4", "192.0.2.0/24"), "192.0.2.0/24");
  assert.is(ok("net4", "0.0.0.0/0"), "0.0.0.0/0");
  assert.is(ok("if4", "192.0.2.1/33"), undefined);
  assert.is(ok("net6", "2001:DB8::/32"), "2001:db8::/32");
  assert.is(ok("net6", "2001:db8::1/64"), undefined);
  assert.is(ok("mac", "02-00-00-AA-BB-CC"), "02:00:00:aa:bb:cc");
  assert.is(ok("hex(64..64)", "AB".repeat(32)), "ab".repeat(32));
  assert.is(ok("hex(32..64)", "a".repeat(33)), undefined, "odd digit count");
  assert.is(ok("hex(32..64)", "ab".repeat(8)), undefined, "too short");
  assert.is(ok("ifname", "eth1.100"), "eth1.100");
  assert.is(ok("ifname", "eth1.4095"), undefined);
  assert.is(ok("ifname", "eth64"), undefined);
  assert.is(ok("hostname", "LB-A.Example"), "lb-a.example");
  assert.is(ok("hostname", "-bad"), undefined);
  assert.is(ok("enum(in|out)", "in"), "in");
  assert.is(ok("enum(in|out)", "IN"), undefined);
  assert.is(ok("name", "WEB-1"), "WEB-1");
  assert.is(ok("name", "1WEB"), undefined);
});

const G = new Grammar("9.9", [
  { id: "mtu", pattern: "interface {if:ifname} mtu {mtu:int(576..9216)}", key: 3 },
  { id: "desc", pattern: "interface {if:ifname} description {text:text}", key: 3 },
  { id: "acl", pattern: "acl {name:name} {seq:int(1..99)} {action:enum(permit|deny)} {src:net4}", key: 3 },
  { id: "acl-port", pattern: "acl {name:name} {seq:int(1..99)} {action:enum(permit|deny)} {src:net4} eq {port:int(1..65535)}", key: 3 },
  { id: "ntp", pattern: "ntp server {addr:ipv4}" },
]);

function err(line: string): string {
  const r = G.parse(line);
  assert.not.ok(r.ok, `"${line}" should not parse`);
  return (r as { error: string }).error;
}

test("the parser names what is wrong", () => {
  assert.match(err("interface eth0 mtu 99999"), /mtu: 99999 is out of range 576\.\.9216/);
  assert.match(err("interface eth0 mtu"), /incomplete command: expected <576-9216> after "interface eth0 mtu"/);
  assert.match(err("interface eth0 mtu 1500 now"), /unexpected "now" after "interface eth0 mtu 1500"/);
  assert.match(err("interface eth0 speed 100"), /"speed" is not valid after "interface eth0" \(expected mtu or description\)/);
  assert.match(err("interface wlan0 mtu 1500"), /if: "wlan0" is not an interface/);
  assert.match(err("frobnicate now"), /unknown command "frobnicate"/);
  assert.match(err("acl WEB 10 permit 192.0.2.1/24"), /src: 192\.0\.2\.1\/24 has host bits set/);
  assert.match(err("no"), /"no" needs a command/);
});

test("parse: canonical text, slots, free text, and both forms of a removal", () => {
  const r = G.parse("  interface   eth0 description  to the   core ");
  assert.ok(r.ok);
  if (!r.ok) return;
  assert.is(r.cmd.text, "interface eth0 description to the core");
  assert.is(r.cmd.slot, "interface eth0 description");
  const full = G.parse("no acl WEB 10 permit 192.0.2.0/24 eq 80");
  const key = G.parse("no acl WEB 10");
  assert.ok(full.ok && key.ok);
  if (!full.ok || !key.ok) return;
  assert.is(full.cmd.text, "no acl WEB 10");
  assert.is(key.cmd.text, "no acl WEB 10");
  assert.is(full.cmd.slot, key.cmd.slot);
  // Two patterns sharing their key tokens share the slot: one replaces the other.
  const c = RunningConfig.of(G, ["acl WEB 10 permit 192.0.2.0/24", "acl WEB 10 deny 192.0.2.0/24 eq 80", "ntp server 192.0.2.9", "ntp server 192.0.2.10"]);
  assert.equal(c.lines(), ["acl WEB 10 deny 192.0.2.0/24 eq 80", "ntp server 192.0.2.9", "ntp server 192.0.2.10"]);
  c.apply((G.parse("no ntp server 192.0.2.9") as any).cmd);
  assert.equal(c.lines(), ["acl WEB 10 deny 192.0.2.0/24 eq 80", "ntp server 192.0.2.10"]);
});

test("a running config lists in canonical order whatever the order of arrival", () => {
  const lines = ["ntp server 192.0.2.10", "acl B 9 permit 0.0.0.0/0", "interface eth10 mtu 1500", "acl B 10 permit 0.0.0.0/0", "interface eth2 mtu 9000", "ntp server 192.0.2.9"];
  const rng = new Rng(5);
  const a = RunningConfig.of(G, lines);
  for (let i = 0; i < 20; i++) {
    const shuffled = [...lines].sort(() => rng.float() - 0.5);
    const b = RunningConfig.of(G, shuffled);
    assert.equal(b.lines(), a.lines());
    assert.is(b.digest(), a.digest());
  }
  assert.equal(a.lines(), ["interface eth2 mtu 9000", "interface eth10 mtu 1500", "acl B 9 permit 0.0.0.0/0", "acl B 10 permit 0.0.0.0/0", "ntp server 192.0.2.9", "ntp server 192.0.2.10"]);
  assert.ok(naturalCompare("eth2", "eth10") < 0 && naturalCompare("192.0.2.10", "192.0.2.9") > 0);
});

test("CLI dumps: one entry per command signature, sorted, no duplicates, names dropped", () => {
  for (const img of shipped().images) {
    const d = img.dump;
    assert.equal([...d], [...new Set(d)].sort(), img.version);
    assert.ok(d.every((e) => !/\{[a-z]+:/.test(e)), `${img.version}: argument names leaked into the dump`);
    assert.is(d.length, new Set(img.grammar.specs.map((s) => s.sig)).size);
  }
  assert.ok(shipped().get("1.0").dump.includes("failover heartbeat <50-10000> <2-20>"));
  assert.ok(shipped().get("1.1").dump.includes("interface <IFNAME> mtu <1280-9216>"));
});

test("shipped images: every pattern parses its own random instances back to itself", () => {
  const rng = new Rng(77);
  for (const img of shipped().images) {
    for (const spec of img.grammar.specs) {
      for (let i = 0; i < 50; i++) {
        const line = randomSetLine(rng, spec);
        const r = img.grammar.parse(line);
        assert.ok(r.ok, `${img.version} ${spec.id}: "${line}": ${(r as any).error}`);
        if (!r.ok) return;
        assert.is(r.cmd.spec.id, spec.id, `${img.version}: "${line}" parsed as ${r.cmd.spec.id}`);
        const again = img.grammar.parse(r.cmd.text);
        assert.ok(again.ok && again.cmd.text === r.cmd.text, `${img.version}: canonical form of "${line}" is not stable`);
        const no = img.grammar.parse(`no ${r.cmd.slot}`);
        assert.ok(no.ok && no.cmd.negated && no.cmd.slot === r.cmd.slot, `${img.version}: "no ${r.cmd.slot}"`);
      }
    }
  }
});

test("shipped images: a command with the same signature in two versions has the same key", () => {
  const imgs = shipped().images;
  for (const a of imgs) for (const b of imgs) {
    for (const s of a.grammar.specs) {
      const t = b.grammar.specBySig(s.sig);
      if (t) assert.is(t.keyLen, s.keyLen, `${s.sig}: key ${s.keyLen} in ${a.version}, ${t.keyLen} in ${b.version}`);
    }
  }
});

test("example configs parse under their own image, with line numbers for errors", () => {
  for (const v of shipped().versions) {
    const { lines, errors } = parseConfigText(shipped().get(v).grammar, exampleConfig(v));
    assert.equal(errors, [], v);
    assert.ok(lines.length > 35, `${v}: ${lines.length} commands`);
  }
  const { errors } = parseConfigText(shipped().get("1.0").grammar, "! comment\nhostname a\n\ninterface eth0 mtu 100\n# another\nfailover heartbeat 10 3\n");
  assert.equal(errors.map((e) => e.lineNo), [4, 6]);
  assert.match(errors[0].error, /mtu: 100 is out of range 576\.\.9216/);
  assert.match(errors[1].error, /ms: 10 is out of range 50\.\.10000/);
});

test("a 1.1 line is not a 1.0 line and vice versa (the dumps really differ)", () => {
  const g10 = shipped().get("1.0").grammar;
  const g11 = shipped().get("1.1").grammar;
  assert.not.ok(g10.parse("failover heartbeat interval 100").ok);
  assert.not.ok(g11.parse("failover heartbeat 100 3").ok);
  assert.not.ok(g11.parse("interface eth0 mtu 1000").ok);
  assert.ok(g10.parse("interface eth0 mtu 1000").ok);
});

test.run();
