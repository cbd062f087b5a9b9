import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, -2, 3], [0.5, 2, -1]];

describe('add', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op, both arguments and the dim', () => {
      const a = T.tensor('float32', [2, 3], 'a');
      const b = T.tensor('float32', [4, 3], 'b');
      expectError(() => T.add(a, b), T.ShapeError, 'add: a and b must have broadcast-compatible shapes', 'a [2, 3]', 'b [4, 3]', 'dim -2 differs');
    });

    it('lists every conflicting dim, not only the first', () => {
      const a = T.tensor('float32', [2, 3]);
      const b = T.tensor('float32', [4, 5]);
      expectError(() => T.add(a, b), T.ShapeError, 'dim -2 differs', 'dim -1 differs');
    });

    it('rejects a trailing-dim conflict between operands of different rank', () => {
      expectError(() => T.add(T.tensor('float32', [2, 3]), T.tensor('float32', [5, 2, 4])), T.ShapeError, 'a [2, 3]', 'b [5, 2, 4]', 'dim -1 differs');
    });

    it('defers unknown dims to run time, then fails there with a RuntimeError naming the op, shapes and source line', () => {
      const a = T.matrix('a');
      const b = T.matrix('b');
      const f = T.function([a, b], T.add(a, b));
      let err: unknown;
      try {
        f([[1, 2, 3], [4, 5, 6]], [[1, 2], [3, 4]]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(T.RuntimeError);
      const e = err as T.RuntimeError;
      expect(e.message).toContain('add: inputs must have broadcast-compatible shapes, got [2, 3] and [2, 2]');
      expect(e.node).toBe('(a + b)');
      expect(e.createdAt).toMatch(/add\.test\.ts:\d+:\d+$/);
    });

    it('rejects non-tensor arguments on either side with an ArgumentError naming the op and the argument', () => {
      const x = T.fmatrix('x');
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.add(x, bad), T.ArgumentError, 'add: b must be a Variable, number, nested array or NDArray', got);
        expectError(() => T.add(bad, x), T.ArgumentError, 'add: a must be a Variable, number, nested array or NDArray', got);
      }
      expectError(() => T.add(x, [x]), T.ArgumentError, 'add: b must be');
    });

    it('names the op and argument when a nested-array operand is not numeric or not rectangular', () => {
      // the conversion goes through array(), whose own messages must not leak out as "array: ..."
      expectError(() => T.add(T.fvector('x'), ['a']), T.ArgumentError, 'add: b', 'must be a number, got "a"');
      expectError(() => T.add(T.fvector('x'), [[1, 2], [3]]), T.ShapeError, 'add: b', 'rectangular');
    });
  });

  describe('forward and gradient', () => {
    it('adds matrices of the same shape', () => checkOp({ fn: T.add, inputs: [M, [[1, 1, 1], [2, 2, 2]]], expected: [[2, -1, 4], [2.5, 4, 1]] }));
    it('broadcasts a vector along the rows of a matrix', () => checkOp({ fn: T.add, inputs: [M, [10, 20, 30]], expected: [[11, 18, 33], [10.5, 22, 29]] }));
    it('broadcasts a [1, m] row along the rows of a matrix', () => checkOp({ fn: T.add, inputs: [M, [[10, 20, 30]]], expected: [[11, 18, 33], [10.5, 22, 29]] }));
    it('broadcasts a column [n, 1] against a row [1, m] to [n, m]', () => checkOp({ fn: T.add, inputs: [[[1], [2]], [[10, 20, 30]]], expected: [[11, 21, 31], [12, 22, 32]] }));
    it('broadcasts a scalar over a matrix', () => checkOp({ fn: T.add, inputs: [2, M], expected: [[3, 0, 5], [2.5, 4, 1]] }));
    it('broadcasts a rank-3 tensor along its middle axis', () =>
      checkOp({
        fn: T.add,
        inputs: [[[[1, 2]], [[3, 4]]], [[[0, 0], [10, 10], [20, 20]], [[0, 0], [10, 10], [20, 20]]]],
        expected: [[[1, 2], [11, 12], [21, 22]], [[3, 4], [13, 14], [23, 24]]],
      }));
    it('adds a plain JS number', () => checkOp({ fn: (x) => T.add(x, 0.5), inputs: [[1, 2]], expected: [1.5, 2.5] }));

    it('sums the gradient of a broadcast operand back to its run-time shape', () => {
      const m = T.dmatrix('m');
      const r = T.dmatrix('r');
      const [gm, gr] = T.grad(T.sum(T.add(m, r)), [m, r]);
      const f = T.function([m, r], [gm, gr]);
      const [vm, vr] = f(M, [[10, 20, 30]]) as T.NDArray[];
      close(vm, [[1, 1, 1], [1, 1, 1]]);
      close(vr, [[2, 2, 2]]);
    });

    it('sums the gradient back when the static shapes are known', () => {
      const m = T.tensor('float64', [2, 3], 'm');
      const v = T.tensor('float64', [3], 'v');
      const s = T.tensor('float64', [], 's');
      const gs = T.grad(T.sum(T.add(T.add(m, v), s)), [v, s]);
      expect(gs.map((g) => g.staticShape)).toEqual([[3], []]);
      const [gv, gsc] = T.function([m, v, s], gs)(M, [1, 2, 3], 1) as T.NDArray[];
      close(gv, [2, 2, 2]);
      close(gsc, 6);
    });
  });

  describe('random broadcast patterns', () => {
    // pairs of shapes of rank 0..4 where each dim is shared, or 1 on one side, and one side may lose leading dims;
    // sizes include 0
    const dim = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3 }), weight: 6 }, { arbitrary: fc.constant(0), weight: 1 });
    const shapePair = fc
      .tuple(fc.array(fc.tuple(dim, fc.constantFrom('both', 'a1', 'b1')), { minLength: 1, maxLength: 4 }), fc.nat({ max: 2 }), fc.boolean())
      .map(([dims, drop, dropA]) => {
        const a = dims.map(([d, m]) => (m === 'a1' ? 1 : d));
        const b = dims.map(([d, m]) => (m === 'b1' ? 1 : d));
        return dropA ? [a.slice(drop), b] : [a, b.slice(drop)];
      });

    it('matches a naive NumPy-style broadcast, and each gradient has its input shape with the broadcast count', () => {
      fc.assert(
        fc.property(shapePair, ([sa, sb]) => {
          const r = Math.max(sa.length, sb.length);
          const pad = (s: number[]) => [...Array(r - s.length).fill(1), ...s];
          const [pa, pb] = [pad(sa), pad(sb)];
          const outShape = pa.map((d, i) => (d === 1 ? pb[i] : d));
          const size = (s: number[]) => s.reduce((p, d) => p * d, 1);
          const a = T.array(Float64Array.from({ length: size(sa) }, (_, k) => k + 1), { shape: sa });
          const b = T.array(Float64Array.from({ length: size(sb) }, (_, k) => 100 * (k + 1)), { shape: sb });
          const va = T.tensor('float64', sa.map(() => null), 'a');
          const vb = T.tensor('float64', sb.map(() => null), 'b');
          const out = run([va, vb], T.add(va, vb), a, b);
          expect(out.shape).toEqual(outShape);
          // flat index of the element of a (or b) read by output index `idx`
          const src = (p: number[], idx: number[]) => p.reduce((off, d, i) => off * d + (d === 1 ? 0 : idx[i]), 0);
          for (let k = 0; k < out.size; k++) {
            const idx = outShape.map((_, i) => Math.floor(k / size(outShape.slice(i + 1))) % outShape[i]);
            expect(out.data[k]).toBe(a.data[src(pa, idx)] + b.data[src(pb, idx)]);
          }
          const [ga, gb] = T.function([va, vb], T.grad(T.sum(T.add(va, vb)), [va, vb]))(a, b) as T.NDArray[];
          expect(ga.shape).toEqual(sa);
          expect(gb.shape).toEqual(sb);
          expect(flat(ga)).toEqual(Array(size(sa)).fill(size(sa) ? size(outShape) / size(sa) : 0));
          expect(flat(gb)).toEqual(Array(size(sb)).fill(size(sb) ? size(outShape) / size(sb) : 0));
        }),
        { numRuns: 60, seed: 20240601 },
      );
    });
  });

  describe('static shapes', () => {
    it('infers the broadcast shape, keeping unknown dims unknown unless the other side fixes them', () => {
      expect(T.add(T.tensor('float32', [2, 1]), T.tensor('float32', [1, 3])).staticShape).toEqual([2, 3]);
      expect(T.add(T.tensor('float32', [null, 3]), T.tensor('float32', [4, 3])).staticShape).toEqual([4, 3]);
      expect(T.add(T.tensor('float32', [null, 1]), T.tensor('float32', [1, null])).staticShape).toEqual([null, null]);
      expect(T.add(T.tensor('float32', [3]), T.tensor('float32', [2, 1, 1])).staticShape).toEqual([2, 1, 3]);
    });
  });

  describe('edge values', () => {
    it('adds empty tensors, broadcasting a vector over zero rows', () => {
      const e = T.dmatrix('e');
      const v = T.dvector('v');
      const out = run([e, v], T.add(e, v), T.zeros([0, 3], 'float64'), [1, 2, 3]);
      expect(out.shape).toEqual([0, 3]);
      const gv = run([e, v], T.grad(T.sum(T.add(e, v)), v), T.zeros([0, 3], 'float64'), [1, 2, 3]);
      close(gv, [0, 0, 0]);
    });

    it('follows IEEE arithmetic for infinities and NaN', () => {
      const a = T.dvector('a');
      const b = T.dvector('b');
      expect(flat(run([a, b], T.add(a, b), [Infinity, Infinity, NaN], [1, -Infinity, 1]))).toEqual([Infinity, NaN, NaN]);
    });
  });

  describe('dtypes', () => {
    it('int32 + float32 computes in float32', () => {
      const i = T.ivector('i');
      const f = T.fvector('f');
      const out = T.add(i, f);
      expect(out.dtype).toBe('float32');
      const r = run([i, f], out, [1, 2], [0.5, 0.25]);
      expect(r.dtype).toBe('float32');
      close(r, [1.5, 2.25]);
    });

    it('int32 + int32 stays int32', () => {
      const i = T.ivector('i');
      const j = T.ivector('j');
      const r = run([i, j], T.add(i, j), [1, -2], [3, 4]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([4, 2]);
    });

    it('float32 + float64 computes in float64', () => expect(T.add(T.fvector(), T.dvector()).dtype).toBe('float64'));

    it('a plain JS number takes the dtype of the symbolic operand', () => {
      expect(T.fvector().add(0.1).dtype).toBe('float32');
      expect(T.add(0.1, T.fvector()).dtype).toBe('float32');
      expect(T.ivector().add(2).dtype).toBe('int32');
      expect(T.ivector().add(0.5).dtype).toBe('float32');
      expect(T.dvector().add(1).dtype).toBe('float64');
    });

    it('gives each float operand a gradient of its own dtype', () => {
      const x = T.fvector('x');
      const y = T.dvector('y');
      expect(T.grad(T.sum(T.add(x, y)), [x, y]).map((g) => g.dtype)).toEqual(['float32', 'float64']);
    });
  });

  describe('method form', () => {
    it('x.add(y) equals T.add(x, y)', () => {
      const x = T.dmatrix('x');
      const y = T.dvector('y');
      close(run([x, y], x.add(y), M, [1, 2, 3]), [[2, 0, 6], [1.5, 4, 2]]);
      close(run([x, y], x.add(y), M, [1, 2, 3]), run([x, y], T.add(x, y), M, [1, 2, 3]).toArray());
    });
  });
});
