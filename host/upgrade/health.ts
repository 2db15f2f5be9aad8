// Health checks on a new active (docs/upgrade.md "Health checks"), over a window after the
// switchover — what confirms its slot:
//   service  every host's packets reach the new active's OS: at least minPackets from each
//            host in the window (IPv4 datagrams its OS received, counted by the unit)
//   peers    the HA peer is reachable: HELLOs from it accepted by the new active's gasp
//            receiver in the window; and the service's neighbours answer: the new active sends
//            each host an ARP request (built by its core, through its driver, from its own
//            front address) and each must reply within the window
// Probes are the unit's own traffic: an image that sends them wrong (the "health" defect)
// fails the check while the service, reached through the VIPs' MAC, keeps flowing.

import type { ChassisUnit } from "../chassis/unit";
import { ethView } from "../wire/frame";
import { parseIPv4, parseMac, formatIPv4 } from "../util/addr";
import { ARP_OP_REPLY, ARP_OP_REQUEST, ETHERTYPE_ARP, ARP_OFF_OP, ARP_OFF_SPA } from "../../assembly/shared/wire";

export interface HealthPolicy {
  windowMs: number;
  service: boolean;
  minPackets: number;
  peers: boolean;
}

export const DEFAULT_HEALTH: HealthPolicy = { windowMs: 500, service: true, minPackets: 1, peers: true };

export interface HealthVerdict {
  ok: boolean;
  checks: { name: string; ok: boolean; detail: string }[];
}

export class HealthCheck {
  private readonly servicePerHost = new Map<string, number>();
  private readonly arpReplies = new Set<string>();
  private readonly hellosAtStart: number;

  constructor(
    readonly unit: ChassisUnit,
    readonly policy: HealthPolicy,
    /** The hosts: name and IPv4 address. */
    readonly hosts: { name: string; ip: string }[],
    /** Probes leave by this port (the front port; a defective image's own choice otherwise). */
    probePort: number,
  ) {
    this.hellosAtStart = unit.receiver.counters().accepted ?? 0;
    for (const h of hosts) this.servicePerHost.set(h.ip, 0);
    if (policy.peers) this.probe(probePort);
  }

  /** A service packet the unit's OS took (src: the host's address). */
  service(src: string): void {
    if (this.servicePerHost.has(src)) this.servicePerHost.set(src, this.servicePerHost.get(src)! + 1);
  }

  /** Any frame the unit's OS received: ARP replies from the hosts answer the probes. */
  frame(frame: Uint8Array): void {
    const eth = ethView(frame);
    if (!eth || eth.type !== ETHERTYPE_ARP || frame.length < eth.l3 + 28) return;
    if (((frame[eth.l3 + ARP_OFF_OP] << 8) | frame[eth.l3 + ARP_OFF_OP + 1]) !== ARP_OP_REPLY) return;
    this.arpReplies.add(formatIPv4(frame.subarray(eth.l3 + ARP_OFF_SPA, eth.l3 + ARP_OFF_SPA + 4)));
  }

  private probe(port: number): void {
    const u = this.unit;
    const front = u.board.ports[u.frontPorts[0]];
    const mac = parseMac(front.mac);
    const ownIp = parseIPv4(front.ipv4[0].split("/")[0]);
    u.os.run(() => {
      for (const h of this.hosts) {
        const f = u.codec.encodeArp(
          { dst: parseMac("ff:ff:ff:ff:ff:ff"), src: mac, ethertype: ETHERTYPE_ARP },
          { op: ARP_OP_REQUEST, sha: mac, spa: ownIp, tha: new Uint8Array(6), tpa: parseIPv4(h.ip) },
        );
        u.driver.send(port, f);
      }
    });
  }

  /** The verdict at the end of the window. */
  verdict(): HealthVerdict {
    const checks: HealthVerdict["checks"] = [];
    const p = this.policy;
    if (p.service) {
      const short = this.hosts.filter((h) => this.servicePerHost.get(h.ip)! < p.minPackets);
      const counts = this.hosts.map((h) => `${h.name} ${this.servicePerHost.get(h.ip)}`).join(", ");
      checks.push({ name: "service", ok: short.length === 0, detail: short.length ? `fewer than ${p.minPackets} packets from ${short.map((h) => h.name).join(", ")} (${counts})` : `packets from every host (${counts})` });
    }
    if (p.peers) {
      const hellos = (this.unit.receiver.counters().accepted ?? 0) - this.hellosAtStart;
      checks.push({ name: "peer", ok: hellos > 0, detail: hellos > 0 ? `${hellos} HELLOs from the peer` : "no HELLO from the peer" });
      const silent = this.hosts.filter((h) => !this.arpReplies.has(h.ip));
      checks.push({ name: "neighbours", ok: silent.length === 0, detail: silent.length ? `no ARP reply from ${silent.map((h) => `${h.name} (${h.ip})`).join(", ")}` : `every host answered (${this.hosts.length})` });
    }
    return { ok: checks.every((c) => c.ok), checks };
  }
}
