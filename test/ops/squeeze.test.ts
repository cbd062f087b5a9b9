import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { planMemory } from '../../lib/compile/memory-plan';
import { checkOp, expectError, nativeHas } from '../helpers';
import { agreeExact, anyDtype, randomValues, seed } from './shape-support';
import { NOT_TENSORS, run } from './support';

describe('squeeze', () => {
  describe('bad input', () => {
    it('rejects axes out of range or repeated', () => {
      const x = T.tensor('float32', [1, null, 1]);
      expectError(() => T.squeeze(x, 3), T.ArgumentError, 'squeeze: axes must be integers in [-3, 3), got 3');
      expectError(() => T.squeeze(x, [0, -3]), T.ArgumentError, 'squeeze: axes must not repeat, got [0,-3]');
    });
    it('rejects axes whose static size is not 1', () => {
      const x = T.tensor('float32', [2, 3, 1]);
      expectError(() => T.squeeze(x, [0, 1]), T.ShapeError, 'squeeze: axes 0, 1 must have size 1, got x of shape [2, 3, 1]');
    });
    it('checks unknown dims at run time', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.squeeze(x, 1), { backend: 'js' });
      expectError(() => f([[1, 2]]), T.RuntimeError, 'squeeze: axes 1 must have size 1, got x of shape [1, 2]');
    });
    it('rejects non-tensor arguments with an ArgumentError naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.squeeze(bad), T.ArgumentError, 'squeeze: x must be', got);
    });
  });

  describe('forward and gradient', () => {
    it('removes a given size-1 axis', () => checkOp({ fn: (x) => T.squeeze(x, 1), inputs: [[[1], [2], [3]]], expected: [1, 2, 3] }));
    it('removes several, counting negative axes from the end', () => checkOp({ fn: (x) => x.squeeze([0, -1]), inputs: [[[[1], [2]]]], expected: [1, 2] }));
    it('removes the last axis of a [1] vector, giving a scalar', () => checkOp({ fn: (x) => T.squeeze(x, 0), inputs: [[7]], expected: 7 }));
  });

  describe('static shapes', () => {
    it('without axes removes the dims statically known to be 1, else returns x', () => {
      expect(T.squeeze(T.tensor('float32', [1, null, 1, 3])).staticShape).toEqual([null, 3]);
      const x = T.fmatrix();
      expect(T.squeeze(x)).toBe(x);
    });
    it('keeps the dtype and empty dims', () => {
      const x = T.tensor('int32', [null, 1, null], 'x');
      const r = run([x], T.squeeze(x, 1), T.zeros([0, 1, 2], 'int32'));
      expect(r.shape).toEqual([0, 2]);
      expect(r.dtype).toBe('int32');
    });
  });

  describe('memory', () => {
    it('a squeeze of a temp is a view: the step is skipped and shares its input buffer', () => {
      const x = T.dmatrix('x');
      const f = T.function([x], T.exp(x).squeeze(1).mul(2), { backend: 'js' });
      const plan = planMemory(f.program, [[3, 1]], []);
      const t = f.program.steps.findIndex((s) => s.kernel === 'Squeeze');
      expect(plan.skip[t]).toBe(1);
      expect(plan.offsets[f.program.steps[t].outputs[0]]).toBe(plan.offsets[f.program.steps[t].inputs[0]]);
      expect(Array.from((f([[0], [1], [2]]) as T.NDArray).data)).toEqual([0, 1, 2].map((v) => 2 * Math.exp(v)));
    });
  });

  describe.skipIf(!nativeHas('Squeeze'))('native agrees with the TypeScript reference', () => {
    it('squeezes random shapes with size-1 dims, of every dtype, inputs and temps', () => {
      const shapes = fc.array(fc.constantFrom(0, 1, 1, 2, 3), { minLength: 1, maxLength: 5 });
      fc.assert(
        fc.property(shapes, anyDtype, seed, (s, dt, sd) => {
          const ones = s.flatMap((d, i) => (d === 1 ? [i] : []));
          if (!ones.length) return;
          const v = randomValues(s, dt, sd);
          agreeExact((x) => T.squeeze(x, ones), [v]);
          if (dt !== 'bool') agreeExact((x) => T.squeeze(T.neg(x), ones.slice(0, 1)), [v]);
        }),
        { numRuns: 40 },
      );
    });
  });
});
