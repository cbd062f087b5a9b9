import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('hardSigmoid', () => {
  describe('bad input', () => {
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.hardSigmoid(bad), T.ArgumentError, 'hardSigmoid: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it("is Theano's clip(0.2 x + 0.5, 0, 1) (gradient 0.2 inside, 0 outside)", () =>
      checkOp({ fn: T.hardSigmoid, inputs: [[-3, -1, 0, 1, 3]], expected: [0, 0.3, 0.5, 0.7, 1] }));
    it('has gradient 0.2 on [-2.5, 2.5] and 0 beyond', () => {
      const x = T.dvector('x');
      close(run([x], T.grad(T.sum(T.hardSigmoid(x)), x), [-3, -2.5, 0, 2.5, 3]), [0, 0.2, 0.2, 0.2, 0]);
    });
  });

  describe('edge values', () => {
    it('maps ±inf to 1 and 0, keeps NaN', () => {
      const x = T.dvector('x');
      expect(flat(run([x], T.hardSigmoid(x), [Infinity, -Infinity, NaN]))).toEqual([1, 0, NaN]);
    });
    it('maps empty tensors to empty tensors', () => {
      const x = T.fvector('x');
      expect(run([x], T.hardSigmoid(x), T.zeros([0], 'float32')).shape).toEqual([0]);
    });
  });
});
