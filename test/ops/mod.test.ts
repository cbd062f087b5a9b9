import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, close, expectError } from '../helpers';
import { flat, NOT_TENSORS, run } from './support';

describe('mod', () => {
  describe('bad input', () => {
    it('rejects static shapes that cannot broadcast, naming the op and both arguments', () => {
      expectError(() => T.mod(T.tensor('float64', [2]), T.tensor('float64', [3])), T.ShapeError, 'mod: a and b must have broadcast-compatible shapes', 'a [2]', 'b [3]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op and the argument', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.mod(T.fvector(), bad), T.ArgumentError, 'mod: b must be', got);
        expectError(() => T.mod(bad, T.fvector()), T.ArgumentError, 'mod: a must be', got);
      }
    });
  });

  describe('forward and gradient', () => {
    it('takes the sign of the divisor (d/da = 1, d/db = -floor(a / b))', () =>
      checkOp({ fn: T.mod, inputs: [[7.5, -7.5, 7.5, -7.5, 5.5], [3, 3, -3, -3, 2]], expected: [1.5, 1.5, -1.5, -1.5, 1.5] }));
    it('has gradient 1 for a and -floor(a / b) for b', () => {
      const [a, b] = [T.dvector('a'), T.dvector('b')];
      const [ga, gb] = T.grad(T.sum(T.mod(a, b)), [a, b]);
      close(run([a, b], ga, [7.5, -7.5], [3, 3]), [1, 1]);
      close(run([a, b], gb, [7.5, -7.5], [3, 3]), [-2, 3]);
    });
    it('broadcasts a row against a column', () => checkOp({ fn: T.mod, inputs: [[[5], [-5]], [[3, -3]]], expected: [[2, -1], [1, -2]], noGrad: true }));
  });

  describe('edge values', () => {
    it('a zero remainder takes the sign of b; x mod 0 and inf mod x are NaN; x mod ±inf keeps x or gives ±inf (NumPy)', () => {
      const [a, b] = [T.dvector('a'), T.dvector('b')];
      const r = flat(run([a, b], T.mod(a, b), [6, 6, 5, Infinity, NaN, 5, 5, -5], [3, -3, 0, 2, 2, Infinity, -Infinity, Infinity]));
      expect(r.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(['0', '-0', 'NaN', 'NaN', 'NaN', '5', '-Infinity', 'Infinity']);
    });
    it('int32: mod 0 gives 0 (as NumPy); signs follow the divisor', () => {
      const [a, b] = [T.ivector('a'), T.ivector('b')];
      const r = run([a, b], T.mod(a, b), [7, -7, 7, -7, 5, -2147483648], [3, 3, -3, -3, 0, -1]);
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([1, 2, -2, -1, 0, 0]);
    });
    it('maps empty tensors to empty tensors', () => {
      const a = T.dmatrix('a');
      expect(run([a], T.mod(a, 2), T.zeros([3, 0], 'float64')).shape).toEqual([3, 0]);
    });
  });

  describe('method form', () => {
    it('x.mod(y) equals T.mod(x, y)', () => {
      const x = T.ivector('x');
      expect(flat(run([x], x.mod(4), [-1, 9]))).toEqual([3, 1]);
    });
  });
});
