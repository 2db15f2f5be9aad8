// What JSON Schema cannot say about a board: names that refer to something, addresses and
// MACs that do not collide, VIPs on their port's subnet, DMA windows that do not overlap,
// queues that exist. Each problem names its JSON Pointer. The checks run on the parsed file
// whether or not it passed the schema (load.ts reports both lists together), so each one
// looks only at values of the shape it needs and leaves the rest to the schema's problems.
//
// Any valid unicast address is accepted: a board file describes a real deployment. (The
// project's own files use documentation addresses — a rule test/boards.test.ts enforces on
// them, not on users.)

import { parseIPv4, parseIPv6, formatIPv6 } from "../util/addr";
import { FORMATS, ipv4Problem, ipv6Problem } from "../util/formats";
import { DMA_SIZE } from "../../assembly/shared/memmap";
import { flashSectionProblems } from "../flash/layout";
import type { Problem } from "../util/problems";

/** Checks a unicast "a.b.c.d" or, with prefix, "a.b.c.d/len"; a problem message or undefined. */
export function checkIPv4(text: string, prefix: boolean): string | undefined {
  return checkAddr(text, prefix, 4);
}

/** Checks a unicast IPv6 address or, with prefix, "address/len". */
export function checkIPv6(text: string, prefix: boolean): string | undefined {
  return checkAddr(text, prefix, 6);
}

function checkAddr(text: string, prefix: boolean, family: 4 | 6): string | undefined {
  const [a, len, ...rest] = text.split("/");
  if (rest.length || (prefix && len === undefined) || (!prefix && len !== undefined)) return `"${text}" is not an IPv${family} ${prefix ? "prefix" : "address"}`;
  const bad = family === 4 ? ipv4Problem(a) : ipv6Problem(a);
  if (bad) return bad;
  const max = family === 4 ? 32 : 128;
  if (prefix && !(/^\d{1,3}$/.test(len) && Number(len) >= 1 && Number(len) <= max)) return `prefix length /${len} is not in 1..${max}`;
  return undefined;
}

/** Parses a schema-valid hex physical address. */
export function physOf(text: string): number {
  return parseInt(text.slice(2), 16);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const int = (v: unknown): number | undefined => (Number.isInteger(v) ? (v as number) : undefined);

/** A parsed interface prefix: family, address bytes, length; undefined when it does not parse. */
interface Prefix {
  family: 4 | 6;
  addr: Uint8Array;
  len: number;
  text: string;
}

function parsePrefix(text: unknown, family: 4 | 6): Prefix | undefined {
  const t = str(text);
  if (t === undefined || FORMATS[family === 4 ? "ipv4-interface" : "ipv6-interface"](t)) return undefined;
  const [a, l] = t.split("/");
  return { family, addr: family === 4 ? parseIPv4(a) : parseIPv6(a), len: Number(l), text: t };
}

function parseAddr(text: unknown, family: 4 | 6): Uint8Array | undefined {
  const t = str(text);
  if (t === undefined || (family === 4 ? ipv4Problem(t) : ipv6Problem(t))) return undefined;
  return family === 4 ? parseIPv4(t) : parseIPv6(t);
}

/** Is addr inside the prefix (the first len bits equal)? */
export function inPrefix(addr: Uint8Array, net: Uint8Array, len: number): boolean {
  for (let bit = 0; bit < len; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((addr[bit >> 3] & m) !== (net[bit >> 3] & m)) return false;
  }
  return true;
}

/** An address as one canonical key (IPv6 in RFC 5952 form), for collision checks. */
const addrKey = (family: 4 | 6, b: Uint8Array) => (family === 4 ? Array.from(b).join(".") : formatIPv6(b));

/** Problems in a parsed board file (empty when none). */
export function semanticProblems(raw: unknown): Problem[] {
  const out: Problem[] = [];
  const add = (path: string, message: string) => out.push({ path, message });
  if (!isObj(raw)) return out;
  const id = str(raw.id);
  if (id !== undefined && str(raw.peer) === id) add("/peer", `"${id}" is this board itself: the peer is the other unit of the HA pair`);

  const names = new Map<string, number>();
  const macs = new Map<string, number>();
  const addrs = new Map<string, string>();
  const prefixes = new Map<string, Prefix[]>();
  list(raw.ports).forEach((port, i) => {
    if (!isObj(port)) return;
    const name = str(port.name);
    if (name !== undefined) {
      if (names.has(name)) add(`/ports/${i}/name`, `"${name}" is also the name of /ports/${names.get(name)}`);
      else names.set(name, i);
    }
    const mac = str(port.mac)?.toLowerCase().replace(/-/g, ":");
    if (mac !== undefined && !FORMATS["unicast-mac"](mac)) {
      if (macs.has(mac)) add(`/ports/${i}/mac`, `${port.mac} is also the MAC of /ports/${macs.get(mac)}`);
      else macs.set(mac, i);
    }
    const partner = isObj(port.link) ? str(port.link.partner) : undefined;
    if (id !== undefined && name !== undefined && partner === `${id}/${name}`) add(`/ports/${i}/link/partner`, `${partner} is this port itself: a cable has two ends`);
    const own: Prefix[] = [];
    for (const family of [4, 6] as const) {
      list(port[`ipv${family}`]).forEach((text, j) => {
        const p = parsePrefix(text, family);
        if (!p) return;
        own.push(p);
        const key = addrKey(family, p.addr);
        const where = `/ports/${i}/ipv${family}/${j}`;
        if (addrs.has(key)) add(where, `${key} is also the address of ${addrs.get(key)}: each interface address is on one port`);
        else addrs.set(key, where);
      });
    }
    if (name !== undefined) prefixes.set(name, [...(prefixes.get(name) ?? []), ...own]);
  });

  const vipsSeen = new Map<string, string>();
  list(raw.vips).forEach((vip, i) => {
    if (!isObj(vip)) return;
    const port = str(vip.port);
    if (port !== undefined && !names.has(port)) add(`/vips/${i}/port`, `"${port}" is not a port of this board (${[...names.keys()].join(", ")})`);
    for (const family of [4, 6] as const) {
      const text = str(vip[`ipv${family}`]);
      const b = parseAddr(text, family);
      if (!b) continue;
      const where = `/vips/${i}/ipv${family}`;
      const key = addrKey(family, b);
      if (addrs.has(key)) add(where, `${text} is the address of ${addrs.get(key)}: a VIP is shared by the HA pair, a port's own address is not`);
      if (vipsSeen.has(key)) add(where, `${text} is also ${vipsSeen.get(key)}`);
      else vipsSeen.set(key, where);
      if (port === undefined || !names.has(port)) continue;
      const nets = (prefixes.get(port) ?? []).filter((p) => p.family === family);
      if (!nets.some((p) => inPrefix(b, p.addr, p.len))) {
        add(where, nets.length
          ? `${text} is outside the subnets of port ${port} (${nets.map((p) => p.text).join(", ")}): hosts on the port's network could not reach it, nor would they take its announcements`
          : `port ${port} has no IPv${family} address: a VIP must be on a subnet of its port`);
      }
    }
  });

  const nic = isObj(raw.nic) ? raw.nic : {};
  const model = str(nic.model);
  const queues = int(nic.txQueues) ?? (model === "i210" ? 4 : 1);
  const fq = int(nic.faultQueue);
  if (fq !== undefined && fq >= queues) add("/nic/faultQueue", `queue ${fq} does not exist: the NIC has ${queues} TX queues (0..${queues - 1})`);
  const dma = isObj(raw.dma) ? raw.dma : {};
  const os = str(dma.os);
  const fault = str(dma.fault);
  if (os !== undefined && fault !== undefined && !FORMATS["phys-address"](os) && !FORMATS["phys-address"](fault)) {
    const [a, b] = [physOf(os), physOf(fault)];
    if (a < b + DMA_SIZE && b < a + DMA_SIZE) add("/dma/fault", `the fault core's window overlaps the OS core's (each is 0x${DMA_SIZE.toString(16)} bytes)`);
  }
  portKindProblems(raw, model, add);
  if (isObj(raw.pathFailover)) {
    const ports = list(raw.ports);
    for (const k of ["primary", "secondary"] as const) {
      const n = str(raw.pathFailover[k]);
      if (n === undefined) continue;
      const p = names.has(n) ? ports[names.get(n)!] : undefined;
      if (!p) add(`/pathFailover/${k}`, `"${n}" is not a port of this board (${[...names.keys()].join(", ")})`);
      else if (!isObj(p) || p.role !== "front") add(`/pathFailover/${k}`, `${n} is not a front port: alternate paths are two front ports on the service segment`);
    }
    if (raw.pathFailover.primary !== undefined && raw.pathFailover.primary === raw.pathFailover.secondary) add("/pathFailover/secondary", "is the primary itself: an alternate path is another port");
  }
  out.push(...dialectProblems(raw, names, prefixes, vipsSeen));
  const faults = isObj(raw.sim) && isObj(raw.sim.faults) ? raw.sim.faults : {};
  for (const k of ["frozenTdh", "lostDoorbells", "deferTx"]) {
    const q = isObj(faults[k]) ? int((faults[k] as Obj).queue) : undefined;
    if (q !== undefined && q >= queues) add(`/sim/faults/${k}/queue`, `queue ${q} does not exist: the NIC has ${queues} TX queues`);
  }
  out.push(...flashSectionProblems(raw.flash)); // the flash layout (docs/flashing.md)
  return out;
}

/**
 * What a port is (kind sim, pci, linux; docs/real-hardware.md): the section for its kind and
 * no other, one port per device or interface, no virtual port beside real ones (they run on
 * different clocks), a linux port behind an e1000 (the addon's soft NIC is one), one DMA
 * placement per board (the core's memory is placed once), and `sim` settings only on a
 * virtual board.
 */
/** A pci port's DMA placement follows its access: VFIO maps through the IOMMU; sysfs has only /dev/mem. */
export function pciDefaultDma(access: string): "iommu" | "devmem" {
  return access === "sysfs" ? "devmem" : "iommu";
}

function portKindProblems(raw: Obj, model: string | undefined, add: (path: string, message: string) => void): void {
  const kinds: { kind: string; i: number }[] = [];
  const devices = new Map<string, number>();
  let placement: { dma: string; i: number } | undefined;
  list(raw.ports).forEach((port, i) => {
    if (!isObj(port)) return;
    const kind = str(port.kind) ?? "sim";
    if (!["sim", "pci", "linux"].includes(kind)) return; // the schema says so
    kinds.push({ kind, i });
    for (const other of ["pci", "linux"]) {
      if (other !== kind && port[other] !== undefined) add(`/ports/${i}/${other}`, `the port is kind ${kind}: ${other} settings belong to a port of kind ${other}`);
    }
    if (kind !== "sim" && port[kind] === undefined) {
      add(`/ports/${i}/${kind}`, kind === "pci"
        ? "is required for a port of kind pci: { \"address\": \"0000:00:03.0\", \"access\": \"vfio\" | \"sysfs\", \"dma\": \"iommu\" | \"devmem\" }"
        : "is required for a port of kind linux: { \"interface\": \"eth1\" }");
    }
    const section = isObj(port[kind]) ? (port[kind] as Obj) : undefined;
    const id = kind === "pci" ? str(section?.address) : kind === "linux" ? str(section?.interface) : undefined;
    if (id !== undefined) {
      const key = `${kind}:${id}`;
      const field = kind === "pci" ? "address" : "interface";
      if (devices.has(key)) add(`/ports/${i}/${kind}/${field}`, `${id} is also the ${kind === "pci" ? "device" : "interface"} of /ports/${devices.get(key)}: one port per ${kind === "pci" ? "device" : "interface"}`);
      else devices.set(key, i);
    }
    if (kind === "linux" && model !== undefined && model !== "e1000") {
      add(`/ports/${i}/kind`, `a linux port is driven through the addon's soft e1000: nic.model must be e1000, not ${model}`);
    }
    if (kind === "pci") {
      const access = str(section?.access) ?? "vfio";
      const dma = str(section?.dma) ?? pciDefaultDma(access);
      if (section?.dma !== undefined && dma !== pciDefaultDma(access)) {
        add(`/ports/${i}/pci/dma`, access === "vfio"
          ? "access vfio maps the core's memory through the IOMMU: dma must be iommu (devmem goes with access sysfs)"
          : "access sysfs has no IOMMU mapping to make: dma must be devmem (iommu goes with access vfio)");
      }
      if (placement && placement.dma !== dma) add(`/ports/${i}/pci/dma`, `${dma} here but ${placement.dma} on /ports/${placement.i}: the core's memory is made DMA-able once, in one way, for every pci port of the board`);
      else placement ??= { dma, i };
    }
  });
  const sim = kinds.filter((k) => k.kind === "sim");
  const real = kinds.filter((k) => k.kind !== "sim");
  if (sim.length && real.length) {
    for (const k of sim) add(`/ports/${k.i}/kind`, `a virtual (sim) port cannot share a board with real ports (/ports/${real[0].i} is ${real[0].kind}): they run on different clocks`);
  }
  if (raw.sim !== undefined && real.length && !sim.length) add("/sim", "virtual-board settings on a board without a sim port: remove them");
}

/**
 * The dialects (docs/dialects.md): ports that exist; VRRP routers whose VIPs are this
 * board's on that port, one family, version 2 for IPv4 only, an interval the version can
 * carry, VRIDs unique per port and family, a sync group armed for every family it has; BFD
 * sessions with addresses of one family on the port, source ports unique, static
 * discriminators when the host is not to learn them; one OAM per port; and room in the fault
 * ring for the gasp (3 copies of its frames) and every dialect copy.
 */
function dialectProblems(raw: Obj, names: Map<string, number>, prefixes: Map<string, Prefix[]>, vips: Map<string, string>): Problem[] {
  const out: Problem[] = [];
  const add = (path: string, message: string) => out.push({ path, message });
  const d = isObj(raw.dialects) ? raw.dialects : undefined;
  if (!d) return out;
  const portOk = (where: string, port: string | undefined) => {
    if (port !== undefined && !names.has(port)) add(where, `"${port}" is not a port of this board (${[...names.keys()].join(", ")})`);
    return port !== undefined && names.has(port);
  };
  const vrids = new Map<string, string>();
  const groups = new Map<string, Set<number>>();
  list(d.vrrp).forEach((v, i) => {
    if (!isObj(v)) return;
    const at = `/dialects/vrrp/${i}`;
    const port = str(v.port);
    const known = portOk(`${at}/port`, port);
    const version = int(v.version) ?? 3;
    const fams = new Set<number>();
    list(v.vips).forEach((text, j) => {
      const t = str(text);
      if (t === undefined) return;
      const fam: 4 | 6 = t.includes(":") ? 6 : 4;
      const b = parseAddr(t, fam);
      if (!b) return add(`${at}/vips/${j}`, `"${t}" is not a unicast IPv${fam} address`);
      fams.add(fam);
      const where = vips.get(addrKey(fam, b));
      if (!where) add(`${at}/vips/${j}`, `${t} is not one of this board's VIPs: the unit is master of its own service addresses`);
    });
    if (fams.size > 1) add(`${at}/vips`, "one address family per advertisement: a virtual router is IPv4 or IPv6 (RFC 5798 §5.2.9)");
    const fam = fams.has(6) ? 6 : 4;
    if (version === 2 && fam === 6) add(`${at}/version`, "VRRP version 2 (RFC 3768) is IPv4 only: use version 3 for IPv6");
    const ai = typeof v.advertInt === "number" ? v.advertInt : 1;
    if (version === 2 && !(Number.isInteger(ai) && ai >= 1 && ai <= 255)) add(`${at}/advertInt`, `${ai}: VRRPv2 carries whole seconds 1..255 (a keepalived backup drops an advert whose interval differs from its own)`);
    if (version === 3 && !(Math.abs(ai * 100 - Math.round(ai * 100)) < 1e-6 && ai >= 0.01 && ai <= 40.95)) add(`${at}/advertInt`, `${ai}: VRRPv3 carries 0.01..40.95 s in 0.01 steps`);
    if (v.password !== undefined && version !== 2) add(`${at}/password`, "a simple password is VRRPv2 only (RFC 3768 §5.3.6); version 3 has no authentication");
    if (known && fam === 4 && !(prefixes.get(port!) ?? []).some((p) => p.family === 4) && v.source === undefined) add(`${at}/port`, `port ${port} has no IPv4 address to send the advert from`);
    const vrid = int(v.vrid);
    if (vrid !== undefined && port !== undefined) {
      const key = `${port}|${fam}|${vrid}`;
      if (vrids.has(key)) add(`${at}/vrid`, `VRID ${vrid} (IPv${fam}) on ${port} is also ${vrids.get(key)}`);
      else vrids.set(key, at);
    }
    const g = str(v.syncGroup);
    if (g !== undefined) groups.set(g, new Set([...(groups.get(g) ?? []), fam]));
  });
  for (const [g, fams] of groups) if (fams.size === 1 && vips.size > 0) {
    const other = fams.has(4) ? 6 : 4;
    const hasOther = [...vips.keys()].some((k) => (other === 6 ? k.includes(":") : !k.includes(":")));
    if (hasOther) add("/dialects/vrrp", `sync group ${g} is armed for IPv${[...fams][0]} only, but the board has IPv${other} VIPs: a sync group goes master only when every member can, so arm every VRID of the group for each family`);
  }
  const bfd = isObj(d.bfd) ? d.bfd : undefined;
  const learn = str(bfd?.learn) ?? "frr";
  const srcPorts = new Map<number, string>();
  list(bfd?.sessions).forEach((s, i) => {
    if (!isObj(s)) return;
    const at = `/dialects/bfd/sessions/${i}`;
    const port = str(s.port);
    const known = portOk(`${at}/port`, port);
    const peer = str(s.peer);
    const fam: 4 | 6 = peer?.includes(":") ? 6 : 4;
    if (peer !== undefined && !parseAddr(peer, fam)) add(`${at}/peer`, `"${peer}" is not a unicast IPv${fam} address`);
    const local = str(s.local);
    const own = known ? (prefixes.get(port!) ?? []).filter((p) => p.family === fam) : [];
    if (local !== undefined) {
      const b = parseAddr(local, fam);
      if (!b) add(`${at}/local`, `"${local}" is not a unicast IPv${fam} address (the peer's family)`);
      else if (known && !own.some((p) => addrKey(fam, p.addr) === addrKey(fam, b))) add(`${at}/local`, `${local} is not an address of port ${port}`);
    } else if (known && !own.length) add(`${at}/port`, `port ${port} has no IPv${fam} address for a session to ${peer}`);
    const sp = int(s.srcPort) ?? 49152 + i;
    if (srcPorts.has(sp)) add(`${at}/srcPort`, `${sp} is also the source port of ${srcPorts.get(sp)}: constant and distinct per session (RFC 5881 §4)`);
    else srcPorts.set(sp, at);
    const hasDisc = s.myDisc !== undefined || s.yourDisc !== undefined;
    if (learn === "static" && (s.myDisc === undefined || s.yourDisc === undefined)) add(at, "learn static: both myDisc and yourDisc are needed (a peer ignores Your Discriminator 0 on an Up session)");
    if (learn === "frr" && hasDisc) add(at, "learn frr: the discriminators come from the unit's bfdd and change when a session is re-created; static values here would go stale");
  });
  const oamPorts = new Set<string>();
  list(d.oam).forEach((o, i) => {
    if (!isObj(o)) return;
    const port = str(o.port);
    portOk(`/dialects/oam/${i}/port`, port);
    if (port !== undefined && oamPorts.has(port)) add(`/dialects/oam/${i}/port`, `${port} has an OAM dialect already: one link partner per port`);
    if (port !== undefined) oamPorts.add(port);
  });
  const cd = isObj(d.carrierDrop) ? d.carrierDrop : undefined;
  list(cd?.ports).forEach((p, i) => portOk(`/dialects/carrierDrop/ports/${i}`, str(p)));
  // Room in the fault ring: the gasp (3 copies of 2 frames on a front port, 1 on a backplane), the dialects, a lead copy, the empty slot.
  const rings = isObj(raw.rings) ? raw.rings : {};
  const fault = int(rings.fault);
  if (fault !== undefined) list(raw.ports).forEach((p, i) => {
    if (!isObj(p) || str(p.name) === undefined) return;
    const name = str(p.name)!;
    const copies = list(d.vrrp).filter((v) => isObj(v) && v.port === name).reduce<number>((a, v) => a + (int((v as Obj).copies) ?? 3), 0)
      + list(bfd?.sessions).filter((s) => isObj(s) && s.port === name).length + list(d.oam).filter((o) => isObj(o) && o.port === name).length;
    const gasp = (p.role === "backplane" ? 1 : 2) * 3;
    if (copies && gasp + copies + 2 > fault) add(`/ports/${i}/name`, `the fault ring (rings.fault ${fault}) cannot hold the gasp (${gasp}) and the dialects' ${copies} copies on ${name}, with a lead copy and the empty slot: ${gasp + copies + 2}`);
  });
  return out;
}
