import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const EM1 = Math.expm1(-1); // e^-1 - 1

describe('elu', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments and a non-finite alpha with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.elu(bad), T.ArgumentError, 'elu: x must be', got);
      expectError(() => T.elu(T.fvector(), Infinity), T.ArgumentError, 'elu: alpha must be a finite number, got number Infinity');
    });
  });

  describe('forward and gradient', () => {
    it('is x above 0 and e^x - 1 below (gradient e^x there)', () => checkOp({ fn: (x) => T.elu(x), inputs: [[-1, -0.2, 0.5, 2]], expected: [EM1, Math.expm1(-0.2), 0.5, 2] }));
    it('scales the negative side by alpha', () => checkOp({ fn: (x) => T.elu(x, 2), inputs: [[-1, 3]], expected: [2 * EM1, 3] }));
    it('has gradient alpha e^x below 0 and 1 above', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.elu(x, 2)), x), [-1, 1]), [2 * Math.exp(-1), 1]);
    });
  });

  describe('edge values', () => {
    it('tends to -alpha at -inf, keeps inf, NaN and -0', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.elu(x, 0.5), [-Infinity, Infinity, NaN, -0]));
      expect(r.slice(0, 3)).toEqual([-0.5, Infinity, NaN]);
      expect(Object.is(r[3], -0)).toBe(true);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.dvector('x');
      expect(run([x], T.elu(x), T.zeros([0], 'float64')).shape).toEqual([0]);
    });
  });

  describe('attributes and dtypes', () => {
    it('carries alpha as an attribute (merging compares it)', () => {
      const x = T.fvector();
      expect(T.elu(x).owner!.op.equals(T.elu(x, 1).owner!.op)).toBe(true);
      expect(T.elu(x).owner!.op.equals(T.elu(x, 0.5).owner!.op)).toBe(false);
    });
    it('computes int32 in floatX', () => expect(T.elu(T.ivector()).dtype).toBe('float32'));
  });
});
