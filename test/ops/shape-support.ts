import fc from 'fast-check';
import { expect } from 'vitest';
import * as T from '../../lib';

// Shared by the shape-op tests (reshape, concatenate, split, tile, ...): data-movement kernels must agree with the
// TypeScript reference bit for bit, on every dtype, including empty dims and edge values.

/** Runs `build` on the js and native backends and requires the same dtype, shape and bits (NaN and -0 included). */
export function agreeExact(build: (...xs: T.Variable[]) => T.Variable | T.Variable[], values: T.NDArray[]): void {
  const vars = values.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = build(...vars);
  const js = T.function(vars, out, { backend: 'js', onUnusedInput: 'ignore' })(...values) as T.NDArray | T.NDArray[];
  const nat = T.function(vars, out, { backend: 'native', onUnusedInput: 'ignore' })(...values) as T.NDArray | T.NDArray[];
  const a = Array.isArray(js) ? js : [js];
  const b = Array.isArray(nat) ? nat : [nat];
  expect(b.length).toBe(a.length);
  a.forEach((r, k) => {
    expect(b[k].dtype, `output ${k} dtype`).toBe(r.dtype);
    expect(b[k].shape, `output ${k} shape`).toEqual(r.shape);
    expect(Array.from(b[k].data), `output ${k} data`).toEqual(Array.from(r.data));
  });
}

const EDGE = [0, -0, Infinity, -Infinity, NaN, 1e30, -1e-30];

/** Random values of a dtype with edge values mixed in for floats (ints in [-50, 50], bools 0/1). */
export function randomValues(shape: number[], dtype: T.DType, seed: number): T.NDArray {
  const rng = new T.RandomState(seed);
  const u = rng.uniform(-50, 50, shape);
  const data = Array.from(u.data, (x, i) => (dtype === 'bool' ? Number(x > 0) : dtype === 'int32' ? Math.round(x) : i % 5 === 3 ? EDGE[i % EDGE.length] : x));
  return new T.NDArray(T.array(data.length ? data : [0], { dtype }).data.slice(0, data.length), shape, dtype);
}

export const anyDtype = fc.constantFrom<T.DType>('float32', 'float64', 'int32', 'bool');
/** Shapes of rank 1..4 with dims 0..4 (empty tensors included). */
export const shapeWithEmpty = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 });
export const seed = fc.integer({ min: 0, max: 1e6 });
