/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC 2011): a counter-based generator,
 * so element i of a draw is a pure function of (key, counter, i) and the TypeScript and native kernels
 * (native/kernels/random.cc) produce the same streams bit for bit. Everything here is integer arithmetic or
 * IEEE double operations without fused multiply-adds (identical in V8 and C++), including our own log and sin/cos.
 */
import { split, splitDouble } from './log';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32. */
function mulhi(a: number, b: number): number {
  const ah = a >>> 16;
  const al = a & 0xffff;
  const bh = b >>> 16;
  const bl = b & 0xffff;
  const mid = ah * bl + al * bh + ((al * bl) >>> 16);
  return (ah * bh + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox4x32-10 block for key (k0, k1) and counter (c0..c3), written as uint32 into out[0..3]. */
export function philoxBlock(k0: number, k1: number, c0: number, c1: number, c2: number, c3: number, out: Uint32Array): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/**
 * The word stream of one draw: state = [key0, key1, counterLo, counterHi] (int32 bits); block b of the draw is
 * philox(key, [b mod 2^32, floor(b / 2^32), counterLo, counterHi]) and word w is lane w mod 4 of block floor(w / 4).
 */
export class WordStream {
  private readonly k0: number;
  private readonly k1: number;
  private readonly c2: number;
  private readonly c3: number;
  private readonly buf = new Uint32Array(4);
  private block = -1;
  constructor(state: ArrayLike<number>) {
    this.k0 = state[0] >>> 0;
    this.k1 = state[1] >>> 0;
    this.c2 = state[2] >>> 0;
    this.c3 = state[3] >>> 0;
  }
  /** Word w (w < 2^53) of the stream as a uint32. */
  word(w: number): number {
    const b = Math.floor(w / 4);
    if (b !== this.block) {
      philoxBlock(this.k0, this.k1, b >>> 0, Math.floor(b / 4294967296) >>> 0, this.c2, this.c3, this.buf);
      this.block = b;
    }
    return this.buf[w - b * 4];
  }
}

/** The state after one draw: the 64-bit counter (words 2, 3) plus one; the key is kept. */
export function nextState(state: ArrayLike<number>, out: { [i: number]: number }): void {
  const lo = ((state[2] >>> 0) + 1) >>> 0;
  out[0] = state[0];
  out[1] = state[1];
  out[2] = lo | 0;
  out[3] = lo === 0 ? ((state[3] + 1) | 0) : state[3];
}

const TWO_M24 = 1 / 16777216;
const TWO_M32 = 1 / 4294967296;
const TWO_M53 = 1 / 9007199254740992;

/** A float32-grade uniform in [0, 1): the top 24 bits of a word. */
export function u24(w: number): number {
  return (w >>> 8) * TWO_M24;
}
/** A uniform in [0, 1) from a word, for Bernoulli comparisons (u < p). */
export function u32(w: number): number {
  return w * TWO_M32;
}
/** A double uniform in [0, 1) with 53 random bits from two words. */
export function u53(a: number, b: number): number {
  return ((a >>> 5) * 67108864 + (b >>> 6)) * TWO_M53;
}

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;

/**
 * Natural log of a positive normal double, from arithmetic alone: x = m 2^e with m in [sqrt(1/2), sqrt(2)),
 * log m = 2 atanh(s), s = (m - 1) / (m + 1), summed as a series (|s| <= 0.172, error below 1 ulp-ish). Not
 * correctly rounded (that is `logRounded` in log.ts, for RandomState): this one is what native/kernels/random.cc
 * computes too, operation for operation, so both backends draw the same normals.
 */
export function plog(x: number): number {
  splitDouble(x);
  let e = split.e;
  let m = split.m;
  if (m >= 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  // 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), Horner from the highest term
  let p = 1 / 23;
  for (let k = 21; k >= 1; k -= 2) p = p * z + 1 / k;
  return e * LN2_HI + (2 * s * p + e * LN2_LO);
}

const HALF_PI = 1.5707963267948966;
/** sin and cos of 2 pi u for u in [0, 1): quarter turn from the exact 4u, then Taylor series on [-pi/4, pi/4]. */
export function sincos2pi(u: number, out: Float64Array): void {
  const t = u * 4; // exact
  let q = Math.floor(t + 0.5);
  const r = (t - q) * HALF_PI; // r in [-pi/4, pi/4]
  const z = r * r;
  let s = -1 / 1307674368000; // -1/15!
  let c = 1 / 87178291200; // 1/14!
  s = s * z + 1 / 6227020800;
  s = s * z - 1 / 39916800;
  s = s * z + 1 / 362880;
  s = s * z - 1 / 5040;
  s = s * z + 1 / 120;
  s = s * z - 1 / 6;
  s = r + r * z * s;
  c = c * z - 1 / 479001600;
  c = c * z + 1 / 3628800;
  c = c * z - 1 / 40320;
  c = c * z + 1 / 720;
  c = c * z - 1 / 24;
  c = c * z + 1 / 2;
  c = 1 - z * c;
  q = q & 3;
  out[0] = q === 0 ? s : q === 1 ? c : q === 2 ? -s : -c;
  out[1] = q === 0 ? c : q === 1 ? -s : q === 2 ? -c : s;
}
