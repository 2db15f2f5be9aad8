// Load distribution, computed by the control processor (this host) and handed to the
// switching path as a table of back-end indices per service (lbtables.ts writes it into the
// inactive A/B table). The switching path maps a new connection's 5-tuple hash to a slot;
// the share of slots a back end owns is its share of new connections.
//
//   wrr        weighted round robin: slots in proportion to configured weights, interleaved
//              by the smooth WRR sequence (nginx), so neighbouring slots differ.
//   maglev     Maglev consistent hashing (Eisenbud et al., NSDI 2016, §3.4): each back end
//              fills slots in the order of its own permutation of the table; removing one of
//              N back ends moves about 1/N of the slots. Weighted by turns (below).
//   least-load weights from back-end load reports (headroom = 1 - utilisation), laid out by
//              Maglev so that a new report moves few slots.
//
// The table size must be prime for Maglev (65537 in production; smaller in tests) so that
// every skip is coprime with it and each permutation visits every slot.

export interface BackendShare {
  /** Index in the core's back-end table. */
  index: number;
  /** Stable identity (e.g. "198.51.100.10:8080"): Maglev permutations derive from it. */
  name: string;
  /** Relative weight, >= 0. */
  weight: number;
}

export interface LoadReport {
  index: number;
  name: string;
  /** Utilisation reported by the back end's load agent, 0 (idle) .. 1 (saturated). */
  load: number;
  /** Configured capacity weight (default 1). */
  weight?: number;
}

export type Strategy = "wrr" | "maglev" | "least-load";

export const MAGLEV_DEFAULT_SIZE = 65537;

export function isPrime(n: number): boolean {
  if (n < 2 || !Number.isInteger(n)) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function checkShares(backends: BackendShare[], size: number): BackendShare[] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`table size ${size}`);
  const live = backends.filter((b) => b.weight > 0);
  if (live.length === 0) throw new RangeError("no back end with a positive weight");
  for (const b of backends) {
    if (!(b.weight >= 0) || !Number.isFinite(b.weight)) throw new RangeError(`back end ${b.name}: weight ${b.weight}`);
    if (!Number.isInteger(b.index) || b.index < 0 || b.index > 0xffff) throw new RangeError(`back end ${b.name}: index ${b.index}`);
  }
  return live;
}

/** Smooth weighted round robin over `size` slots (each step: add weights, take the max). */
export function wrrTable(backends: BackendShare[], size: number): Uint16Array {
  const live = checkShares(backends, size);
  const total = live.reduce((s, b) => s + b.weight, 0);
  const current = new Float64Array(live.length);
  const table = new Uint16Array(size);
  for (let k = 0; k < size; k++) {
    let best = 0;
    for (let i = 0; i < live.length; i++) {
      current[i] += live[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    table[k] = live[best].index;
  }
  return table;
}

/** FNV-1a over the UTF-16 code units of s, from a given offset basis. */
function fnv1a(s: string, basis: number): number {
  let h = basis >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i) & 0xff;
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= s.charCodeAt(i) >>> 8;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // murmur3 finaliser: FNV's low bits are weak for short, similar names
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * Maglev's population (the paper's Pseudocode 1): back end i's preference list is
 * permutation[i][j] = (offset_i + j * skip_i) mod M with offset_i = h1(name) mod M and
 * skip_i = h2(name) mod (M - 1) + 1; in turn, each back end takes the next slot of its list
 * that is still free, until all M are taken.
 *
 * Weights (an extension the paper leaves open): a back end's turn comes in proportion to its
 * weight relative to the heaviest (a credit of weight/maxWeight per round), so slot counts
 * follow the weights while each back end still fills along its own permutation.
 */
export function maglevTable(backends: BackendShare[], size: number = MAGLEV_DEFAULT_SIZE): Uint16Array {
  if (!isPrime(size)) throw new RangeError(`Maglev table size ${size} is not prime`);
  const live = checkShares(backends, size);
  const names = new Set(live.map((b) => b.name));
  if (names.size !== live.length) throw new RangeError("back-end names must be distinct");
  const n = live.length;
  const offset = live.map((b) => fnv1a(b.name, 0x811c9dc5) % size);
  const skip = live.map((b) => (fnv1a(b.name, 0x050c5d1f) % (size - 1)) + 1);
  const maxWeight = Math.max(...live.map((b) => b.weight));
  const credit = new Float64Array(n);
  const next = new Float64Array(n);
  const owner = new Int32Array(size).fill(-1);
  const table = new Uint16Array(size);
  let filled = 0;
  while (filled < size) {
    for (let i = 0; i < n && filled < size; i++) {
      credit[i] += live[i].weight / maxWeight;
      if (credit[i] < 1) continue;
      credit[i] -= 1;
      let c = (offset[i] + next[i] * skip[i]) % size;
      while (owner[c] >= 0) {
        next[i]++;
        c = (offset[i] + next[i] * skip[i]) % size;
      }
      owner[c] = i;
      table[c] = live[i].index;
      next[i]++;
      filled++;
    }
  }
  return table;
}

/**
 * Least-load: each back end's weight is its configured weight times its headroom
 * (1 - reported utilisation, clamped to [0, 1]); saturated back ends get no new
 * connections. If every back end is saturated, the configured weights apply (a table must
 * never be empty while back ends are up).
 */
export function leastLoadShares(reports: LoadReport[]): BackendShare[] {
  const shares = reports.map((r) => ({
    index: r.index,
    name: r.name,
    weight: (r.weight ?? 1) * Math.min(1, Math.max(0, 1 - r.load)),
  }));
  if (shares.every((s) => s.weight === 0)) return reports.map((r) => ({ index: r.index, name: r.name, weight: r.weight ?? 1 }));
  return shares;
}

export function leastLoadTable(reports: LoadReport[], size: number = MAGLEV_DEFAULT_SIZE): Uint16Array {
  return maglevTable(leastLoadShares(reports), size);
}

/** Slots per back-end index in a table. */
export function slotCounts(table: ArrayLike<number>): Map<number, number> {
  const m = new Map<number, number>();
  for (let i = 0; i < table.length; i++) m.set(table[i], (m.get(table[i]) ?? 0) + 1);
  return m;
}
