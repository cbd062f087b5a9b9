import { ArgumentError, DTypeError } from '../errors';
import { DType, isFloat } from '../dtype';
import { config } from '../config';
import { describe, NDArray, showValue } from '../ndarray';
import { shared } from '../graph/tensor';
import { SharedVariable, Variable } from '../graph/variable';
import { Distribution, RandomOp } from './random';
import { setDefaultUpdate } from '../graph/default-update';
import { add } from './add';
import { cast } from './cast';
import { lt } from './compare';
import { mul } from './mul';

/**
 * Symbolic random numbers, Theano's `RandomStreams`. Each draw (`uniform`, `normal`, `binomial`) is a Variable
 * backed by its own generator state, an int32 shared variable [key0, key1, counterLo, counterHi] of a Philox4x32-10
 * stream; every compiled function that computes the draw advances that state as a default update (unless the
 * function is given its own update for it or `noDefaultUpdates`), so each call sees new numbers. Both backends
 * produce the same numbers bit for bit. `size` is a shape (number[]) or a Variable whose run-time shape the draw
 * takes, so a dropout mask follows the batch size.
 * @example const srng = new T.random.RandomStreams(42); const mask = srng.binomial(h, 1, 0.5, 'float32');
 */
export class RandomStreams {
  private seedValue: number;
  private readonly draws: SharedVariable[] = [];
  private readonly updates: [SharedVariable, Variable][] = [];

  constructor(seed = 12345) {
    this.seedValue = checkSeed(seed, 'RandomStreams');
  }

  /** The state variables of every draw made so far, with their default updates. */
  get stateUpdates(): readonly (readonly [SharedVariable, Variable])[] {
    return this.updates.map(([s, u]) => [s, u] as const);
  }

  /** Restarts every draw's stream from a new seed (draws made later use it too). */
  seed(seed: number): void {
    this.seedValue = checkSeed(seed, 'RandomStreams.seed');
    this.draws.forEach((s, i) => s.setValue(initialState(this.seedValue, i)));
  }

  /** Uniform numbers in [low, high). @example srng.uniform([2, 3], -1, 1) */
  uniform(size: number[] | Variable, low = 0, high = 1, dtype: DType = config.floatX): Variable {
    const bad: string[] = [];
    finite(low, 'low', bad);
    finite(high, 'high', bad);
    return this.draw('uniform', size, low, high, 1, floatDtype(dtype, bad), bad);
  }

  /** Normal numbers with mean avg and standard deviation std (Box-Muller). @example srng.normal([100], 0, 0.01) */
  normal(size: number[] | Variable, avg = 0, std = 1, dtype: DType = config.floatX): Variable {
    const bad: string[] = [];
    finite(avg, 'avg', bad);
    finite(std, 'std', bad);
    if (typeof std === 'number' && std < 0) bad.push(`std must be >= 0, got ${std}`);
    return this.draw('normal', size, avg, std, 1, floatDtype(dtype, bad), bad);
  }

  /**
   * Counts of successes in n trials of probability p (n = 1: a Bernoulli mask). p may be a float tensor that
   * broadcasts to `size` (rbm.py's Gibbs chain draws `binomial(size=h.shape, n=1, p=h_mean)`); n is then at most 64.
   * @example srng.binomial(x, 1, 0.8, 'float32'); srng.binomial(hMean, 1, hMean, 'float32')
   */
  binomial(size: number[] | Variable, n = 1, p: number | Variable = 0.5, dtype: DType = 'int32'): Variable {
    if (p instanceof Variable) return this.binomialOf(size, n, p, dtype);
    const bad: string[] = [];
    if (!Number.isInteger(n) || n < 0 || n > 2 ** 20) bad.push(`n must be an integer in [0, 2^20], got ${describe(n)}`);
    if (typeof p !== 'number' || !(p >= 0 && p <= 1)) bad.push(`p must be a probability in [0, 1], got ${describe(p)}`);
    if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') bad.push(`dtype must be "float32", "float64" or "int32", got ${describe(dtype)}`);
    return this.draw('binomial', size, 0, p, n, dtype, bad);
  }

  /** Σ over n trials of [u < p], u uniform of `size`: per-element probabilities (a Variable p). */
  private binomialOf(size: number[] | Variable, n: number, p: Variable, dtype: DType): Variable {
    const bad: string[] = [];
    if (!Number.isInteger(n) || n < 0 || n > 64) bad.push(`n must be an integer in [0, 64] when p is a tensor, got ${describe(n)}`);
    if (!isFloat(p.dtype)) bad.push(`p must be a float tensor of probabilities, got ${p} of dtype ${p.dtype}`);
    if (dtype !== 'float32' && dtype !== 'float64' && dtype !== 'int32') bad.push(`dtype must be "float32", "float64" or "int32", got ${describe(dtype)}`);
    if (bad.length) throw new (bad.some((m) => m.startsWith('dtype')) ? DTypeError : ArgumentError)(`random.binomial: ${bad.join('; ')}`);
    let count: Variable | null = null;
    for (let k = 0; k < n; k++) {
      const hit = cast(lt(this.uniform(size, 0, 1, p.dtype), p), dtype);
      count = count ? add(count, hit) : hit;
    }
    return count ?? cast(mul(this.uniform(size, 0, 1, p.dtype), 0), dtype);
  }

  private draw(dist: Distribution, size: unknown, a: number, b: number, n: number, dtype: DType, bad: string[]): Variable {
    const ref = size instanceof Variable ? size : undefined;
    if (!ref && !(Array.isArray(size) && size.every((d) => Number.isInteger(d) && d >= 0 && d < 2 ** 31))) {
      bad.push(`size must be an array of non-negative integers or a Variable whose shape to take, got ${describe(size)}${Array.isArray(size) ? ` ${showValue(size)}` : ''}`);
    }
    if (bad.length) throw new (bad.some((m) => m.startsWith('dtype')) ? DTypeError : ArgumentError)(`random.${dist}: ${bad.join('; ')}`);
    const state = shared(initialState(this.seedValue, this.draws.length), { name: `rng${this.draws.length}` });
    const op = new RandomOp(dist, { a, b, n, size: ref ? [] : (size as number[]).slice(), dtype });
    const node = ref ? op.makeNode(state, ref) : op.makeNode(state);
    setDefaultUpdate(state, node.outputs[1]);
    this.draws.push(state);
    this.updates.push([state, node.outputs[1]]);
    return node.outputs[0];
  }
}

function checkSeed(seed: unknown, where: string): number {
  if (!Number.isSafeInteger(seed) || (seed as number) < 0) throw new ArgumentError(`${where}: seed must be a non-negative safe integer, got ${describe(seed)}`);
  return seed as number;
}

function finite(v: unknown, name: string, bad: string[]): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) bad.push(`${name} must be a finite number, got ${describe(v)}`);
}

function floatDtype(dtype: unknown, bad: string[]): DType {
  if (typeof dtype !== 'string' || !['float32', 'float64'].includes(dtype) || !isFloat(dtype as DType)) {
    bad.push(`dtype must be "float32" or "float64", got ${describe(dtype)}`);
    return 'float32';
  }
  return dtype as DType;
}

/** Draw i of seed s: key (s mod 2^32, floor(s / 2^32) xor (i+1) * golden ratio), counter 0; distinct for distinct i. */
function initialState(seed: number, i: number): NDArray {
  const k0 = seed % 4294967296;
  const k1 = (Math.floor(seed / 4294967296) ^ Math.imul(i + 1, 0x9e3779b9)) >>> 0;
  return new NDArray(Int32Array.from([k0 | 0, k1 | 0, 0, 0]), [4], 'int32');
}
