import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const A = [[1, -2, 3], [0.5, 2, -1]];
const B = [[2, -3, 1], [0.25, 4, 0]];
const C = [[1, 0, 1], [0, 0, 1]];

describe('where', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.where(bad, T.fvector(), T.fvector()), T.ArgumentError, 'where: cond must be', got);
        expectError(() => T.where(T.fvector(), bad, T.fvector()), T.ArgumentError, 'where: a must be', got);
        expectError(() => T.where(T.fvector(), T.fvector(), bad), T.ArgumentError, 'where: b must be', got);
      }
    });
    it('lists every bad argument in one message', () => {
      expectError(() => T.where('c', {}, null), T.ArgumentError, 'where: cond must be', 'got "c"; a must be', 'got Object; b must be', 'got null');
    });
    it('rejects static shapes that cannot broadcast, naming every argument and the dim', () => {
      expectError(() => T.where(T.tensor('bool', [4, 3]), T.tensor('float32', [2, 3]), 0), T.ShapeError, 'where: cond and a and b must have broadcast-compatible shapes', 'cond [4, 3]', 'a [2, 3]', 'b []', 'dim -2 differs');
      expectError(() => T.where(T.tensor('bool', [3]), T.fvector(), T.tensor('float32', [2])), T.ShapeError, 'cond [3]', 'b [2]', 'dim -1 differs');
    });
  });

  describe('forward and gradient', () => {
    it('takes a where cond is nonzero, else b, the gradient going to the branch taken', () => {
      checkOp({ fn: (a, b) => T.where(T.constant(C), a, b), inputs: [A, B], expected: [[1, -3, 3], [0.25, 4, -1]] });
    });
    it('selects by a comparison of the inputs (finite differences away from the switch point)', () => {
      checkOp({ fn: (a, b) => T.where(T.gt(a, b), a.mul(a), b.mul(3)), inputs: [A, B], expected: [[6, 4, 9], [0.25, 12, 0]] });
    });
    it('broadcasts a cond column [n, 1] against [n, m] branches', () => {
      checkOp({ fn: (a, b) => T.where(T.constant([[1], [0]]), a, b), inputs: [A, B], expected: [[1, -2, 3], [0.25, 4, 0]] });
    });
    it('broadcasts a row branch and a scalar branch, summing their gradients back to their shapes', () => {
      checkOp({ fn: (a, b) => T.where(T.constant(C), a, b), inputs: [[10, 20, 30], 7], expected: [[10, 7, 30], [7, 7, 30]] });
      const a = T.dvector('a');
      const b = T.dscalar('b');
      const [ga, gb] = T.grad(T.sum(T.where(T.constant(C), a, b)), [a, b]);
      close(run([a, b], ga, [10, 20, 30], 7), [1, 0, 2]);
      close(run([a, b], gb, [10, 20, 30], 7), 3);
    });
    it('broadcasts a cond row against branches of shape [n, 1] and [1, m] into [n, m]', () => {
      checkOp({ fn: (a, b) => T.where(T.constant([1, 0, 1]), a, b), inputs: [[[1], [2]], [[5, 6, 7]]], expected: [[1, 6, 1], [2, 6, 2]] });
    });
    it('has a zero gradient for a float cond (connected, as sign), verified by finite differences', () => {
      checkOp({ fn: T.where, inputs: [[[2, 0, -0.5]], A, B], expected: [[1, -3, 3], [0.5, 4, -1]] });
    });
  });

  describe('no NaN from the untaken branch', () => {
    it("where's own rule selects rather than multiplies, so an inf upstream gradient in the other branch stays out", () => {
      const x = T.dvector('x');
      const w = T.dvector('w');
      // d/dx sum(where(c, x, 0) * w) = where(c, w, 0); a 0/1 mask multiply would give 0 * inf = NaN at x = -1
      const g = T.grad(T.sum(T.where(x.gt(0), x, 0).mul(w)), x);
      expect(flat(run([x, w], g, [-1, 4], [Infinity, 2]))).toEqual([0, 2]);
      expect(flat(run([x, w], g, [-1, 4], [NaN, 2]))).toEqual([0, 2]);
    });
    it('keeps a NaN forward value of the untaken branch out of the result and of the gradient through log', () => {
      const x = T.dvector('x');
      const y = T.where(x.gt(0), x.log(), 0);
      expect(flat(run([x], y, [-1, 4]))).toEqual([0, Math.log(4)]);
      // log's rule is g / x: the zero from where stays zero (-0) at x = -1
      close(run([x], T.grad(T.sum(y), x), [-1, 4]), [0, 0.25]);
    });
    it('keeps the untaken branch out even where its own rule makes NaN from a zero gradient (sqrt: 0 / NaN, log: 0 / 0)', () => {
      const x = T.dvector('x');
      const single = T.grad(T.sum(T.where(x.gt(0), T.sqrt(x), 0)), x);
      expect(flat(run([x], single, [-1, 0, 4]))).toEqual([0, 0, 0.25]);
      // the other branch taken at x = 0: log's rule there is 0 / 0
      const logOr = T.grad(T.sum(T.where(x.gt(0), T.log(x), x.mul(3))), x);
      expect(flat(run([x], logOr, [-2, 0, 4]))).toEqual([3, 3, 0.25]);
      // chains of elementwise ops and binary ops of one shape: arcsin(x) / x outside [-1, 1] is NaN, its gradient too
      const chain = T.grad(T.sum(T.where(x.abs().lt(1), T.arcsin(x).div(x.add(2)), x.sqr())), x);
      const got = flat(run([x], chain, [-3, 0.5, 5]));
      expect(got[0]).toBe(-6);
      expect(got[2]).toBe(10);
      expect(got[1]).toBeCloseTo(1 / Math.sqrt(0.75) / 2.5 - Math.asin(0.5) / 2.5 ** 2, 12);
      // and the double where still works
      const safe = T.where(x.gt(0), T.sqrt(T.where(x.gt(0), x, 1)), 0);
      expect(flat(run([x], T.grad(T.sum(safe), x), [-1, 4]))).toEqual([0, 0.25]);
    });
    it('matches finite differences away from the switch point on both branches', () => {
      T.verifyGrad((x) => T.where(x.gt(0), T.log(x).mul(x), T.exp(x).sub(1)), [T.array([-1.5, -0.2, 0.3, 2], { dtype: 'float64' })]);
    });
  });

  describe('edge values', () => {
    it('reads cond of any dtype as nonzero = true, NaN included and -0 as false', () => {
      const c = T.dvector('c');
      expect(flat(run([c], T.where(c, 1, 2), [NaN, -0, 0, 0.5, -Infinity]))).toEqual([1, 2, 2, 1, 1]);
      const i = T.ivector('i');
      expect(flat(run([i], T.where(i, 1, 2), [0, -3]))).toEqual([2, 1]);
    });
    it('passes ±inf and NaN of the taken branch through unchanged', () => {
      const a = T.dvector('a');
      expect(flat(run([a], T.where([1, 1, 1, 0], a, 5), [Infinity, -Infinity, NaN, NaN]))).toEqual([Infinity, -Infinity, NaN, 5]);
    });
    it('selects over empty tensors', () => {
      const e = T.dmatrix('e');
      expect(run([e], T.where(e, e, [1, 2, 3]), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
    it('rejects run-time shapes that cannot broadcast, naming the node', () => {
      const c = T.tensor('bool', [null], 'c');
      const a = T.dvector('a');
      const f = T.function([c, a], T.where(c, a, 0));
      expectError(() => f([true, false], [1, 2, 3]), T.RuntimeError, 'where: inputs must have broadcast-compatible shapes, got [2] and [3] and []');
    });
  });

  describe('dtypes', () => {
    it('upcasts a and b to a common dtype; cond keeps its own', () => {
      const c = T.tensor('bool', [null]);
      expect(T.where(c, T.ivector(), T.fvector()).dtype).toBe('float32');
      expect(T.where(c, T.fvector(), T.dvector()).dtype).toBe('float64');
      expect(T.where(c, T.ivector(), T.ivector()).dtype).toBe('int32');
      expect(T.where(T.dvector(), T.fvector(), T.fvector()).owner!.inputs.map((v) => v.dtype)).toEqual(['float64', 'float32', 'float32']);
    });
    it('lets a JS number take the other branch dtype, as asVariablePair', () => {
      const c = T.tensor('bool', [null]);
      expect(T.where(c, T.fvector(), 0).dtype).toBe('float32');
      expect(T.where(c, 0, T.fvector()).dtype).toBe('float32');
      expect(T.where(c, T.ivector(), 0).dtype).toBe('int32');
      expect(T.where(c, T.ivector(), 0.5).dtype).toBe('float32');
      expect(T.where(c, 1, 0).dtype).toBe('int32');
    });
    it('keeps bool branches bool and int32 values exact', () => {
      const c = T.tensor('bool', [null], 'c');
      const p = T.tensor('bool', [null], 'p');
      const r = run([c, p], T.where(c, p, p.not()), [true, false], [true, true]);
      expect(r.dtype).toBe('bool');
      expect(flat(r)).toEqual([1, 0]);
      const i = T.ivector('i');
      expect(flat(run([c, i], T.where(c, i, -2147483648), [true, false], [2147483647, 0]))).toEqual([2147483647, -2147483648]);
    });
    it('casts a bool result to float32 as 0 and 1', () => {
      const x = T.dvector('x');
      const r = run([x], T.cast(T.where(x.gt(0), x.lt(10), false), 'float32'), [-1, 5, 20]);
      expect(r.dtype).toBe('float32');
      expect(flat(r)).toEqual([0, 1, 0]);
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Where kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.where(x.gt(0), x, x.mul(0.01)));
      close(f([-100, 2]) as T.NDArray, [-1, 2]);
      expect(f.info().backend).toBe(nativeHas('Where', 'Gt') ? 'native' : 'js');
    });
  });
});
