import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

const SCALE = 1.0507009873554805;
const ALPHA = 1.6732632423543772;

describe('selu', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.selu(bad), T.ArgumentError, 'selu: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('is scale x above 0 and scale alpha (e^x - 1) below, with the standard constants', () =>
      checkOp({ fn: T.selu, inputs: [[-1, 0.5, 2]], expected: [-1.1113307378125625, 0.5 * SCALE, 2 * SCALE] }));
    it('has gradient scale above 0 and scale alpha e^x below', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.selu(x)), x), [-1, 1]), [SCALE * ALPHA * Math.exp(-1), SCALE]);
    });
  });

  describe('edge values', () => {
    it('tends to -scale alpha at -inf, keeps inf and NaN', () => {
      const x = T.dvector('x');
      const r = flat(run([x], T.selu(x), [-Infinity, Infinity, NaN]));
      expect(Math.abs(r[0] + SCALE * ALPHA)).toBeLessThan(1e-15);
      expect(r.slice(1)).toEqual([Infinity, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.fvector('x');
      expect(run([x], T.selu(x), T.zeros([0], 'float32')).shape).toEqual([0]);
    });
  });
});
