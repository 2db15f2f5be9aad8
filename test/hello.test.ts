// The role machine over the real gasp protocol: adverts go out as authenticated HELLOs
// (gasp_update + gasp_hello on one core), come back through the receiver (another core) as
// the same advert; an accepted self-fencing GASP makes the backup take over above the dead
// unit's epoch; the dead unit's own core refuses hellos after its gasp, as its role does.

import { test } from "uvu";
import * as assert from "uvu/assert";
import { armedSender, receiver } from "../host/campaign/gasp-fixture";
import { helloFields, roleEventFrom } from "../host/ha/hello";
import { Advert, RoleMachine } from "../host/ha/role";
import { HaUnit } from "../host/ha/unit";
import { coreArbiter } from "../host/ha/arbiter";
import { Core } from "../host/core/core";
import { WireCodec } from "../host/wire/codec";
import { GASP_CAUSE_TRAP, GASP_ROLE_ACTIVE, GASP_ROLE_STANDBY, GASP_ROLE_NONE } from "../assembly/shared/gasp";
import { ms, sec } from "../host/ha/timeline";

const core = Core.load();
const arbitrate = coreArbiter(core);

test("helloFields: role bytes, priority and epoch as the role machine advertises them", () => {
  const a = (role: Advert["role"], priority = 100): Advert => ({ role, priority, epoch: 7, unit: 1 });
  assert.equal(helloFields(a("active")), { role: GASP_ROLE_ACTIVE, priority: 100, epoch: 7 });
  assert.equal(helloFields(a("backup")), { role: GASP_ROLE_STANDBY, priority: 100, epoch: 7 });
  for (const r of ["init", "fault", "fenced"] as const) assert.is(helloFields(a(r)).role, GASP_ROLE_NONE);
  assert.is(helloFields({ role: "active", priority: 0, epoch: 0xffffffff, unit: 1 }).epoch, 0xffffffff);
});

test("an advert survives the gasp protocol: HELLO out of one core, the same advert out of the receiver", () => {
  const tx = armedSender({ unit: 1 });
  const rx = receiver();
  const adverts: Advert[] = [
    { role: "active", priority: 200, epoch: 3, unit: 1 },
    { role: "backup", priority: 100, epoch: 9, unit: 1 },
    { role: "active", priority: 0, epoch: 10, unit: 1 }, // a resignation
    { role: "init", priority: 0, epoch: 0x80000001, unit: 1 },
  ];
  for (const a of adverts) {
    const f = helloFields(a);
    tx.update(f.role, f.priority, f.epoch);
    const frame = tx.hello(123n).frames[0].bytes;
    const got = rx.receive(frame);
    assert.ok(got.ok, got.ok ? "" : got.reason);
    if (!got.ok) return;
    assert.equal(roleEventFrom(got.message), { type: "peer-advert", peer: a });
  }
});

test("an accepted self-fencing GASP: the backup takes over above the dead unit's epoch", () => {
  const tx = armedSender({ unit: 1, epoch: 41 });
  const rx = receiver();
  const got = rx.receive(tx.fire({ cause: GASP_CAUSE_TRAP, excerpt: "panic" }).frames[0].bytes);
  assert.ok(got.ok);
  if (!got.ok) return;
  const ev = roleEventFrom(got.message);
  assert.equal(ev, { type: "gasp-accepted", peer: { unit: 1, priority: 200, epoch: 41 }, selfFenced: true });
  const b = new RoleMachine({ name: "u2", unit: 2, priority: 100, arbitrate });
  b.handle({ type: "start" }, 0);
  assert.equal(b.handle(ev!, ms(1)), [{ type: "claim", epoch: 42, reason: "gasp" }]);
});

test("HaUnit.onPeerMessage: HELLOs keep a backup quiet, the GASP makes it announce at once", () => {
  const tx = armedSender({ unit: 1, epoch: 5 });
  const rx = receiver();
  const u = new HaUnit({
    name: "u2", unit: 2, priority: 100, mac: "02:00:00:00:0b:01", vips: ["203.0.113.9"], codec: new WireCodec(core), arbitrate,
    heartbeat: { intervalNs: ms(100), multiplier: 3 },
  });
  u.start(0);
  for (let t = ms(50); t < sec(1); t += ms(100)) {
    const h = rx.receive(tx.hello().frames[0].bytes);
    assert.ok(h.ok);
    if (h.ok) assert.equal(u.onPeerMessage(h.message, t).frames, []);
    u.tick(t);
  }
  assert.is(u.currentRole, "backup");
  const g = rx.receive(tx.fire({ cause: GASP_CAUSE_TRAP }).frames[0].bytes);
  assert.ok(g.ok);
  if (!g.ok) return;
  const out = u.onPeerMessage(g.message, sec(1));
  assert.is(u.currentRole, "active");
  assert.ok(out.frames.some((f) => f.what === "garp"), "first GARP in the same call");
  assert.is(u.role.epoch, 6);
  // The dead unit's core keeps its promise too: no hello after a self-fencing gasp.
  assert.throws(() => tx.hello(), /FENCED/);
});

test.run();
