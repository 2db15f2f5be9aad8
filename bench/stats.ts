// Order statistics for the benchmarks: medians and percentiles, never means (the machine is
// shared and noisy; a mean follows the worst outlier).

/** The median: the middle value, or the mean of the two middle values for an even count. */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** The q-quantile (0 <= q <= 1) by the nearest-rank method on the sorted values. */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}
