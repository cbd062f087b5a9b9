import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('relu', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.relu(bad), T.ArgumentError, 'relu: x must be', got);
    });
    it('rejects an alpha that is not a finite number', () => {
      expectError(() => T.relu(T.fvector(), NaN), T.ArgumentError, 'relu: alpha must be a finite number, got number NaN');
      expectError(() => T.relu(T.fvector(), '0.1' as unknown as number), T.ArgumentError, 'relu: alpha must be a finite number, got "0.1"');
    });
  });

  describe('forward and gradient', () => {
    it('is max(x, 0), gradient 1 above 0 and 0 below', () => checkOp({ fn: (x) => T.relu(x), inputs: [[-2, -0.5, 0.5, 3]], expected: [0, 0, 0.5, 3] }));
    it('leaks alpha x below 0 (gradient alpha there)', () => checkOp({ fn: (x) => T.relu(x, 0.1), inputs: [[-2, -0.5, 0.5, 3]], expected: [-0.2, -0.05, 0.5, 3] }));
    it('has gradient exactly 1 / alpha on each side', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.relu(x, 0.25)), x), [-1, 2]), [0.25, 1]);
      close(run([x], T.grad(T.sum(T.relu(x)), x), [-1, 2]), [0, 1]);
    });
  });

  describe('edge values', () => {
    it('maps -inf and -0 to +0, keeps inf and NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.relu(x), [-Infinity, -0, Infinity, NaN]));
      expect(r.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['0', '0', 'Infinity', 'NaN']);
      expect(flat(run([x], T.relu(x, 0.5), [-Infinity, NaN]))).toEqual([-Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.fmatrix('x');
      expect(run([x], T.relu(x), T.zeros([0, 3], 'float32')).shape).toEqual([0, 3]);
    });
  });

  describe('attributes', () => {
    it('carries alpha as an attribute: equal alphas merge, different ones do not', () => {
      const x = T.fvector('x');
      const [a, b, c] = [T.relu(x, 0.1), T.relu(x, 0.1), T.relu(x, 0.2)];
      expect(a.owner!.op.equals(b.owner!.op)).toBe(true);
      expect(a.owner!.op.equals(c.owner!.op)).toBe(false);
      expect(a.owner!.op.attrs).toEqual({ alpha: 0.1 });
    });
  });

  describe('dtypes and method form', () => {
    it('computes int32 in floatX and keeps float64', () => {
      expect(T.relu(T.ivector()).dtype).toBe('float32');
      expect(T.relu(T.dvector()).dtype).toBe('float64');
    });
    it('x.relu(alpha) equals T.relu(x, alpha)', () => {
      const x = T.dvector('x');
      close(run([x], x.relu(0.5), [-2, 2]), [-1, 2]);
    });
  });
});
