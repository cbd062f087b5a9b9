import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError, nativeHas } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';


describe('ceil', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.ceil(bad), T.ArgumentError, 'ceil: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('rounds up, negatives towards 0 (gradient zero away from integers)', () =>
      checkOp({ fn: T.ceil, inputs: [[[1.5, -1.5], [2.25, 0.2]]], expected: [[2, -1], [3, 1]] }));
    it('keeps integers', () => checkOp({ fn: T.ceil, inputs: [[3, -4, 0]], expected: [3, -4, 0], noGrad: true }));
    it('has a zero gradient that is connected to x (grad does not raise)', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.ceil(x)), x), [-2, 0, 5.5]), [0, 0, 0]);
    });
  });

  describe('edge values', () => {
    it('keeps ±inf and NaN; -0.5 goes to -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.ceil(x), [Infinity, -Infinity, NaN, -0.5]));
      expect(r.slice(0, 3)).toEqual([Infinity, -Infinity, NaN]);
      expect(Object.is(r[3], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dmatrix('x');
      expect(run([x], T.ceil(x), T.zeros([0, 3], 'float64')).shape).toEqual([0, 3]);
    });
  });

  describe('dtypes', () => {
    it('keeps int32', () => {
      const i = T.ivector('i');
      const r = run([i], T.ceil(i), [-5, 0, 7]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([-5, 0, 7]);
    });
    it('keeps float32 and float64; bool becomes int32', () => {
      expect(T.ceil(T.fvector()).dtype).toBe('float32');
      expect(T.ceil(T.dvector()).dtype).toBe('float64');
      expect(T.ceil(T.tensor('bool', [null])).dtype).toBe('int32');
    });
  });

  describe('method form', () => {
    it('x.ceil() equals T.ceil(x)', () => {
      const x = T.dvector('x');
      close(run([x], x.ceil(), [1.5, -1.5]), [2, -1]);
    });
  });

  describe('backends', () => {
    it('compiles with the default backend, falling back to TypeScript while native has no Ceil kernel', () => {
      const x = T.dvector('x');
      const f = T.function([x], T.ceil(x));
      close(f([1.5]) as T.NDArray, [2]);
      expect(f.info().backend).toBe(nativeHas('Ceil') ? 'native' : 'js');
    });
  });
});
