import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError, nativeHas } from '../helpers';
import { flat, run } from './support';

const oneHot = T.nnet.oneHot;

describe('oneHot', () => {
  describe('bad input', () => {
    it('rejects float labels, a bad dtype and nClasses <= 0, listing every problem', () => {
      expectError(() => oneHot(T.dvector('y'), 3), T.DTypeError, 'oneHot: labels must have dtype int32, got float64[?]');
      expectError(() => oneHot(T.ivector('y'), 0), T.ArgumentError, 'oneHot: nClasses must be a positive integer, got number 0');
      expectError(() => oneHot(T.ivector('y'), 2.5, 'int64' as never), T.DTypeError, 'nClasses must be a positive integer, got number 2.5', 'dtype must be one of float32, float64, int32, bool, got "int64"');
    });
    it('reports a label out of range at run time as a RuntimeError naming the op, on every backend', () => {
      const y = T.ivector('y');
      for (const backend of ['js', ...(nativeHas('OneHot') ? ['native' as const] : [])] as ('js' | 'native')[]) {
        const f = T.function([y], oneHot(y, 3), { backend });
        for (const bad of [[0, 3], [-1]]) {
          const at = bad.length - 1;
          expectError(() => f(T.array(bad, { dtype: 'int32' })), T.RuntimeError, `oneHot: labels[${at}] must be in [0, 3), got ${bad[at]}`, 'node: oneHot(y');
        }
      }
    });
  });

  it('encodes labels of any rank in the requested dtype', () => {
    const y = T.ivector('y');
    const out = run([y], oneHot(y, 3), T.array([2, 0, 1], { dtype: 'int32' }));
    expect(out.dtype).toBe(T.config.floatX);
    expect(out.shape).toEqual([3, 3]);
    expect(flat(out)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    const m = T.imatrix('m');
    const b = run([m], oneHot(m, 2, 'bool'), T.array([[1], [0]], { dtype: 'int32' }));
    expect([b.dtype, b.shape, flat(b)]).toEqual(['bool', [2, 1, 2], [0, 1, 1, 0]]);
    expect(oneHot(T.tensor('int32', [4]), 5, 'int32').type.toString()).toBe('int32[4, 5]');
    expect(run([y], oneHot(y, 4), T.zeros([0], 'int32')).shape).toEqual([0, 4]);
  });

  (nativeHas('OneHot') ? it : it.skip)('native agrees with TypeScript on random labels and dtypes', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }), fc.integer({ min: 1, max: 6 }), fc.constantFrom<T.DType>('float32', 'float64', 'int32', 'bool'), fc.integer({ min: 0, max: 1e6 }), (s, k, dt, seed) => {
        const n = s.reduce((a, b) => a * b, 1);
        const labels = T.array(Array.from({ length: n }, (_, i) => (seed * 31 + i * 17) % k), { dtype: 'int32' }).reshape(s);
        const y = T.tensor('int32', s.map(() => null), 'y');
        const js = T.function([y], oneHot(y, k, dt), { backend: 'js' })(labels) as T.NDArray;
        const nat = T.function([y], oneHot(y, k, dt), { backend: 'native' })(labels) as T.NDArray;
        expect([nat.dtype, nat.shape, flat(nat)]).toEqual([js.dtype, js.shape, flat(js)]);
      }),
      { numRuns: 50 },
    );
  });
});
