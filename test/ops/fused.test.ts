import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends } from '../helpers';

/**
 * Compiled functions fuse trees of elementwise ops into one `Fused` kernel (lib/ops/fused.ts, built by the fusion
 * rewrite). A fused tree must compute exactly what the separate ops compute: same values bit for bit (each
 * intermediate rounded to the output dtype), same shape, same dtype.
 */
function fusedAndPlain(inputs: T.Variable[], out: T.Variable, ...values: unknown[]): [T.NDArray, T.NDArray] {
  let res: [T.NDArray, T.NDArray] | undefined;
  for (const backend of backends) {
    const fused = T.function(inputs, out, { backend, onUnusedInput: 'ignore' });
    const plain = T.function(inputs, out, { backend, onUnusedInput: 'ignore', rewrites: 'none' });
    expect(plain.program.steps.some((s) => s.kernel === 'Fused'), 'rewrites: "none" must not fuse').toBe(false);
    res ??= [fused(...values) as T.NDArray, plain(...values) as T.NDArray];
  }
  return res as [T.NDArray, T.NDArray];
}

/** Expects bit-identical results: same dtype, shape, and elements (NaN equals NaN, -0 differs from 0). */
function expectSame([fused, plain]: [T.NDArray, T.NDArray]): void {
  expect(fused.dtype).toBe(plain.dtype);
  expect(fused.shape).toEqual(plain.shape);
  expect(Array.from(fused.data).map(String)).toEqual(Array.from(plain.data).map(String));
  expect(Array.from(fused.data).map((v) => Object.is(v, -0))).toEqual(Array.from(plain.data).map((v) => Object.is(v, -0)));
}

const usesFused = (inputs: T.Variable[], out: T.Variable) =>
  T.function(inputs, out, { onUnusedInput: 'ignore' }).program.steps.some((s) => s.kernel === 'Fused');

const X = [[0.1, -2.5, 3], [0, -0, 1e-8]];
const EDGE = [NaN, Infinity, -Infinity, -0, 1000, -1000];

const unary: [string, (x: T.Variable) => T.Variable][] = [
  ['neg', T.neg],
  ['sqr', T.sqr],
  ['sqrt', T.sqrt],
  ['exp', T.exp],
  ['log', T.log],
  ['abs', T.abs],
  ['sign', T.sign],
  ['tanh', T.tanh],
  ['sigmoid', T.sigmoid],
];
const binary: [string, (a: T.Variable, b: T.Variable) => T.Variable][] = [
  ['add', T.add],
  ['sub', T.sub],
  ['mul', T.mul],
  ['div', T.div],
  ['pow', T.pow],
];

describe('fused elementwise kernels', () => {
  for (const dt of ['float32', 'float64'] as const) {
    describe(dt, () => {
      for (const [name, op] of unary) {
        it(`${name} inside a fused tree matches the unfused op, including NaN, ±inf and -0`, () => {
          const x = T.tensor(dt, [null, null], 'x');
          const out = op(T.add(T.mul(x, 1.5), 0.25));
          expect(usesFused([x], out)).toBe(true);
          expectSame(fusedAndPlain([x], out, X));
          const v = T.tensor(dt, [null], 'v');
          expectSame(fusedAndPlain([v], T.mul(op(T.neg(v)), 2), EDGE));
        });
      }
      for (const [name, op] of binary) {
        it(`${name} inside a fused tree matches the unfused op, broadcasting a row and a scalar`, () => {
          const a = T.tensor(dt, [null, null], 'a');
          const b = T.tensor(dt, [null], 'b');
          const s = T.tensor(dt, [], 's');
          const out = T.sub(op(T.add(a, 1), T.mul(b, s)), s);
          expect(usesFused([a, b, s], out)).toBe(true);
          expectSame(fusedAndPlain([a, b, s], out, [[1, 2, 3], [0.5, -0.25, 4]], [2, -1, 0.5], 1.25));
          expectSame(fusedAndPlain([b], op(T.neg(b), T.sqr(b)), EDGE));
        });
      }
    });
  }

  it('matches the unfused graph for a second-order gradient', () => {
    const x = T.fvector('x');
    const g2 = T.grad(T.sum(T.grad(T.sum(T.sigmoid(T.mul(x, 2))), x)), x);
    expectSame(fusedAndPlain([x], g2, [0, 1, -2, 30, -30]));
  });

  it('matches the unfused graph for a chain longer than one fused kernel holds', () => {
    const x = T.fvector('x');
    let e: T.Variable = x;
    for (let i = 0; i < 100; i++) e = T.add(T.mul(e, 1.01), 0.5);
    expectSame(fusedAndPlain([x], e, [1, -2]));
  });

  it('fuses over empty tensors', () => {
    const a = T.fmatrix('a');
    const b = T.fvector('b');
    expectSame(fusedAndPlain([a, b], T.exp(T.add(a, b)), T.zeros([0, 3]), [1, 2, 3]));
  });

  it('keeps the rank a size-1 constant of higher rank adds by broadcasting', () => {
    // a size-1 constant inlined into the kernel as a scalar would lose the dims it adds: [[2]] lifts [n] to [1, n]
    const f = T.fvector('f');
    const out = T.add(T.mul(f, [[2]]), 1);
    expect(out.staticShape).toEqual([1, null]);
    const [fused, plain] = fusedAndPlain([f], out, [1, 2, 3]);
    expect(plain.shape).toEqual([1, 3]);
    expect(fused.shape).toEqual([1, 3]);
  });

  it('compiles a tree whose leaves are all constants', () => {
    // such a tree has no tensor inputs to take the dtype and shape from
    const out = T.exp(T.add(T.constant(1.5, 'float32'), T.constant(2.5, 'float32')));
    expectSame(fusedAndPlain([], out));
  });

  it('keeps 0 and -0 constants apart', () => {
    // deduplicating constants by value must not merge them: a Map treats 0 and -0 as the same key
    const f = T.fvector('f');
    const out = T.add(T.mul(f, 0), T.div(1, T.mul(f, -0)));
    const [fused, plain] = fusedAndPlain([f], out, [1, 2]);
    expect(Array.from(plain.data)).toEqual([-Infinity, -Infinity]);
    expect(Array.from(fused.data)).toEqual([-Infinity, -Infinity]);
  });
});
