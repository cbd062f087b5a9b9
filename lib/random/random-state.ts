import { ArgumentError, ShapeError } from '../errors';
import { describe, NDArray, sizeOf } from '../ndarray';
import type { FloatX } from '../config';
import type { TypedArray } from '../dtype';
import { logRounded } from './log';
import { MT19937, MT_N } from './mt19937';
import {
  checkSeed,
  finiteNumber,
  firstBadWord,
  floatDType,
  int32Bound,
  isTypedArray,
  MAX_ELEMENTS,
  Problems,
  randintDType,
  readShape,
  show,
  UINT32_MAX,
  variadicShape,
  type RandintDType,
} from './random-args';

export type { RandintDType } from './random-args';

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
  private readonly mt = new MT19937();
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
    for (let i = 0; i < out.length; i++) out[i] = this.mt.nextDouble();
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
    for (let i = 0; i < out.length; i++) out[i] = low + range * this.mt.nextDouble();
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
        do v = (this.mt.nextUint32() & mask) >>> 0;
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
    return { algorithm: 'MT19937', key: Array.from(this.mt.key), pos: this.mt.pos, hasGauss: this.hasGauss, gauss: this.gaussValue };
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
    if (badWord !== null) p.add('arg', `key must be ${MT_N} integers in [0, ${UINT32_MAX}], got ${badWord}`);
    if (typeof pos !== 'number' || !Number.isInteger(pos) || pos < 0 || pos > MT_N) {
      p.add('arg', `pos must be an integer in [0, ${MT_N}], got ${show(pos)}`);
    }
    if (hasGauss !== true && hasGauss !== false && hasGauss !== 0 && hasGauss !== 1) {
      p.add('arg', `hasGauss must be a boolean (or 0 or 1), got ${show(hasGauss)}`);
    }
    finiteNumber(gauss, 'gauss', p);
    p.throwIfAny();
    this.mt.key.set(key as ArrayLike<number>);
    this.mt.pos = pos as number;
    this.hasGauss = hasGauss === true || hasGauss === 1;
    this.gaussValue = gauss as number;
  }

  private init(seed: unknown, where: string): void {
    this.mt.seed(checkSeed(seed, where));
    this.hasGauss = false;
    this.gaussValue = 0;
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
      x1 = 2 * this.mt.nextDouble() - 1;
      x2 = 2 * this.mt.nextDouble() - 1;
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
    do v = (this.mt.nextUint32() & mask) >>> 0;
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
