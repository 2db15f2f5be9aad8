// Exact loss accounting for a run (docs/upgrade.md "Packets lost"): every packet a host's
// application offers is booked with its sequence number (the first four bytes of the
// datagram) and the time it was offered; a packet counts as delivered when the OS of a unit
// that forwards the VIP received it (IPv6: when the host sent it to a MAC that serves the VIP —
// IPv6 packets are decided, not built, docs/failover.md). Lost = offered, never delivered. So
// "packets lost so far" at a step is the number of lost packets offered before it, not a
// difference of counters that in-flight packets would blur.

export interface LostPacket {
  host: string;
  seq: number;
  vip: string;
  offeredNs: number;
}

export class Ledger {
  private readonly offered = new Map<string, { seq: number; vip: string; tNs: number }[]>();
  private readonly delivered = new Map<string, Set<number>>();
  private lostCache: LostPacket[] | null = null;

  offer(host: string, seq: number, vip: string, tNs: number): void {
    let l = this.offered.get(host);
    if (!l) this.offered.set(host, (l = []));
    l.push({ seq, vip, tNs });
    this.lostCache = null;
  }

  deliver(host: string, seq: number): void {
    let s = this.delivered.get(host);
    if (!s) this.delivered.set(host, (s = new Set()));
    s.add(seq);
    this.lostCache = null;
  }

  get offeredCount(): number {
    let n = 0;
    for (const l of this.offered.values()) n += l.length;
    return n;
  }

  /** Every packet offered and never delivered, in the order offered. */
  lost(): LostPacket[] {
    if (this.lostCache) return this.lostCache;
    const out: LostPacket[] = [];
    for (const [host, l] of this.offered) {
      const d = this.delivered.get(host) ?? new Set<number>();
      for (const p of l) if (!d.has(p.seq)) out.push({ host, seq: p.seq, vip: p.vip, offeredNs: p.tNs });
    }
    out.sort((a, b) => a.offeredNs - b.offeredNs);
    return (this.lostCache = out);
  }

  /** Lost packets offered before t (inclusive from `from`). */
  lostBetween(fromNs: number, toNs: number): number {
    return this.lost().filter((p) => p.offeredNs >= fromNs && p.offeredNs < toNs).length;
  }

  lostBefore(tNs: number): number {
    return this.lostBetween(-Infinity, tNs);
  }
}
