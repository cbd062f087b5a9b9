import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, randomValues } from './shape-support';
import { flat, NOT_TENSORS, run } from './support';

describe('fill', () => {
  describe('bad input', () => {
    it('rejects a value of higher rank or a static shape that does not broadcast', () => {
      expectError(() => T.fill(T.fvector(), T.fmatrix()), T.ShapeError, 'fill: value must have rank <= 1 to fill like [?], got [?, ?]');
      expectError(() => T.fill(T.tensor('float32', [2, 3]), T.tensor('float32', [2])), T.ShapeError, 'fill: value must broadcast to like [2, 3], got [2]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) {
        expectError(() => T.fill(bad, 1), T.ArgumentError, 'fill: like must be', got);
        expectError(() => T.fill(T.fvector(), bad), T.ArgumentError, 'fill: value must be', got);
      }
    });
  });

  describe('values and gradient', () => {
    it("fills like's run-time shape with a number of like's dtype", () => {
      const x = T.imatrix('x');
      const r = run([x], T.fill(x, 7), [[1, 2, 3]]);
      expect(r.dtype).toBe('int32');
      expect(r.shape).toEqual([1, 3]);
      expect(flat(r)).toEqual([7, 7, 7]);
    });
    it('broadcasts a tensor value; its gradient sums over the broadcast dims', () =>
      checkOp({ fn: (v) => T.fill(T.constant(T.zeros([2, 3], 'float64')), v).mul(T.arange(3)), inputs: [[2]], expected: [[0, 2, 4], [0, 2, 4]] }));
  });

  describe.skipIf(!nativeHas('BroadcastTo'))('native', () => {
    it('fill, zerosLike and onesLike run natively and agree with the TypeScript reference, empty included', () => {
      for (const s of [[2, 3], [0, 4], [1], []]) {
        const v = randomValues(s, 'float32', 3);
        agreeExact((x) => T.fill(x, 2.5), [v]);
        agreeExact((x) => T.zerosLike(x), [v]);
        agreeExact((x) => T.onesLike(x), [v]);
        const x = T.tensor('float32', s.map(() => null));
        expect(T.function([x], T.onesLike(x), { backend: 'native' }).info().backend).toBe('native');
      }
    });
  });
});
