// Conformance scripts for the dialects (VRRP priority 0, BFD Down, 802.3ah Dying Gasp):
//
//  "dialect"         the exports alone — dialect_arm with seeded random configs of every kind
//                    (valid ones, and the same with random bytes changed: refusals), rearm,
//                    disarm, clear, dialect_oam_learn (a peer's OAMPDU, and garbage),
//                    dialect_carrier, dialect_fire per cause, dialect_info — with the GASP
//                    region's digest (the frames and the table) after every change;
//  "fault-dialects"  the fault entry with dialects and the carrier drop armed beside the gasp
//                    (fault.ts's stub NICs, MDIC answering READY): every round, the fault
//                    rings and the GASP region.

import type { Call } from "../engines";
import { poke } from "../engines";
import { Core } from "../../../host/core/core";
import { Rng } from "../../../host/util/rng";
import { writeDialect, KIND_CODE, type Dialect } from "../../../host/dialect/dialect";
import { parseIPv4, parseIPv6, parseMac } from "../../../host/util/addr";
import * as D from "../../../assembly/shared/dialect";
import { GASP_BASE, GASP_SIZE } from "../../../assembly/shared/memmap";
import { recordFault } from "./fault";
import type { ConformanceSource } from "./index";

const CFG = Core.slot(80);
const RX = Core.slot(81);
const CFG_BYTES = 256;

/** A peer's Information OAMPDU with its Local Information TLV (revision rev). */
function peerOampdu(rev: number): Uint8Array {
  const tlv = [0x01, 0x10, 0x01, 0x00, rev & 0xff, 0x05, 0x00, 0x00, 0x05, 0xee, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55];
  const f = [0x01, 0x80, 0xc2, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x0b, 0x00, 0x02, 0x88, 0x09, 0x03, 0x00, 0x50, 0x00, ...tlv, 0x00];
  while (f.length < 60) f.push(0);
  return Uint8Array.from(f);
}

function randomDialect(rng: Rng): Dialect {
  const port = rng.int(2);
  const copies = 1 + rng.int(3);
  const v6 = rng.bool(0.4);
  const ip = (k: number) => (v6 ? parseIPv6(`2001:db8:1::${k.toString(16)}`) : parseIPv4(`192.0.2.${k}`));
  const tagged = rng.bool(0.2) ? { vlanTci: 1 + rng.int(4094) } : {};
  switch (rng.int(3)) {
    case 0: {
      const version = v6 || rng.bool(0.5) ? 3 : 2;
      const addrs = Array.from({ length: 1 + rng.int(4) }, (_, i) => ip(10 + i));
      const password = version === 2 && rng.bool(0.5) ? new TextEncoder().encode("lg-pass".slice(0, 1 + rng.int(7))) : undefined;
      return { kind: "vrrp", port, copies, ...tagged, version, vrid: 1 + rng.int(255), src: v6 ? parseIPv6("fe80::2") : ip(2), addrs, interval: version === 2 ? 1 + rng.int(3) : 1 + rng.int(400), password };
    }
    case 1:
      return {
        kind: "bfd", port, copies: 1, ...tagged, ownMac: parseMac(`02:00:00:0a:00:0${port + 1}`), peerMac: parseMac("02:00:00:0b:00:02"), src: ip(2), dst: ip(3),
        srcPort: 49152 + rng.int(16384), myDisc: 1 + rng.int(0x7fffffff), yourDisc: 1 + rng.int(0x7fffffff), detectMult: 1 + rng.int(10), diag: rng.int(9),
        desiredMinTxUs: 1000 * (1 + rng.int(1000)), requiredMinRxUs: 1000 * (1 + rng.int(1000)), multihop: rng.bool(0.2),
      };
    default:
      return { kind: "oam", port, copies: 1, ownMac: parseMac(`02:00:00:0a:00:0${port + 1}`), revision: rng.int(100) };
  }
}

/** The config repr as bytes; `mutate` changes a few of them (most of those are refused). */
function configBytes(d: Dialect, rng: Rng, mutate: boolean): Uint8Array {
  const m = new Uint8Array(CFG_BYTES);
  writeDialect(m, 0, d);
  if (mutate) for (let k = 1 + rng.int(3); k > 0; k--) m[rng.int(96)] = rng.int(256);
  return m;
}

function exportsScript(): Call[] {
  const rng = new Rng(0xd1a1);
  const s: Call[] = [["abi_version"], ["init"]];
  const digest = () => s.push(["region_digest", GASP_BASE, GASP_SIZE]);
  const info = () => {
    s.push(["dialect_info", -1, D.DINFO_COUNT], ["dialect_info", -1, D.DINFO_CARRIER_MASK], ["dialect_info", -1, D.DINFO_CARRIER_DRAIN_US]);
    for (let i = 0; i < 6; i++) for (let f = 1; f < D.DINFO_FIELDS - 2; f++) s.push(["dialect_info", i, f]);
  };
  for (let round = 0; round < 3; round++) {
    s.push(["dialect_clear"]);
    for (let k = 0; k < 36; k++) {
      const d = randomDialect(rng);
      poke(s, CFG, configBytes(d, rng, rng.bool(0.35)));
      s.push(["dialect_arm", rng.bool(0.03) ? rng.int(6) - 1 : KIND_CODE[d.kind], CFG]);
      digest();
    }
    info();
    // Re-arm: the same kind in place (a BFD session's new discriminators), another kind refused.
    for (let k = 0; k < 10; k++) {
      const d = randomDialect(rng);
      poke(s, CFG, configBytes(d, rng, rng.bool(0.2)));
      s.push(["dialect_rearm", rng.int(D.DIALECT_MAX_FRAMES + 2) - 1, KIND_CODE[d.kind], CFG]);
      digest();
    }
    // The peer's OAM TLV: learned (1), the same again (0), garbage and wrong slots refused.
    for (let k = 0; k < 8; k++) {
      const f = peerOampdu(round * 8 + (k >> 1));
      if (rng.bool(0.25)) f[rng.int(f.length)] = rng.int(256);
      poke(s, RX, f);
      s.push(["dialect_oam_learn", rng.int(D.DIALECT_MAX_FRAMES), RX, rng.bool(0.1) ? rng.int(f.length) : f.length]);
      digest();
    }
    s.push(["dialect_carrier", rng.int(8) - 1, rng.bool(0.8) ? rng.int(2000) : D.DIALECT_CARRIER_DRAIN_MAX_US + 1 + rng.int(10)]);
    for (const cause of [1, 2, 3, 6, 7]) {
      s.push(["dialect_fire", cause]);
      digest();
    }
    info();
    for (let k = 0; k < 5; k++) {
      s.push(["dialect_disarm", rng.int(D.DIALECT_MAX_FRAMES + 2) - 1]);
      digest();
    }
    info();
  }
  return s;
}

/** The fault entry with two VRRP adverts and an OAM Dying Gasp on port 1, a BFD Down on port 0, carrier drop on port 1. */
function faultScript(): Call[] {
  const extra: Call[] = [];
  const arm = (d: Dialect) => {
    const m = new Uint8Array(CFG_BYTES);
    writeDialect(m, 0, d);
    poke(extra, CFG, m);
    extra.push(["dialect_arm", KIND_CODE[d.kind], CFG]);
  };
  arm({ kind: "vrrp", port: 1, copies: 2, version: 3, vrid: 51, src: parseIPv4("192.0.2.2"), addrs: [parseIPv4("192.0.2.1")], interval: 100 });
  arm({ kind: "vrrp", port: 1, copies: 2, version: 2, vrid: 52, src: parseIPv4("192.0.2.2"), addrs: [parseIPv4("192.0.2.5")], interval: 1, password: new TextEncoder().encode("lg-pass") });
  arm({ kind: "oam", port: 1, copies: 1, ownMac: parseMac("02:00:00:0a:00:02") });
  arm({
    kind: "bfd", port: 0, copies: 1, ownMac: parseMac("02:00:00:0a:00:01"), peerMac: parseMac("02:00:00:0b:00:01"), src: parseIPv4("198.18.0.1"), dst: parseIPv4("198.18.0.2"),
    srcPort: 49152, myDisc: 7, yourDisc: 9, detectMult: 3, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000,
  });
  extra.push(["dialect_carrier", 1 << 1, D.DIALECT_CARRIER_DRAIN_DEFAULT_US]);
  return recordFault(4, 1, null, extra);
}

export const dialect: ConformanceSource[] = [
  { name: "dialect", description: "the dialect exports: random VRRP, BFD and OAM configs armed (and refused), re-armed, learned, fired per cause, disarmed; the frames and the table digested", build: exportsScript },
  { name: "fault-dialects", description: "the fault entry on an i210-like NIC with VRRP, OAM and BFD dialects and the carrier drop armed beside the gasp", build: faultScript },
];
