// A configured switching path for tests: two ports (clients on 0, back ends on 1), IPv4
// services in NAT and DSR mode, an IPv6 DSR service, back ends, CP addresses. Documentation
// addresses only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 198.18.0.0/15, 2001:db8::/32).

import { SwitchPath, SwitchInit } from "../switch/switch";
import { LbTables } from "../switch/lbtables";
import { maglevTable, BackendShare } from "../switch/distribution";
import { parseIPv4, parseIPv6, parseMac } from "../util/addr";

export const PORT_CLIENTS = 0;
export const PORT_BACKENDS = 1;
export const MAC_PORT0 = parseMac("02:00:00:00:1b:00");
export const MAC_PORT1 = parseMac("02:00:00:00:1b:01");
export const MAC_ROUTER = parseMac("02:00:00:00:00:fe");
export const VIP4 = parseIPv4("203.0.113.10");
export const VIP6 = parseIPv6("2001:db8::10");
export const CP4 = parseIPv4("192.0.2.1");
export const CP6 = parseIPv6("2001:db8::1");

export const SVC_TCP_NAT = 0; // 203.0.113.10 tcp/80, NAT
export const SVC_UDP_NAT = 1; // 203.0.113.10 udp/53, NAT
export const SVC_TCP_DSR = 2; // 203.0.113.10 tcp/443, DSR
export const SVC_TCP6_DSR = 3; // [2001:db8::10] tcp/80, DSR
export const SVC_UDP6_DSR = 4; // [2001:db8::10] udp/53, DSR

export const BE_PORT = 8080;
export const backendMac = (i: number) => parseMac(`02:00:00:00:be:${i.toString(16).padStart(2, "0")}`);
export const backendIp4 = (i: number) => parseIPv4(`198.51.100.${11 + i}`);
export const backendIp6 = (i: number) => parseIPv6(`2001:db8:1::${(0x11 + i).toString(16)}`);
export const clientIp4 = (i: number) => parseIPv4(`198.18.${(i >> 8) & 0xff}.${i & 0xff}`);
export const clientIp6 = (i: number) => parseIPv6(`2001:db8:c::${(i & 0xffff).toString(16)}`);

/** Back ends 0..n4-1 are IPv4 (NAT port 8080), 100..100+n6-1 IPv6. */
export const V6_BASE = 100;

export interface Fixture {
  sw: SwitchPath;
  lb: LbTables;
  /** Publishes Maglev tables (size m) over the given v4 and v6 back-end indices. */
  publish(v4: number[], v6: number[], m?: number): void;
}

export function fixture(init: SwitchInit = { capacity: 1 << 12 }, n4 = 4, n6 = 2): Fixture {
  const fx = configureSwitch(SwitchPath.create(init), n4, n6);
  fx.sw.tick(1000);
  return fx;
}

/** Ports, CP addresses, services and back ends of the fixture on a switching path; Maglev tables published. */
export function configureSwitch(sw: SwitchPath, n4 = 4, n6 = 2): Fixture {
  const lb = new LbTables(sw.core);
  sw.setPort(PORT_CLIENTS, MAC_PORT0);
  sw.setPort(PORT_BACKENDS, MAC_PORT1);
  sw.setCpAddress(0, 4, CP4);
  sw.setCpAddress(1, 6, CP6);
  const nat = { returnPort: PORT_CLIENTS, returnMac: MAC_ROUTER };
  sw.setService(SVC_TCP_NAT, { family: 4, vip: VIP4, protocol: "tcp", port: 80, mode: "nat", ...nat });
  sw.setService(SVC_UDP_NAT, { family: 4, vip: VIP4, protocol: "udp", port: 53, mode: "nat", ...nat });
  sw.setService(SVC_TCP_DSR, { family: 4, vip: VIP4, protocol: "tcp", port: 443, mode: "dsr" });
  sw.setService(SVC_TCP6_DSR, { family: 6, vip: VIP6, protocol: "tcp", port: 80, mode: "dsr" });
  sw.setService(SVC_UDP6_DSR, { family: 6, vip: VIP6, protocol: "udp", port: 53, mode: "dsr" });
  for (let i = 0; i < n4; i++) sw.setBackend(i, { family: 4, addr: backendIp4(i), mac: backendMac(i), txPort: PORT_BACKENDS, port: BE_PORT });
  for (let i = 0; i < n6; i++) sw.setBackend(V6_BASE + i, { family: 6, addr: backendIp6(i), mac: backendMac(V6_BASE + i), txPort: PORT_BACKENDS });
  const share = (i: number): BackendShare => ({ index: i, name: `be${i}`, weight: 1 });
  const publish = (v4: number[], v6: number[], m = 251) => {
    const t4 = maglevTable(v4.map(share), m);
    const t6 = maglevTable(v6.map(share), m);
    lb.publish(new Map([[SVC_TCP_NAT, t4], [SVC_UDP_NAT, t4], [SVC_TCP_DSR, t4], [SVC_TCP6_DSR, t6], [SVC_UDP6_DSR, t6]]));
  };
  publish([...Array(n4).keys()], [...Array(n6).keys()].map((i) => V6_BASE + i));
  return { sw, lb, publish };
}
