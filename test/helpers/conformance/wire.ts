// Conformance script "wire": the wire codecs (ARP announcements, probes, unsolicited NAs,
// parsers fed what was built and random junk), HMAC with keys in every slot, checksums; the
// self-test at the start and the whole ABI region's digest at the end.

import { Core } from "../../../host/core/core";
import { Rng } from "../../../host/util/rng";
import { Call, poke } from "../engines";
import * as R from "../../../assembly/shared/repr";
import type { ConformanceSource } from "./index";
const S = (i: number) => Core.slot(i);
const OUT = Core.frame(0);
const IN = Core.frame(1);


function build(): Call[] {
  const rng = new Rng(7);
  const s: Call[] = [["abi_version"], ["init"], ["selftest"]];
  for (let i = 0; i < 60; i++) {
    const mac = rng.bytes(6);
    const ip4 = rng.bytes(4);
    const ip6 = rng.bytes(16);
    const vlan = rng.bool() ? rng.int(4095) : -1;
    poke(s, S(0), mac);
    poke(s, S(1), ip4);
    poke(s, S(2), ip6);
    s.push(["mem_fill", OUT, 256, 0xaa]);
    const fn = rng.pick(["arp_announce", "arp_announce_reply", "arp_probe"]);
    s.push([fn, S(0), S(1), vlan, OUT, 2048]);
    s.push(["region_digest", OUT, 256]);
    s.push(["na_unsolicited", S(0), S(2), i & 1, vlan, OUT, 2048]);
    s.push(["region_digest", OUT, 256]);
    // decode what was just built, and a damaged copy of it
    s.push(["na_parse", OUT, 86, S(3), S(4), S(5)]);
    s.push(["region_digest", S(5), R.NA_REPR_SIZE]);
    const junk = rng.bytes(rng.int(100));
    poke(s, IN, junk);
    s.push(["arp_parse", IN, junk.length, S(3), S(4)]);
    s.push(["na_parse", IN, junk.length, S(3), S(4), S(5)]);
    s.push(["udp4_parse", IN, junk.length, S(3), S(4), S(5)]);
    poke(s, S(6), rng.bytes(40));
    s.push(["hmac_set_key", i % 8, S(6), 40, i]);
    s.push(["hmac_sha256", i % 8, S(0), 26, S(7)]);
    s.push(["region_digest", S(7), 32]);
    s.push(["inet_checksum", S(0), 26]);
    s.push(["csum_update16", rng.int(65536), rng.int(65536), rng.int(65536)]);
  }
  s.push(["arp_announce", 0, 0, -1, OUT, 64]); // out of range: E_RANGE, not a trap
  s.push(["region_digest", 0x20000, 0x10000]);
  return s;
}

export const wire: ConformanceSource = {
  name: "wire",
  description: "wire codecs (ARP, NA, UDP parse), HMAC in every key slot, checksums, on random inputs",
  build,
};
