// A slow, plain BigInt model of edwards25519 (RFC 8032 §5.1) for building the inputs a
// strict verifier must refuse — points of small order, mixed-order keys, non-canonical
// encodings, forged signatures under small-order keys — which no signer produces. Written
// from the RFC's formulas, independent of the core; used only by tests.

import * as crypto from "crypto";

export const P = (1n << 255n) - 19n;
export const L = (1n << 252n) + 27742317777372353535851937790883648493n;
const mod = (a: bigint, m = P) => ((a % m) + m) % m;

function pow(b: bigint, e: bigint, m = P): bigint {
  let r = 1n;
  b = mod(b, m);
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}
const inv = (a: bigint) => pow(a, P - 2n);
export const D = mod(-121665n * inv(121666n));
const SQRTM1 = pow(2n, (P - 1n) / 4n);

/** Extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z. */
export type Point = [bigint, bigint, bigint, bigint];
export const IDENTITY: Point = [0n, 1n, 1n, 0n];

export function add(p: Point, q: Point): Point {
  // RFC 8032 §5.1.4
  const A = mod((p[1] - p[0]) * (q[1] - q[0]));
  const B = mod((p[1] + p[0]) * (q[1] + q[0]));
  const C = mod(2n * p[3] * q[3] * D);
  const Dd = mod(2n * p[2] * q[2]);
  const E = B - A, F = Dd - C, G = Dd + C, H = B + A;
  return [mod(E * F), mod(G * H), mod(F * G), mod(E * H)];
}

export function mul(k: bigint, p: Point): Point {
  let r = IDENTITY;
  let q = p;
  while (k > 0n) {
    if (k & 1n) r = add(r, q);
    q = add(q, q);
    k >>= 1n;
  }
  return r;
}

export function neg(p: Point): Point {
  return [mod(-p[0]), p[1], p[2], mod(-p[3])];
}

export function equal(p: Point, q: Point): boolean {
  return mod(p[0] * q[2] - q[0] * p[2]) === 0n && mod(p[1] * q[2] - q[1] * p[2]) === 0n;
}

/** x for y with the given sign, or undefined (RFC 8032 §5.1.3 without the range check). */
export function recoverX(y: bigint, sign: number): bigint | undefined {
  const u = mod(y * y - 1n);
  const v = mod(D * y * y + 1n);
  let x = mod(u * pow(v, 3n) * pow(u * pow(v, 7n), (P - 5n) / 8n));
  if (mod(v * x * x - u) !== 0n) {
    if (mod(v * x * x + u) !== 0n) return undefined;
    x = mod(x * SQRTM1);
  }
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return x;
}

export function pointFromY(y: bigint, sign = 0): Point | undefined {
  const x = recoverX(mod(y), sign);
  if (x === undefined) return undefined;
  const yy = mod(y);
  return [x, yy, 1n, mod(x * yy)];
}

/** Canonical encoding. */
export function encode(p: Point): Uint8Array {
  const zi = inv(p[2]);
  const x = mod(p[0] * zi), y = mod(p[1] * zi);
  return le(y | ((x & 1n) << 255n), 32);
}

/** The encoding of y (possibly >= p, i.e. non-canonical) with a sign bit. */
export function encodeRaw(y: bigint, sign: number): Uint8Array {
  return le(y | (BigInt(sign) << 255n), 32);
}

export function le(v: bigint, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

export function fromLe(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  return v;
}

const By = mod(4n * inv(5n));
export const B: Point = pointFromY(By, 0)!;

/** The eight points of order dividing 8 (the torsion subgroup), from a point of order 8. */
export function torsion(): Point[] {
  // [L] of any curve point lies in the torsion subgroup; search from small y for one of order 8.
  for (let y = 2n; ; y++) {
    const p = pointFromY(y, 0);
    if (!p) continue;
    const t = mul(L, p);
    if (!equal(mul(4n, t), IDENTITY)) {
      const out: Point[] = [];
      let q = IDENTITY;
      for (let i = 0; i < 8; i++) {
        out.push(q);
        q = add(q, t);
      }
      return out;
    }
  }
}

const sha512 = (...parts: Uint8Array[]) => {
  const h = crypto.createHash("sha512");
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
};

/** k = SHA-512(R || A || M) mod L. */
export function challenge(R: Uint8Array, A: Uint8Array, M: Uint8Array): bigint {
  return mod(fromLe(sha512(R, A, M)), L);
}

/** The secret scalar a and prefix of a 32-byte seed (RFC 8032 §5.1.5). */
export function expandSeed(seed: Uint8Array): { a: bigint; prefix: Uint8Array; A: Uint8Array } {
  const h = sha512(seed);
  const s = h.slice(0, 32);
  s[0] &= 248;
  s[31] &= 127;
  s[31] |= 64;
  const a = fromLe(s);
  return { a, prefix: h.slice(32), A: encode(mul(a, B)) };
}

/** A signature with a chosen nonce r (RFC 8032 §5.1.6 with r given): R = [r]B, S = r + k a. */
export function signWithNonce(a: bigint, A: Uint8Array, M: Uint8Array, r: bigint): Uint8Array {
  const R = encode(mul(mod(r, L), B));
  const S = mod(r + challenge(R, A, M) * a, L);
  const sig = new Uint8Array(64);
  sig.set(R, 0);
  sig.set(le(S, 32), 32);
  return sig;
}
