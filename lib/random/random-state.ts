import { ArgumentError, DTypeError, listProblems, ShapeError } from '../errors';
import { describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import type { FloatX } from '../config';
import type { TypedArray } from '../dtype';

/** The dtypes `randint` can produce (NumPy's bool path draws differently, so bool is not offered). */
export type RandintDType = 'int32' | FloatX;

/** A plain, JSON-friendly copy of a RandomState's internal state (see `getState`). */
export interface RandomStateSnapshot {
  algorithm: 'MT19937';
  /** The 624 words of the Mersenne Twister state, each an integer in [0, 2**32 - 1]. */
  key: number[];
  /** Index of the next word to use, in [0, 624]; 624 means the state is regenerated on the next draw. */
  pos: number;
  /** Whether a second normal value from the last polar-method pair is cached. */
  hasGauss: boolean;
  /** The cached normal value (0 when `hasGauss` is false). */
  gauss: number;
}

/**
 * The tuple NumPy's `RandomState.get_state()` returns, `('MT19937', key, pos, has_gauss, cached_gaussian)`,
 * as it arrives through JSON (the last two entries may be left out, as NumPy allows).
 */
export type NumPyLegacyState =
  | readonly ['MT19937', ArrayLike<number>, number]
  | readonly ['MT19937', ArrayLike<number>, number, number | boolean, number];

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const UINT32_MAX = 0xffffffff;
const INT32_MIN = -0x80000000;
const INT32_LIMIT = 0x80000000;
/** Typed arrays are indexed with int32 elsewhere in nodeano, so larger draws are refused up front. */
const MAX_ELEMENTS = 0x7fffffff;

/**
 * A Mersenne Twister random number generator that reproduces NumPy's legacy `numpy.random.RandomState` bit for bit:
 * the same seed and the same sequence of calls give the same numbers as NumPy (same MT19937 seeding, 53-bit doubles,
 * polar-method normals with the cached second value, masked rejection sampling for integers and shuffles).
 *
 * Arguments are validated together and every problem is listed in one error: a ShapeError when only shapes are bad,
 * a DTypeError when only the dtype is bad, an ArgumentError otherwise.
 * @example const rs = new RandomState(42); rs.rand(2, 3) // same values as np.random.RandomState(42).rand(2, 3)
 */
export class RandomState {
  private readonly key = new Uint32Array(N);
  private pos = N;
  private hasGauss = false;
  private gaussValue = 0;

  /**
   * Seeds the generator like `np.random.RandomState(seed)`; `seed` must be an integer in [0, 2**32 - 1].
   * @example const rs = new RandomState(0)
   */
  constructor(seed: number) {
    this.init(seed, 'RandomState');
  }

  /**
   * Reseeds in place, as if newly constructed with `seed` (also drops any cached normal value).
   * @example rs.seed(1234)
   */
  seed(seed: number): void {
    this.init(seed, 'RandomState.seed');
  }

  /**
   * Uniform float64 samples in [0, 1) of the given dimensions (NumPy's `rand`); a trailing dtype casts the result.
   * With no dimensions the result is a 0-d array (NumPy returns a scalar there).
   * @example rs.rand(2, 3) // shape [2, 3]; rs.rand(4, 'float32')
   */
  rand(...shape: number[]): NDArray;
  rand(...shapeThenDType: [...number[], FloatX]): NDArray;
  rand(...args: unknown[]): NDArray {
    const p = new Problems('RandomState.rand');
    const { shape, dtype } = variadicShape(args, 'rand', p);
    p.throwIfAny();
    const out = new Float64Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = this.nextDouble();
    return finish(out, shape, dtype);
  }

  /**
   * Standard normal float64 samples of the given dimensions (NumPy's `randn`); a trailing dtype casts the result.
   * With no dimensions the result is a 0-d array.
   * @example rs.randn(3, 2) // shape [3, 2]; rs.randn(5, 'float32')
   */
  randn(...shape: number[]): NDArray;
  randn(...shapeThenDType: [...number[], FloatX]): NDArray;
  randn(...args: unknown[]): NDArray {
    const p = new Problems('RandomState.randn');
    const { shape, dtype } = variadicShape(args, 'randn', p);
    p.throwIfAny();
    const out = new Float64Array(sizeOf(shape));
    for (let i = 0; i < out.length; i++) out[i] = this.gauss();
    return finish(out, shape, dtype);
  }

  /**
   * Samples `low + (high - low) * u` with u uniform in [0, 1), as NumPy's `uniform` (low > high is allowed and
   * gives values in (high, low]). `shape` is a number or an array; omitted gives a 0-d array.
   * @example rs.uniform(-1, 1, [2, 5]) // float64, shape [2, 5]; rs.uniform(0, 1, 3, 'float32')
   */
  uniform(low = 0, high = 1, shape?: number | readonly number[], dtype: FloatX = 'float64'): NDArray {
    const p = new Problems('RandomState.uniform');
    const lowOk = finiteNumber(low, 'low', p);
    const highOk = finiteNumber(high, 'high', p);
    const s = readShape(shape, p);
    const dt = floatDType(dtype, p);
    // NumPy refuses a span that overflows instead of returning infinities.
    if (lowOk && highOk && !Number.isFinite(high - low)) {
      p.add('arg', `high - low must be finite, got low ${low} and high ${high}`);
    }
    p.throwIfAny();
    const range = high - low;
    const out = new Float64Array(sizeOf(s));
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.nextDouble();
    return finish(out, s, dt);
  }

  /**
   * Normal samples `loc + scale * z` (NumPy's legacy `normal`); `scale` must be >= 0.
   * @example rs.normal(3, 2, 4) // float64, shape [4]; rs.normal(0, 0.01, [784, 10], 'float32')
   */
  normal(loc = 0, scale = 1, shape?: number | readonly number[], dtype: FloatX = 'float64'): NDArray {
    const p = new Problems('RandomState.normal');
    finiteNumber(loc, 'loc', p);
    if (finiteNumber(scale, 'scale', p) && scale < 0) p.add('arg', `scale must be >= 0, got number ${scale}`);
    const s = readShape(shape, p);
    const dt = floatDType(dtype, p);
    p.throwIfAny();
    const out = new Float64Array(sizeOf(s));
    for (let i = 0; i < out.length; i++) out[i] = loc + scale * this.gauss();
    return finish(out, s, dt);
  }

  /**
   * Integers uniform in [low, high), or in [0, low) when `high` is omitted (NumPy's legacy `randint`).
   * Bounds must be integers with low < high and every result in int32; the default dtype is int32.
   * @example rs.randint(0, 10, 6) // int32, shape [6]; rs.randint(7, undefined, [2, 2])
   */
  randint(low: number, high?: number, shape?: number | readonly number[], dtype: RandintDType = 'int32'): NDArray {
    const p = new Problems('RandomState.randint');
    const lowOk = int32Bound(low, 'low', p);
    const highOk = high === undefined || int32Bound(high, 'high', p);
    const s = readShape(shape, p);
    const dt = randintDType(dtype, p);
    let lo = low;
    let hi = high;
    if (hi === undefined) {
      lo = 0;
      hi = low;
      if (lowOk && hi <= 0) p.add('arg', `low must be > 0 when high is omitted (the range is [0, low)), got number ${low}`);
    } else if (lowOk && highOk && lo >= hi) {
      p.add('arg', `low must be less than high, got low ${lo} and high ${hi}`);
    }
    p.throwIfAny();
    const out = dt === 'int32' ? new Int32Array(sizeOf(s)) : new (dt === 'float32' ? Float32Array : Float64Array)(sizeOf(s));
    // NumPy draws on the closed interval [low, high - 1]; an empty span consumes no random numbers.
    const rng = hi - lo - 1;
    if (rng === 0) {
      out.fill(lo);
    } else {
      const mask = fillLowerBits(rng);
      for (let i = 0; i < out.length; i++) {
        let v: number;
        do v = (this.nextUint32() & mask) >>> 0;
        while (v > rng);
        out[i] = lo + v;
      }
    }
    return new NDArray(out, s);
  }

  /**
   * A random permutation: of `arange(n)` as int32 for a number, or a shuffled copy (along axis 0) of an NDArray.
   * @example rs.permutation(10) // int32, shape [10]; rs.permutation(X) // X's rows in random order
   */
  permutation(x: number | NDArray): NDArray {
    const where = 'RandomState.permutation';
    if (x instanceof NDArray) {
      if (x.ndim === 0) throw new ShapeError(`${where}: x must have at least 1 dimension, got ${describe(x)}`);
      const out = x.copy();
      this.shuffleRows(out.data, out.shape[0]);
      return out;
    }
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > MAX_ELEMENTS) {
      throw new ArgumentError(
        `${where}: x must be an integer in [0, ${MAX_ELEMENTS}] or an NDArray with at least 1 dimension, got ${show(x)}`,
      );
    }
    const out = new Int32Array(x);
    for (let i = 0; i < x; i++) out[i] = i;
    this.shuffleRows(out, x);
    return new NDArray(out, [x]);
  }

  /**
   * Shuffles in place along the first axis (rows of an NDArray, elements of a JS or typed array), as NumPy's `shuffle`.
   * @example const idx = [0, 1, 2, 3]; rs.shuffle(idx) // idx is now e.g. [2, 0, 3, 1]
   */
  shuffle(x: NDArray | unknown[] | TypedArray): void {
    const where = 'RandomState.shuffle';
    if (x instanceof NDArray) {
      if (x.ndim === 0) throw new ShapeError(`${where}: x must have at least 1 dimension, got ${describe(x)}`);
      this.shuffleRows(x.data, x.shape[0]);
      return;
    }
    if (Array.isArray(x) || isTypedArray(x)) {
      this.shuffleRows(x, x.length);
      return;
    }
    throw new ArgumentError(`${where}: x must be an NDArray, an array or a typed array, got ${show(x)}`);
  }

  /**
   * A copy of the full generator state, plain and JSON-friendly, for checkpoints.
   * @example const snap = rs.getState(); rs.rand(3); rs.setState(snap); rs.rand(3) // same values again
   */
  getState(): RandomStateSnapshot {
    return { algorithm: 'MT19937', key: Array.from(this.key), pos: this.pos, hasGauss: this.hasGauss, gauss: this.gaussValue };
  }

  /**
   * Restores a state from `getState()`, or from NumPy's `get_state()` tuple (e.g. passed through JSON), so a stream
   * can continue where NumPy left off.
   * @example rs.setState(JSON.parse(fs.readFileSync('rng.json', 'utf8')))
   */
  setState(state: RandomStateSnapshot | NumPyLegacyState): void {
    const p = new Problems('RandomState.setState');
    let key: unknown, pos: unknown, hasGauss: unknown, gauss: unknown;
    if (Array.isArray(state)) {
      if (state[0] !== 'MT19937') p.add('arg', `state[0] must be "MT19937", got ${show(state[0])}`);
      if (state.length !== 3 && state.length !== 5) {
        p.add('arg', `state must have 3 or 5 entries ['MT19937', key, pos, has_gauss, gauss], got ${state.length}`);
      }
      [, key, pos, hasGauss = 0, gauss = 0] = state as unknown[];
    } else if (state !== null && typeof state === 'object') {
      const st = state as unknown as Record<string, unknown>;
      if (st.algorithm !== undefined && st.algorithm !== 'MT19937') {
        p.add('arg', `algorithm must be "MT19937", got ${show(st.algorithm)}`);
      }
      ({ key, pos, hasGauss, gauss } = st);
    } else {
      throw new ArgumentError(
        `RandomState.setState: state must be a getState() object or a NumPy get_state() tuple, got ${show(state)}`,
      );
    }
    const badWord = firstBadWord(key);
    if (badWord !== null) p.add('arg', `key must be ${N} integers in [0, ${UINT32_MAX}], got ${badWord}`);
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0 || pos > N) {
      p.add('arg', `pos must be an integer in [0, ${N}], got ${show(pos)}`);
    }
    if (hasGauss !== true && hasGauss !== false && hasGauss !== 0 && hasGauss !== 1) {
      p.add('arg', `hasGauss must be a boolean (or 0 or 1), got ${show(hasGauss)}`);
    }
    finiteNumber(gauss, 'gauss', p);
    p.throwIfAny();
    this.key.set(key as ArrayLike<number>);
    this.pos = pos as number;
    this.hasGauss = hasGauss === true || hasGauss === 1;
    this.gaussValue = gauss as number;
  }

  private init(seed: unknown, where: string): void {
    if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > UINT32_MAX) {
      throw new ArgumentError(`${where}: seed must be an integer in [0, ${UINT32_MAX}], got ${show(seed)}`);
    }
    // Knuth's multiplier recurrence (init_genrand); Math.imul keeps the product in 32 bits exactly.
    let s = seed >>> 0;
    for (let i = 0; i < N; i++) {
      this.key[i] = s;
      s = (Math.imul(1812433253, (s ^ (s >>> 30)) >>> 0) + i + 1) >>> 0;
    }
    this.pos = N;
    this.hasGauss = false;
    this.gaussValue = 0;
  }

  private twist(): void {
    const k = this.key;
    for (let i = 0; i < N; i++) {
      const y = (k[i] & UPPER_MASK) | (k[(i + 1) % N] & LOWER_MASK);
      k[i] = k[(i + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    this.pos = 0;
  }

  private nextUint32(): number {
    if (this.pos === N) this.twist();
    let y = this.key[this.pos++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** 53 random bits from two words, exactly as NumPy's random_sample. */
  private nextDouble(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** NumPy's legacy_gauss: Marsaglia's polar method, keeping the second value of each pair for the next call. */
  private gauss(): number {
    if (this.hasGauss) {
      const g = this.gaussValue;
      this.hasGauss = false;
      this.gaussValue = 0;
      return g;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.nextDouble() - 1;
      x2 = 2 * this.nextDouble() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * logRounded(r2)) / r2);
    this.gaussValue = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** NumPy's legacy shuffle: Fisher-Yates from the end, j drawn by masked rejection (random_interval). */
  private shuffleRows(data: TypedArray | unknown[], n: number): void {
    // Rows of length 0 still consume draws, as in NumPy.
    const row = n === 0 ? 0 : data.length / n;
    const tmp = row > 1 && !Array.isArray(data) ? new (data.constructor as new (n: number) => TypedArray)(row) : null;
    for (let i = n - 1; i > 0; i--) {
      const j = this.interval(i);
      if (i === j) continue;
      if (row === 1) {
        const t = data[i];
        data[i] = data[j];
        data[j] = t;
      } else if (tmp) {
        const d = data as TypedArray;
        tmp.set(d.subarray(i * row, (i + 1) * row));
        d.copyWithin(i * row, j * row, (j + 1) * row);
        d.set(tmp, j * row);
      }
    }
  }

  /** A uniform integer in [0, max] (NumPy's random_interval for 32-bit ranges). */
  private interval(max: number): number {
    const mask = fillLowerBits(max);
    let v: number;
    do v = (this.nextUint32() & mask) >>> 0;
    while (v > max);
    return v;
  }
}

/** The smallest 2**k - 1 that is >= x, for x in [0, 2**32 - 1]. */
function fillLowerBits(x: number): number {
  let m = x >>> 0;
  m |= m >>> 1;
  m |= m >>> 2;
  m |= m >>> 4;
  m |= m >>> 8;
  m |= m >>> 16;
  return m >>> 0;
}

function finish(data: Float64Array, shape: number[], dtype: FloatX): NDArray {
  return new NDArray(dtype === 'float32' ? Float32Array.from(data) : data, shape);
}

function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** `describe` with the kind of value spelled out for strings and odd values, for argument errors. */
function show(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'function';
  if (typeof v === 'symbol') return 'symbol';
  if (typeof v === 'bigint') return `bigint ${v}n`;
  return describe(v);
}

type ProblemKind = 'arg' | 'shape' | 'dtype';

/** Collects every bad argument of one call so the error names them all at once. */
class Problems {
  private readonly items: { kind: ProblemKind; text: string }[] = [];
  constructor(private readonly where: string) {}
  add(kind: ProblemKind, text: string): void {
    this.items.push({ kind, text });
  }
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const msg = listProblems(this.where, this.items.map((p) => p.text));
    const kinds = new Set(this.items.map((p) => p.kind));
    if (kinds.size === 1 && kinds.has('shape')) throw new ShapeError(msg);
    if (kinds.size === 1 && kinds.has('dtype')) throw new DTypeError(msg);
    throw new ArgumentError(msg);
  }
}

function finiteNumber(v: unknown, name: string, p: Problems): v is number {
  if (typeof v === 'number' && Number.isFinite(v)) return true;
  p.add('arg', `${name} must be a finite number, got ${show(v)}`);
  return false;
}

function int32Bound(v: unknown, name: string, p: Problems): v is number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_LIMIT) return true;
  p.add('arg', `${name} must be an integer in [${INT32_MIN}, ${INT32_LIMIT}] (results must fit int32), got ${show(v)}`);
  return false;
}

function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d >= 0;
}

function checkSize(shape: number[], p: Problems): void {
  if (sizeOf(shape) > MAX_ELEMENTS) {
    p.add('shape', `shape ${shapeStr(shape)} must have at most ${MAX_ELEMENTS} elements, got ${sizeOf(shape)}`);
  }
}

/** A `shape` argument: undefined (0-d), a length, or an array of dimensions. */
function readShape(shape: unknown, p: Problems): number[] {
  if (shape === undefined) return [];
  if (isDim(shape)) return [shape];
  if (!Array.isArray(shape)) {
    p.add('shape', `shape must be a non-negative integer or an array of them, got ${show(shape)}`);
    return [];
  }
  let ok = true;
  shape.forEach((d, i) => {
    if (!isDim(d)) {
      p.add('shape', `shape[${i}] must be a non-negative integer, got ${show(d)}`);
      ok = false;
    }
  });
  if (!ok) return [];
  checkSize(shape, p);
  return shape.slice();
}

/** Splits `rand(2, 3, 'float32')`-style arguments into dimensions and an optional trailing dtype. */
function variadicShape(args: unknown[], method: string, p: Problems): { shape: number[]; dtype: FloatX } {
  let dims = args;
  let dtype: FloatX = 'float64';
  if (args.length > 0 && typeof args[args.length - 1] === 'string') {
    dims = args.slice(0, -1);
    dtype = floatDType(args[args.length - 1], p);
  }
  let ok = true;
  dims.forEach((d, i) => {
    if (!isDim(d)) {
      const hint = Array.isArray(d) ? ` (pass dimensions as separate arguments, e.g. ${method}(2, 3))` : '';
      p.add('shape', `dimension ${i} must be a non-negative integer, got ${show(d)}${hint}`);
      ok = false;
    }
  });
  const shape = ok ? (dims as number[]) : [];
  checkSize(shape, p);
  return { shape, dtype };
}

function floatDType(dtype: unknown, p: Problems): FloatX {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  p.add('dtype', `dtype must be "float32" or "float64", got ${show(dtype)}`);
  return 'float64';
}

function randintDType(dtype: unknown, p: Problems): RandintDType {
  if (dtype === 'int32' || dtype === 'float32' || dtype === 'float64') return dtype;
  p.add('dtype', `dtype must be "int32", "float32" or "float64", got ${show(dtype)}`);
  return 'int32';
}

/** The first reason `key` is not 624 uint32 words, or null when it is. */
function firstBadWord(key: unknown): string | null {
  if (!Array.isArray(key) && !isTypedArray(key)) return show(key);
  const k = key as ArrayLike<unknown>;
  if (k.length !== N) return `${show(key)} of length ${k.length}`;
  for (let i = 0; i < N; i++) {
    const w = k[i];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > UINT32_MAX) return `key[${i}] = ${show(w)}`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Natural log, correctly rounded.
//
// NumPy's normals call the C library's log. V8's Math.log (an fdlibm port) differs from glibc's in the last bit for
// about 6% of inputs, which would make randn/normal disagree with NumPy. glibc's log is almost always correctly
// rounded (it was off for about 1 input in 1500 in our tests), so we compute log(x) to about 2**-90 relative error in
// double-double arithmetic and round once: that reproduces glibc everywhere except where glibc itself misrounds.
// ---------------------------------------------------------------------------------------------------------------

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

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const HI_WORD = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

/** The natural log of x, correctly rounded to nearest (barring a double-double error of about 2**-90). */
function logRounded(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  if (logcHi === null) buildLogTables();
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2**54 brings subnormals into the normal range
    e = -54;
  }
  F64[0] = x;
  const hw = U32[HI_WORD];
  e += (hw >>> 20) - 1023;
  U32[HI_WORD] = (hw & 0x000fffff) | 0x3ff00000;
  let m = F64[0];
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
