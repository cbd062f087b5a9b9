import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { ReduceLoop } from '../../lib/ops/reduce-kernel';

/** The out offset of every input element, the slow way: its multi-index with the reduced axes dropped, C order. */
function naiveOffsets(shape: readonly number[], axes: readonly number[]): number[] {
  const n = shape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let rest = i;
    const idx = shape.map(() => 0);
    for (let d = shape.length - 1; d >= 0; d--) {
      idx[d] = rest % shape[d];
      rest = Math.floor(rest / shape[d]);
    }
    let off = 0;
    shape.forEach((d, k) => {
      if (!axes.includes(k)) off = off * d + idx[k];
    });
    out.push(off);
  }
  return out;
}

function loopOffsets(loop: ReduceLoop): number[] {
  const out: number[] = [];
  let o = loop.first();
  for (let row = 0; row < loop.rows; row++, o = loop.next()) for (let j = 0; j < loop.inner; j++) out.push(o + j * loop.innerStride);
  return out;
}

const shapeAndAxes = fc
  .array(fc.integer({ min: 0, max: 4 }), { maxLength: 5 })
  .chain((s) => fc.tuple(fc.constant(s), fc.subarray(s.map((_, i) => i))));

describe('ReduceLoop (the row loop shared by sum, mean, prod, max, min, any, all, argmax, argmin, logsumexp)', () => {
  it('maps every input element, in row-major order, to the out offset of its group', () => {
    expect(loopOffsets(new ReduceLoop([2, 3], [0]))).toEqual([0, 1, 2, 0, 1, 2]);
    expect(loopOffsets(new ReduceLoop([2, 1, 3], [2]))).toEqual([0, 0, 0, 1, 1, 1]);
    expect(loopOffsets(new ReduceLoop([2, 2, 2], [1]))).toEqual([0, 1, 0, 1, 2, 3, 2, 3]);
    expect(loopOffsets(new ReduceLoop([], []))).toEqual([0]);
    expect(loopOffsets(new ReduceLoop([3, 0], [0]))).toEqual([]);
    fc.assert(
      fc.property(shapeAndAxes, ([shape, axes]) => {
        const loop = new ReduceLoop(shape, axes);
        expect(loop.outSize).toBe(shape.reduce((a, d, i) => (axes.includes(i) ? a : a * d), 1));
        expect(loopOffsets(loop)).toEqual(naiveOffsets(shape, axes));
      }),
      { numRuns: 300 },
    );
  });

  it('gives sum, max, argmax and logsumexp equal to a naive per-group reference on random shapes and axes', () => {
    fc.assert(
      fc.property(shapeAndAxes, fc.integer({ min: 0, max: 1e6 }), ([shape, axes], seed) => {
        const n = shape.reduce((a, b) => a * b, 1);
        const xs = Array.from(new T.RandomState(seed).uniform(-3, 3, [n]).data);
        const offs = naiveOffsets(shape, axes);
        const m = shape.reduce((a, d, i) => (axes.includes(i) ? a : a * d), 1);
        const groups: number[][] = Array.from({ length: m }, () => []);
        offs.forEach((o, i) => groups[o].push(xs[i]));
        const x = T.tensor('float64', shape.map(() => null), 'x');
        const value = T.array(xs, { dtype: 'float64' }).reshape(shape);
        const ev = (y: T.Variable) => Array.from((T.function([x], y, { backend: 'js' })(value) as T.NDArray).data);
        const near = (got: number[], want: number[]) => want.forEach((w, i) => expect(Math.abs(got[i] - w)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(w))));
        near(ev(T.sum(x, axes)), groups.map((g) => g.reduce((a, b) => a + b, 0)));
        if (axes.every((a) => shape[a] > 0)) {
          near(ev(T.max(x, axes)), groups.map((g) => Math.max(...g)));
          near(ev(T.logsumexp(x, axes)), groups.map((g) => Math.log(g.reduce((a, b) => a + Math.exp(b), 0))));
          if (axes.length === 1) expect(ev(T.argmax(x, axes[0]))).toEqual(groups.map((g) => g.indexOf(Math.max(...g))));
        }
      }),
      { numRuns: 150 },
    );
  });
});
