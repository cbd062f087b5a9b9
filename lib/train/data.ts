import { ctorOf } from '../dtype';
import { ArgumentError } from '../errors';
import { describe, NDArray, shapeStr, sizeOf } from '../ndarray';
import { RandomState } from '../random/random-state';

export interface MinibatchOptions {
  /** Visit the rows in a random order (default false). */
  shuffle?: boolean;
  /** The generator for the order; it advances, so each epoch with the same RandomState gets a new order. */
  rng?: RandomState;
  /** Seed for a fresh RandomState when `rng` is not given (default 0). */
  seed?: number;
  /** Skip the last, smaller batch (default false). */
  dropLast?: boolean;
}

/**
 * Iterates over aligned arrays (same first dim) in minibatches of rows, each batch a fresh copy the caller may keep.
 * @example for (const [xb, yb] of T.train.minibatches([X, y], 128, { shuffle: true, rng })) train(xb, yb);
 */
export function* minibatches(arrays: readonly NDArray[], batchSize: number, opts: MinibatchOptions = {}): Generator<NDArray[]> {
  const n = checkBatches(arrays, batchSize, opts);
  let order: Int32Array | null = null;
  if (opts.shuffle) {
    const rng = opts.rng ?? new RandomState(opts.seed ?? 0);
    order = Int32Array.from(rng.permutation(n).data);
  }
  const end = opts.dropLast ? n - (n % batchSize) : n;
  for (let start = 0; start < end; start += batchSize) {
    const m = Math.min(batchSize, end - start);
    yield arrays.map((a) => gatherRows(a, order, start, m));
  }
}

/** How many batches `minibatches` yields for these arguments. */
export function batchCount(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

function checkBatches(arrays: readonly NDArray[], batchSize: number, opts: MinibatchOptions): number {
  const where = 'minibatches';
  const problems: string[] = [];
  if (!Array.isArray(arrays) || arrays.length === 0) problems.push(`arrays must be a non-empty array of NDArrays, got ${describe(arrays)}`);
  else arrays.forEach((a, i) => {
    if (!(a instanceof NDArray)) problems.push(`arrays[${i}] must be an NDArray, got ${describe(a)}`);
    else if (a.ndim === 0) problems.push(`arrays[${i}] must have a first (batch) dim, got a scalar`);
  });
  if (!Number.isInteger(batchSize) || batchSize < 1) problems.push(`batchSize must be a positive integer, got ${describe(batchSize)}`);
  if (opts === null || typeof opts !== 'object') problems.push(`options must be an object, got ${describe(opts)}`);
  else {
    if (opts.rng !== undefined && !(opts.rng instanceof RandomState)) problems.push(`rng must be a T.RandomState, got ${describe(opts.rng)}`);
    if (opts.seed !== undefined && !Number.isInteger(opts.seed)) problems.push(`seed must be an integer, got ${describe(opts.seed)}`);
  }
  if (problems.length === 0) {
    const n = arrays[0].shape[0];
    const bad = arrays.filter((a) => a.shape[0] !== n);
    if (bad.length) problems.push(`arrays must share their first dim: shapes ${arrays.map((a) => shapeStr(a.shape)).join(', ')}`);
  }
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')}`);
  return arrays[0].shape[0];
}

function gatherRows(a: NDArray, order: Int32Array | null, start: number, m: number): NDArray {
  const row = sizeOf(a.shape.slice(1));
  const shape = [m, ...a.shape.slice(1)];
  if (!order) return new NDArray(a.data.slice(start * row, (start + m) * row), shape, a.dtype);
  const out = new (ctorOf(a.dtype))(m * row);
  for (let k = 0; k < m; k++) {
    const r = order[start + k];
    out.set(a.data.subarray(r * row, (r + 1) * row), k * row);
  }
  return new NDArray(out, shape, a.dtype);
}
