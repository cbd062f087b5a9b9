import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, expectError, nativeHas } from '../helpers';
import { agreeExact, seed } from './shape-support';
import { flat, run } from './support';

describe('arange', () => {
  describe('bad input', () => {
    it('rejects a zero step and non-numeric start / step, listing every problem', () => {
      expectError(() => T.arange(0, 5, 0), T.ArgumentError, 'arange: step must not be 0');
      expectError(() => T.arange('a', 5, NaN), T.ArgumentError, 'arange: start must be a finite number, got "a"', 'step must be a finite number, got NaN');
      const x = T.fmatrix('x');
      expectError(() => T.arange(x.shape[0], 5), T.ArgumentError, 'arange: start must be a finite number, got x.shape[0] (int32[])');
    });
    it('rejects a stop that is not an int32 size, or data with a fractional start or step', () => {
      expectError(() => T.arange(0.5, T.iscalar('n')), T.ArgumentError, 'arange: stop must be a number or an integer, T.shapeI(y, i) or y.shape[i], or +, -, * of these', 'got n (int32[])');
      expectError(() => T.arange(0, T.dscalar('s')), T.ArgumentError, 'got s (float64[])');
      expectError(() => T.arange(0, Infinity), T.ArgumentError, 'stop must be a finite number, got Infinity');
    });
    it('rejects a length beyond any array and int32 values that would wrap around', () => {
      expectError(() => T.arange(0, 1e12), T.ArgumentError, 'arange: the length ceil((stop - start) / step) must be at most 2147483647, got 1000000000000');
      expectError(() => T.arange(0, 1, 1e-12), T.ArgumentError, 'must be at most 2147483647, got 1000000000000');
      expectError(() => T.arange(2 ** 31, 2 ** 31 + 2), T.ArgumentError, "arange: the values must fit int32 [-2147483648, 2147483647], got 2147483648 .. 2147483649 (pass dtype 'float64'");
      expectError(() => T.arange(0, 5e9, 2e9), T.ArgumentError, 'got 0 .. 4000000000');
      expectError(() => T.arange(-(2 ** 31) - 1, -(2 ** 31) + 1), T.ArgumentError, 'got -2147483649 .. -2147483648');
      expect(flat(run([], T.arange(2 ** 31, 2 ** 31 + 2, 1, 'float64')))).toEqual([2 ** 31, 2 ** 31 + 1]);
      expect(flat(run([], T.arange(2 ** 31 - 2, 2 ** 31)))).toEqual([2 ** 31 - 2, 2 ** 31 - 1]);
    });
    it('reports a symbolic length too large for an array at run time, naming the node', () => {
      for (const backend of backends) {
        const x = T.dmatrix('x');
        const f = T.function([x], T.arange(0, x.shape[0].mul(x.shape[1]).mul(2 ** 30), 1, 'float32'), { backend });
        expectError(() => f(T.zeros([2, 2], 'float64')), T.RuntimeError, 'arange: output shape[0] must be an integer in [0, 2147483647], got 4294967296', 'node: arange(0, ');
      }
    });
    it('rejects a bool or unknown dtype, and fractions for int32', () => {
      expectError(() => T.arange(3, undefined, 1, 'bool'), T.DTypeError, 'arange: dtype must be float32, float64 or int32, got "bool"');
      expectError(() => T.arange(3, undefined, 1, 'int8' as T.DType), T.DTypeError, 'got "int8"');
      expectError(() => T.arange(0, 1, 0.5, 'int32'), T.ArgumentError, 'arange: start, stop and step must be integers for dtype int32');
    });
  });

  describe('values', () => {
    it('counts from 0 with one argument, int32 for integers', () => {
      const r = run([], T.arange(4));
      expect(r.dtype).toBe('int32');
      expect(flat(r)).toEqual([0, 1, 2, 3]);
    });
    it('takes start, stop, step, negative steps and empty ranges', () => {
      expect(flat(run([], T.arange(2, 11, 3)))).toEqual([2, 5, 8]);
      expect(flat(run([], T.arange(5, 0, -2)))).toEqual([5, 3, 1]);
      expect(run([], T.arange(5, 0)).shape).toEqual([0]);
    });
    it('is floatX for fractions, with NumPy’s length ceil((stop - start) / step)', () => {
      const r = run([], T.arange(0, 1, 0.25));
      expect(r.dtype).toBe(T.config.floatX);
      expect(flat(r)).toEqual([0, 0.25, 0.5, 0.75]);
      expect(run([], T.arange(0, 1.1, 0.5, 'float64')).shape).toEqual([3]);
    });
    it('stops at a symbolic size: T.arange(x.shape[0]) and products of dims', () => {
      const x = T.dmatrix('x');
      const a = T.arange(x.shape[0]);
      expect(a.staticShape).toEqual([null]);
      expect(flat(run([x], a, [[1], [2], [3]]))).toEqual([0, 1, 2]);
      expect(flat(run([x], T.arange(1, x.shape[0].mul(x.shape[1]), 2, 'float64'), [[1, 2], [3, 4]]))).toEqual([1, 3]);
      expect(run([x], T.arange(x.shape[0]), T.zeros([0, 2], 'float64')).shape).toEqual([0]);
    });
    it('is static for numbers', () => {
      expect(T.arange(2, 11, 3).staticShape).toEqual([3]);
      expect(T.arange(T.tensor('float32', [4, null]).shape[0]).staticShape).toEqual([4]);
    });
  });

  describe.skipIf(!nativeHas('Arange'))('native agrees with the TypeScript reference', () => {
    it('random ranges of every dtype, with a symbolic stop', () => {
      fc.assert(
        fc.property(fc.integer({ min: -20, max: 20 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: -4, max: 4 }).filter((s) => s !== 0), fc.constantFrom<T.DType>('int32', 'float32', 'float64'), seed, (start, n, step, dt, sd) => {
          const v = T.zeros([n], 'float64');
          agreeExact((x) => T.arange(start, x.shape[0], step, dt), [v]);
          if (dt !== 'int32') agreeExact((x) => T.arange(start / 3 + (sd % 10) * 1e-3, x.shape[0], step * 0.3, dt), [v]);
        }),
        { numRuns: 40 },
      );
    });
  });
});

describe('arange with a stop known only from data', () => {
  it('takes an int32 scalar input as stop (start and step integers), and refuses a bad value at run time', () => {
    const n = T.iscalar('n');
    const f = T.function([n], T.arange(2, n, 3), { backend: 'js' });
    expect(Array.from((f(11) as T.NDArray).data)).toEqual([2, 5, 8]);
    expect(Array.from((f(1) as T.NDArray).data)).toEqual([]);
    const g = T.function([n], T.arange(n), { backend: 'js' });
    expect(() => g(-2)).toThrow(/arange: stop must be a non-negative integer, got -2/);
  });
});
