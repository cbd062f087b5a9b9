/**
 * Natural logs built from IEEE double arithmetic alone, so they give the same bits on every platform.
 *
 * `logRounded` is the correctly rounded log that RandomState's normals need: NumPy calls the C library's log, and
 * V8's Math.log (an fdlibm port) differs from glibc's in the last bit for about 6% of inputs, which would make
 * randn/normal disagree with NumPy. glibc's log is almost always correctly rounded (it was off for about 1 input in
 * 1500 in our tests), so we compute log(x) to about 2**-90 relative error in double-double arithmetic and round once:
 * that reproduces glibc everywhere except where glibc itself misrounds.
 *
 * `splitDouble` is the exponent / mantissa split that both it and Philox's series log (`plog` in philox.ts, mirrored
 * by native/kernels/random.cc) start from.
 */

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0; // index of the high word (little endian: 1)

/** The result of `splitDouble`: x = m * 2**e with m in [1, 2). A shared scratch, to keep hot paths allocation-free. */
export const split = { m: 0, e: 0 };

/**
 * Splits a positive normal double x into `split.m` in [1, 2) and `split.e` with x = m * 2**e, exactly.
 * @example splitDouble(12); split.m // 1.5; split.e // 3
 */
export function splitDouble(x: number): void {
  F64[0] = x;
  const hw = U32[HI_WORD];
  split.e = ((hw >>> 20) & 0x7ff) - 1023;
  U32[HI_WORD] = (hw & 0x000fffff) | 0x3ff00000;
  split.m = F64[0];
}

// Scratch outputs of twoSum/twoProd, to keep the hot path free of allocations.
let RH = 0;
let RL = 0;

/** RH + RL = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  RH = s;
  RL = a - (s - bb) + (b - bb);
}

/** RH + RL = a * b exactly (Dekker's product; JS has no fused multiply-add). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = 134217729 * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = 134217729 * b;
  const bh = t - (t - b);
  const bl = b - bh;
  RH = p;
  RL = ah * bh - p + ah * bl + al * bh + al * bl;
}

type DD = readonly [number, number];

function ddAdd(a: DD, b: DD): DD {
  twoSum(a[0], b[0]);
  const s = RH;
  let e = RL;
  twoSum(a[1], b[1]);
  e += RH;
  let h = s + e;
  e = e - (h - s);
  e += RL;
  const h2 = h + e;
  e = e - (h2 - h);
  h = h2;
  return [h, e];
}

function ddMul(a: DD, b: DD): DD {
  twoProd(a[0], b[0]);
  const p = RH;
  const e = RL + (a[0] * b[1] + a[1] * b[0]);
  const h = p + e;
  return [h, e - (h - p)];
}

function ddDiv(a: DD, b: DD): DD {
  const q1 = a[0] / b[0];
  let r = ddAdd(a, ddMul([-q1, 0], b));
  const q2 = r[0] / b[0];
  r = ddAdd(r, ddMul([-q2, 0], b));
  const q3 = r[0] / b[0];
  const h = q1 + q2;
  return ddAdd([h, q2 - (h - q1)], [q3, 0]);
}

/** log(x) = 2 atanh((x - 1) / (x + 1)) by its full series in double-double; slow, only used to build the tables. */
function ddLogSeries(x: number): DD {
  const s = ddDiv(ddAdd([x, 0], [-1, 0]), ddAdd([x, 0], [1, 0]));
  const u = ddMul(s, s);
  let sum: DD = [0, 0];
  for (let k = 40; k >= 0; k--) sum = ddAdd(ddMul(sum, u), ddDiv([1, 0], [2 * k + 1, 0]));
  return ddMul(ddMul(sum, s), [2, 0]);
}

// Table of log(c) for c = 1 + k/128 covering mantissas in [sqrt(1/2), sqrt(2)], built on first use.
const K_MIN = -38;
const K_MAX = 53;
let logcHi: Float64Array | null = null;
let logcLo: Float64Array | null = null;
let ln2Hi = 0;
let ln2Lo = 0;

function buildLogTables(): void {
  const hi = new Float64Array(K_MAX - K_MIN + 1);
  const lo = new Float64Array(K_MAX - K_MIN + 1);
  for (let k = K_MIN; k <= K_MAX; k++) {
    const v = k === 0 ? ([0, 0] as const) : ddLogSeries(1 + k / 128);
    hi[k - K_MIN] = v[0];
    lo[k - K_MIN] = v[1];
  }
  const ln2 = ddLogSeries(2);
  ln2Hi = ln2[0];
  ln2Lo = ln2[1];
  logcHi = hi;
  logcLo = lo;
}

/**
 * The natural log of x, correctly rounded to nearest (barring a double-double error of about 2**-90); x <= 0, NaN
 * and +Infinity give Math.log's answers.
 * @example logRounded(2) // 0.6931471805599453
 */
export function logRounded(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  if (logcHi === null) buildLogTables();
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2**54 brings subnormals into the normal range
    e = -54;
  }
  splitDouble(x);
  e += split.e;
  let m = split.m;
  // Centring the mantissa on 1 keeps e = 0 and c = 1 near x = 1, so tiny logs keep full relative precision.
  if (m > Math.SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const k = Math.round((m - 1) * 128);
  const c = 1 + k / 128;
  // log(m) = log(c) + 2 atanh(s) with s = (m - c) / (m + c), |s| < 2**-8.
  const num = m - c; // exact: m and c are within a factor of 2
  const dh = m + c;
  const bb = dh - m;
  const dl = m - (dh - bb) + (c - bb);
  const sh = num / dh;
  twoProd(sh, dh);
  const sl = (num - RH - RL - sh * dl) / dh;
  twoProd(sh, sh);
  const uh = RH;
  const ul = RL + 2 * sh * sl;
  twoProd(sh, uh);
  const s3h = RH;
  const s3l = RL + sh * ul + sl * uh;
  // 2 s^3 / 3 as a double-double: it is 2**-18 of the result, so it needs more than 53 bits.
  const t3h = (2 * s3h) / 3;
  twoProd(t3h, 3);
  const t3l = (2 * s3h - RH - RL + 2 * s3l) / 3;
  const u = uh;
  const tail = 2 * sh * u * u * (1 / 5 + u * (1 / 7 + u * (1 / 9 + u / 11)));
  // Sum from the largest term down, carrying the low parts separately.
  twoProd(e, ln2Hi);
  let ah = RH;
  let al = RL + e * ln2Lo;
  const ci = k - K_MIN;
  twoSum(ah, logcHi![ci]);
  ah = RH;
  al += RL + logcLo![ci];
  twoSum(ah, 2 * sh);
  ah = RH;
  al += RL + 2 * sl;
  twoSum(ah, t3h);
  ah = RH;
  al += RL + t3l + tail;
  return ah + al;
}
