import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { planMemory } from '../../lib/compile/memory-plan';
import { backends, checkOp, close, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed, shapeWithEmpty } from './shape-support';
import { flat, NOT_TENSORS, run } from './support';

const M = [[1, 2, 3], [4, 5, 6]];
const X3 = [[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]; // [2, 3, 2]

describe('reshape', () => {
  describe('bad input', () => {
    it('rejects -1 twice, negative and fractional sizes, listing every problem', () => {
      const x = T.fmatrix('x');
      expectError(() => T.reshape(x, [-1, -1]), T.ArgumentError, 'reshape: shape must contain at most one -1, got [-1, -1]');
      expectError(() => T.reshape(x, [-2, 3, 1.5]), T.ArgumentError, 'shape[0] must be >= 0 or -1, got -2', 'shape[2] must be an integer');
      expectError(() => T.reshape(x, [T.constant(-3), -1]), T.ArgumentError, 'shape[0] must be >= 0 or -1, got -3 (int32[])');
      expect(T.reshape(T.tensor('float32', [2, 3]), [T.constant(-1)]).staticShape).toEqual([6]);
    });
    it('rejects sizes beyond any array dim while the graph is built', () => {
      const x = T.fvector('x');
      expectError(() => T.reshape(x, [2 ** 31, 0]), T.ArgumentError, 'reshape: shape[0] must be at most 2147483647, got 2147483648');
      expectError(() => T.reshape(x, [0, 1e20, -1, 2 ** 40]), T.ArgumentError, 'shape[1] must be at most 2147483647, got 100000000000000000000; shape[3] must be at most 2147483647, got 1099511627776');
    });
    it('reports a target too large for an array at run time, naming the node, on every backend', () => {
      for (const backend of backends) {
        const x = T.fvector('x');
        const f = T.function([x], T.reshape(x, [x.shape[0].add(2 ** 31 - 1), 0]), { backend });
        expectError(() => f(T.zeros([1], 'float32')), T.RuntimeError, 'reshape: ');
      }
    });
    it('rejects a static size mismatch while the graph is built', () => {
      const x = T.tensor('float32', [2, 3]);
      expectError(() => T.reshape(x, [4, 2]), T.ShapeError, 'reshape: shape must have as many elements as x of shape [2, 3] (6), got [4, 2] (8)');
      expectError(() => T.reshape(x, [4, -1]), T.ShapeError, 'must leave a whole size for -1', 'got 6 / 4');
      expectError(() => T.reshape(x, [0, -1]), T.ShapeError, 'got 6 / 0');
    });
    it('reports a run-time size mismatch naming the node', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.reshape(x, [4, -1]), { backend: 'js' });
      expectError(() => f(M), T.RuntimeError, 'reshape: shape [4, -1] must leave a whole size for -1 from x of shape [2, 3] (6 elements), got 6 / 4');
      const h = T.function([x], T.reshape(x, [x.shape[0].sub(3), -1]), { backend: 'js' });
      expectError(() => h(M), T.RuntimeError, 'reshape: shape[0] must be >= 0, got -1 (target [-1, -1])');
      const g = T.function([x], T.reshape(x, [x.shape[1], 4]), { backend: 'js' });
      expectError(() => g(M), T.RuntimeError, 'reshape: shape must have as many elements as x of shape [2, 3] (6), got [3, 4] (12)');
    });
    it('rejects sizes that depend on data, or are not int32 scalars, saying what is accepted', () => {
      const x = T.fmatrix('x');
      const n = T.iscalar('n');
      expectError(() => T.reshape(x, [n, -1]), T.ArgumentError, 'reshape: shape[0] must be an integer, T.shapeI(y, i) or y.shape[i], or +, -, * of these', 'got n (int32[])');
      expectError(() => T.reshape(x, [T.cast(x.shape[0], 'float32'), -1]), T.ArgumentError, 'shape[0] must be');
      expectError(() => T.reshape(x, [T.sum(x.shape), -1]), T.ArgumentError, 'shape[0] must be');
      expectError(() => T.reshape(x, 'ab'), T.ArgumentError, 'reshape: shape must be an array of sizes');
      expectError(() => T.reshape(x, n), T.ArgumentError, 'reshape: shape must be an array of sizes', 'got n (int32[])');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.reshape(bad, [1]), T.ArgumentError, 'reshape: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('reshapes a matrix in C order', () => checkOp({ fn: (x) => T.reshape(x, [3, 2]), inputs: [M], expected: [[1, 2], [3, 4], [5, 6]] }));
    it('infers a -1 size', () => checkOp({ fn: (x) => T.reshape(x, [-1]), inputs: [X3], expected: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }));
    it('takes symbolic sizes: x.reshape([x.shape[0], -1])', () =>
      checkOp({ fn: (x) => x.reshape([x.shape[0], -1]), inputs: [X3], expected: [[1, 2, 3, 4, 5, 6], [7, 8, 9, 10, 11, 12]] }));
    it('takes products and sums of dims: [x.shape[1] * x.shape[0], x.shape[2] + 0]', () =>
      checkOp({ fn: (x) => x.reshape([x.shape[1].mul(x.shape[0]), T.add(x.shape[-1], 0)]), inputs: [X3], expected: [[1, 2], [3, 4], [5, 6], [7, 8], [9, 10], [11, 12]] }));
    it('takes the dims of another variable (read for its shape only: no gradient reaches it), also as a whole T.shape(y)', () => {
      checkOp({ fn: (x, y) => T.reshape(x, [T.shapeI(y, 1), -1]).mul(2), inputs: [M, [[0, 0, 0]]], expected: [[2, 4], [6, 8], [10, 12]], noGrad: true });
      checkOp({ fn: (x, y) => T.reshape(x, T.shape(y)), inputs: [M, [[0, 0], [0, 0], [0, 0]]], expected: [[1, 2], [3, 4], [5, 6]], noGrad: true });
      const x = T.dmatrix('x');
      const y = T.dmatrix('y');
      expectError(() => T.grad(T.sum(T.reshape(x, [y.shape[1], -1])), y), T.GradError, 'not connected');
      const g = T.function([x, y], T.grad(T.sum(T.reshape(x, [y.shape[1], -1]).mul(2)), x));
      close(g(M, [[0, 0, 0]]) as T.NDArray, [[2, 2, 2], [2, 2, 2]]);
    });
    it('takes a constant int32 vector as the shape', () => checkOp({ fn: (x) => T.reshape(x, T.constant([3, -1])), inputs: [M], expected: [[1, 2], [3, 4], [5, 6]] }));
    it('reshapes [1] to a scalar and a scalar to [1, 1]', () => {
      checkOp({ fn: (x) => T.reshape(x, []), inputs: [[5]], expected: 5 });
      checkOp({ fn: (x) => T.reshape(x, [1, 1]), inputs: [5], expected: [[5]] });
    });
    it('a gradient through a reshape of an intermediate gets the input shape back', () =>
      checkOp({ fn: (x) => T.reshape(T.sqr(x), [-1]).mul(3), inputs: [M], expected: [3, 12, 27, 48, 75, 108] }));
  });

  describe('static shapes', () => {
    it('infers static sizes where they are known', () => {
      const x = T.tensor('float32', [2, null, 4]);
      expect(x.reshape([x.shape[0], -1]).staticShape).toEqual([2, null]);
      expect(x.reshape([x.shape[1], 8]).staticShape).toEqual([null, 8]);
      expect(T.tensor('float32', [2, 3, 4]).reshape([-1, 4]).staticShape).toEqual([6, 4]);
    });
    it('returns x itself for its own shape', () => {
      const x = T.tensor('float32', [2, null]);
      expect(x.reshape([2, x.shape[1]])).toBe(x);
      expect(x.reshape(T.shape(x))).toBe(x);
    });
  });

  describe('edge values and dtypes', () => {
    it('reshapes empty tensors; -1 next to a 0 size is an error, as in NumPy', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.reshape(x, [x.shape[1], x.shape[0]]), T.zeros([0, 3], 'float64')).shape).toEqual([3, 0]);
      const f = T.function([x], T.reshape(x, [0, -1]), { backend: 'js' });
      expectError(() => f(T.zeros([0, 3], 'float64')), T.RuntimeError, 'got 0 / 0');
    });
    it('keeps the dtype and NaN / inf', () => {
      const i = T.imatrix('i');
      const r = run([i], i.reshape([-1]), [[1, 2], [3, 4]]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 2, 3, 4]);
      const v = T.dvector('v');
      expect(flat(run([v], v.reshape([2, 1]), [NaN, -Infinity]))).toEqual([NaN, -Infinity]);
    });
  });

  describe('memory', () => {
    it('a reshape of a temp is a view: the step is skipped and shares its input buffer', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.exp(x).reshape([-1]).mul(2), { backend: 'js' });
      const plan = planMemory(f.program, [[2, 3]], []);
      const t = f.program.steps.findIndex((s) => s.kernel === 'Reshape');
      expect(t).toBeGreaterThanOrEqual(0);
      expect(plan.skip[t]).toBe(1);
      const st = f.program.steps[t];
      expect(plan.offsets[st.outputs[0]]).toBe(plan.offsets[st.inputs[0]]);
      close(f(M) as T.NDArray, M.flat().map((v) => 2 * Math.exp(v)));
    });
  });

  describe.skipIf(!nativeHas('Reshape'))('native agrees with the TypeScript reference', () => {
    it('reshapes random shapes (empty included) of every dtype to [-1] and [d0, -1], also of temps', () => {
      fc.assert(
        fc.property(shapeWithEmpty, anyDtype, seed, (s, dt, sd) => {
          const v = randomValues(s, dt, sd);
          agreeExact((x) => x.reshape([-1]), [v]);
          if (s[0] > 0) agreeExact((x) => x.reshape([x.shape[0], -1]), [v]);
          if (dt !== 'bool') agreeExact((x) => T.neg(x).reshape([-1]), [v]);
        }),
        { numRuns: 40 },
      );
    });
  });

  describe('second order', () => {
    it('d sum(reshape(x)²)/dx = 2x, and its derivative agrees with finite differences', () =>
      checkOp({ fn: (x) => T.grad(T.sum(T.sqr(x.reshape([-1, x.shape[0]]))), x), inputs: [M], expected: [[2, 4, 6], [8, 10, 12]] }));
  });
});
