import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close } from '../helpers';
import { compileEach, kernels } from './support';

interface Case {
  rewrite: string;
  inputs: () => T.Variable[];
  build: (...xs: T.Variable[]) => T.Variable;
  values: unknown[];
  /** Kernels of the rewritten program, in order (without fusion, so the rewrite itself shows). */
  kernels: string[];
}

const NO_FUSION = { exclude: ['fusion'] };

// Each rewrite: the program it leaves (fusion excluded so the rewrite itself shows) and the same numbers as the
// program compiled without rewrites, on every backend.
const cases: Case[] = [
  { rewrite: 'x - x -> 0', inputs: () => [T.dmatrix('x')], build: (x) => T.exp(x).sub(T.exp(x)).add(T.sqr(x)), values: [[[1, 2], [3, 4]]], kernels: ['Sqr'] },
  { rewrite: 'x / x -> 1', inputs: () => [T.dvector('x')], build: (x) => T.div(T.tanh(x), T.tanh(x)).add(x), values: [[1, 2, -3]], kernels: ['Add'] },
  { rewrite: 'transpose(transpose(x)) -> transpose(x) or x', inputs: () => [T.dmatrix('x')], build: (x) => T.exp(x.T.T), values: [[[1, 2, 3]]], kernels: ['Exp'] },
  { rewrite: 'transpose(transpose(x)) -> transpose(x) or x', inputs: () => [T.tensor('float64', [null, null, null], 'x')], build: (x) => T.transpose(T.transpose(x, [1, 2, 0]), [1, 2, 0]), values: [[[[1, 2, 3], [4, 5, 6]]]], kernels: ['Transpose'] },
  { rewrite: 'log(exp(x)) -> x', inputs: () => [T.dvector('x')], build: (x) => T.log(T.exp(x)).mul(2), values: [[0.5, -3, 700]], kernels: ['Mul'] },
  { rewrite: 'exp(log(x)) -> where(x >= 0, x, NaN)', inputs: () => [T.dvector('x')], build: (x) => T.exp(T.log(x)), values: [[0.5, 0, 3, -1, NaN, Infinity]], kernels: ['Ge', 'Where'] },
  { rewrite: 'sum(broadcastTo(x)) -> x * count', inputs: () => [T.dmatrix('x'), T.dscalar('c')], build: (x, c) => T.sum(T.onesLike(x)).mul(c), values: [[[1, 2, 3], [4, 5, 6]], 0.5], kernels: ['AxisCount', 'Mul'] },
  { rewrite: 'collect scalar multiplications: c1 * (c2 * -x) -> (-c1 c2) * x', inputs: () => [T.dvector('x')], build: (x) => T.neg(T.exp(x).mul(2)).mul(3).mul(0.5), values: [[0.5, -1]], kernels: ['Exp', 'Mul'] },
  { rewrite: 'pow(x, 2) -> sqr(x)', inputs: () => [T.dvector('x')], build: (x) => T.pow(x, 2), values: [[0.5, -3, 1e200]], kernels: ['Sqr'] },
  { rewrite: 'pow(x, 0.5) -> sqrt(x)', inputs: () => [T.dvector('x')], build: (x) => T.pow(x, 0.5), values: [[0.25, 2, -1, Infinity]], kernels: ['Sqrt'] },
  { rewrite: 'reshape(reshape(x)) -> reshape(x)', inputs: () => [T.dmatrix('x')], build: (x) => T.reshape(T.reshape(x, [-1]), [3, 2]), values: [[[1, 2, 3], [4, 5, 6]]], kernels: ['Reshape'] },
];

describe('canonicalize', () => {
  for (const c of cases) {
    it(`${c.rewrite}: ${c.kernels.join(', ')} and the same numbers`, () => {
      const xs = c.inputs();
      const y = c.build(...xs);
      const want = T.function(xs, y, { rewrites: 'none', backend: 'js' })(...c.values) as T.NDArray;
      for (const [backend, f] of compileEach(xs, y, NO_FUSION)) {
        expect(kernels(f), backend).toEqual(c.kernels);
        expect(f.rewriteLog().find((e) => e.name === c.rewrite)!.count).toBeGreaterThanOrEqual(1);
        close(f(...c.values) as T.NDArray, want.toArray() as T.NestedArray, 1e-12);
      }
    });
  }

  it('x - x and x / x differ from the plain graph only at inf / NaN (the documented assumption)', () => {
    const x = T.dvector('x');
    const f = T.function([x], [x.sub(x), x.div(x)]);
    const [d, q] = f([Infinity, NaN, 0]) as T.NDArray[];
    expect(Array.from(d.data)).toEqual([0, 0, 0]);
    expect(Array.from(q.data)).toEqual([1, 1, 1]);
    const g = T.function([x], [x.div(x)], { rewrites: { exclude: ['x / x -> 1'] } });
    expect(Array.from((g([0]) as T.NDArray[])[0].data)).toEqual([NaN]);
  });

  it('keeps a reshape whose sizes read the inner reshape\'s own dims', () => {
    const x = T.dmatrix('x');
    const r = T.reshape(x, [-1]);
    const y = T.reshape(r, [r.shape[0], 1]);
    const f = T.function([x], y, { rewrites: NO_FUSION });
    expect(f.rewriteLog().find((e) => e.name === 'reshape(reshape(x)) -> reshape(x)')!.count).toBe(0);
    close(f([[1, 2], [3, 4]]) as T.NDArray, [[1], [2], [3], [4]]);
  });

  it('does not collect a single multiplication (nothing to gain) and reaches a fixed point', () => {
    const x = T.dvector('x');
    const f = T.function([x], T.exp(x).mul(3), { rewrites: NO_FUSION });
    expect(f.rewriteLog().find((e) => e.name.startsWith('collect scalar'))!.count).toBe(0);
  });
});
