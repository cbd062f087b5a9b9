import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, compileOnBackends, expectError, nativeHas } from '../helpers';

interface BnFixture {
  shape: number[];
  axes: 'per-activation' | 'spatial';
  x: number[];
  paramShape: number[];
  gamma: number[];
  beta: number[];
  runningMean: number[];
  runningVar: number[];
  epsilon: number;
  factor: number;
  out: number[];
  mean: number[];
  invstd: number[];
  newRunningMean: number[];
  newRunningVar: number[];
  testOut: number[];
}
// made by test/fixtures/pool/make_pool.py from torch.nn.functional.batch_norm (training and eval)
const fixtures: { batchNorm: BnFixture[] } = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/pool/pool.json'), 'utf8'));
const { batchNormalizationTrain: bnTrain, batchNormalizationTest: bnTest } = T.nnet.bn;
const arr = (v: number[], shape: number[]) => T.array(v, { dtype: 'float64' }).reshape(shape);
const rnd = (shape: number[], seed: number, lo = -2, hi = 2) => new T.RandomState(seed).uniform(lo, hi, shape, 'float64');

describe('batch normalization', () => {
  describe('bad input', () => {
    it('rejects gamma and beta of the wrong shape naming both shapes', () => {
      const x = T.tensor('float64', [null, 3, null, null]);
      expectError(() => bnTrain(x, T.tensor('float64', [4]), T.dvector(), { axes: 'spatial' }), T.ShapeError, 'batchNormalizationTrain: gamma must have shape [3] or [1, 3, 1, 1] to match x [?, 3, ?, ?] normalized over axes [0, 2, 3], got [4]');
      expectError(() => bnTrain(T.dmatrix(), T.dmatrix(), T.tensor('float64', [null, null, null])), T.ShapeError, 'beta must have shape [?] or [1, ?]', 'got [?, ?, ?]');
      expectError(() => bnTest(x, T.dvector(), T.dvector(), T.dmatrix(), T.dvector(), { axes: 'spatial' }), T.ShapeError, 'batchNormalizationTest: mean must have shape [3] or [1, 3, 1, 1]', 'got [?, ?]');
    });
    it('rejects bad axes naming the valid forms, and an epsilon below 1e-5 (as Theano)', () => {
      const x = T.dmatrix();
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { axes: 'channel' as 'spatial' }), T.ArgumentError, "batchNormalizationTrain: axes must be 'per-activation', 'spatial' or a list of integer axes, got \"channel\"");
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { axes: [2] }), T.ArgumentError, 'axes must be in [0, 2) for x of rank 2, got [2]');
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { axes: [] }), T.ArgumentError, 'axes must name at least one axis, got []');
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { axes: [0, 0] }), T.ArgumentError, 'axes must not repeat an axis, got [0,0]');
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { epsilon: 1e-6 }), T.ArgumentError, 'epsilon must be a number >= 1e-5 (as Theano), got 0.000001');
    });
    it('rejects one running statistic without the other, a bad factor, and integer inputs', () => {
      const x = T.dmatrix();
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { runningMean: T.dvector() }), T.ArgumentError, 'runningMean and runningVar must be given together, got runningMean only');
      expectError(() => bnTrain(x, T.dvector(), T.dvector(), { runningAverageFactor: NaN }), T.ArgumentError, 'runningAverageFactor must be a finite number, got NaN');
      expectError(() => bnTrain(T.imatrix(), T.dvector(), T.ivector()), T.DTypeError, 'x must have a float dtype, got int32[?, ?]', 'beta must have a float dtype, got int32[?]');
    });
    it('reports parameters of the wrong run-time shape naming the node', () => {
      const x = T.dmatrix('x'), g = T.dvector('g'), b = T.dvector('b');
      const [y] = bnTrain(x, g, b);
      for (const [, f] of compileOnBackends([x, g, b], y)) {
        expectError(() => f([[1, 2], [3, 4]], [1, 2, 3], [0, 0]), T.RuntimeError, 'batchNormTrain: gamma must have shape [1, 2] to match x [2, 2] normalized over axes [0], got [1, 3]', 'node: batchNormTrain(x, ', 'created at: ');
      }
    });
  });

  describe('against torch (fixtures)', () => {
    for (const c of fixtures.batchNorm) {
      it(`${c.axes} on ${c.shape.join('x')}: training outputs, running averages and the test-mode output`, () => {
        const x = T.tensor('float64', c.shape.map(() => null), 'x');
        const ps = ['gamma', 'beta', 'rm', 'rv'].map((n) => T.tensor('float64', c.paramShape.map(() => null), n));
        const outs = bnTrain(x, ps[0], ps[1], { axes: c.axes, epsilon: c.epsilon, runningAverageFactor: c.factor, runningMean: ps[2], runningVar: ps[3] });
        expect(outs).toHaveLength(5);
        const test = bnTest(x, ps[0], ps[1], ps[2], ps[3], { axes: c.axes, epsilon: c.epsilon });
        const vals = [arr(c.x, c.shape), ...[c.gamma, c.beta, c.runningMean, c.runningVar].map((v) => arr(v, c.paramShape))];
        const want = [arr(c.out, c.shape), ...[c.mean, c.invstd, c.newRunningMean, c.newRunningVar].map((v) => arr(v, c.paramShape)), arr(c.testOut, c.shape)];
        for (const [, f] of compileOnBackends([x, ...ps], [...outs, test] as unknown as T.Variable)) {
          (f(...vals) as unknown as T.NDArray[]).forEach((r, i) => close(r, want[i].toArray() as T.NestedArray, 1e-10));
        }
      });
    }
    it('returns [out, mean, invstd] without running statistics, and statistics in the full-rank form for full-rank params', () => {
      const x = T.tensor4('x');
      expect(bnTrain(x, T.dvector(), T.dvector(), { axes: 'spatial' }).map((v) => v.ndim)).toEqual([4, 1, 1]);
      const r = bnTrain(x, T.tensor('float64', [1, null, 1, 1]), T.tensor('float64', [1, null, 1, 1]), { axes: 'spatial' });
      expect(r.map((v) => v.type.shape)).toEqual([[null, null, null, null], [1, null, 1, 1], [1, null, 1, 1]]);
    });
    it('normalizes over any axes, also ones leaving the kept axes apart', () => {
      const xv = rnd([3, 2, 4, 2], 4);
      const x = T.tensor('float64', [null, null, null, null], 'x');
      const [y, mean] = bnTrain(x, T.constant(T.ones([3, 1, 4, 1], 'float64')), T.constant(T.zeros([3, 1, 4, 1], 'float64')), { axes: [1, 3] });
      const ref = T.sub(x, T.mean(x, [1, 3], { keepdims: true })).div(T.sqrt(T.add(T.var(x, [1, 3], { keepdims: true }), 1e-4)));
      for (const [, f] of compileOnBackends([x], [y, ref, mean, T.mean(x, [1, 3], { keepdims: true })] as unknown as T.Variable)) {
        const [a, b, m, mr] = f(xv) as unknown as T.NDArray[];
        close(a, b.toArray() as T.NestedArray, 1e-12);
        close(m, mr.toArray() as T.NestedArray, 1e-12);
      }
    });
  });

  describe('gradients', () => {
    const g = rnd([3], 1, 0.5, 2), b = rnd([3], 2);
    it('of the training output w.r.t. x (through the batch statistics), gamma and beta agree with finite differences', () => {
      for (const axes of ['spatial', 'per-activation', [0, 2]] as const) {
        const xv = rnd([4, 3, 2, 3], 3);
        const gv = axes === 'per-activation' ? rnd([3, 2, 3], 5, 0.5, 2) : axes === 'spatial' ? g : rnd([3, 3], 6, 0.5, 2);
        const bv = axes === 'per-activation' ? rnd([3, 2, 3], 7) : axes === 'spatial' ? b : rnd([3, 3], 8);
        T.verifyGrad((x, gg, bb) => bnTrain(x, gg, bb, { axes })[0], [xv, gv, bv]);
      }
    });
    it('through mean, invstd and the new running statistics too', () => {
      const xv = rnd([5, 3], 9);
      T.verifyGrad((x, rm, rv) => {
        const [y, m, inv, nrm, nrv] = bnTrain(x, T.constant(g), T.constant(b), { runningMean: rm, runningVar: rv, runningAverageFactor: 0.3 });
        return T.sum(y.mul(y)).add(T.sum(m.mul(inv))).add(T.sum(T.sqr(nrm))).add(T.sum(nrv.mul(nrv)));
      }, [xv, rnd([3], 10), rnd([3], 11, 0.5, 2)]);
    });
    it('of second order (the gradient of BatchNormTrainGrad) agree with finite differences', () => {
      const w = T.constant(rnd([4, 3, 2, 2], 15));
      for (const [axes, ps] of [['spatial', [3]], ['per-activation', [3, 2, 2]], [[1], [4, 2, 2]]] as const) {
        T.verifyGrad((x, gg, bb) => {
          const [y, , inv] = bnTrain(x, gg, bb, { axes: axes as 'spatial' });
          const [dx, dg, db] = T.grad(T.sum(T.sqr(y).mul(w)).add(T.sum(inv)), [x, gg, bb]);
          return T.sum(T.sqr(dx)).add(T.sum(T.sqr(dg))).add(T.sum(db.mul(dg)));
        }, [rnd([4, 3, 2, 2], 16), rnd([...ps], 17, 0.5, 2), rnd([...ps], 18)]);
      }
    });
    it('of the test-mode output w.r.t. every input', () => {
      T.verifyGrad((x, gg, bb, m, v) => bnTest(x, gg, bb, m, v, { axes: 'spatial' }), [rnd([2, 3, 2, 2], 12), g, b, rnd([3], 13), rnd([3], 14, 0.5, 2)]);
    });
  });

  (nativeHas('BatchNormTrain', 'BatchNormTrainGrad') ? describe : describe.skip)('native agrees with TypeScript', () => {
    it('on random shapes and axes: outputs, running statistics and gradients, bit for bit', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 4 }), fc.constantFrom('per-activation', 'spatial', 'last'), fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), fc.integer({ min: 0, max: 1e6 }),
          (shape, which, dt, seed) => {
            const axes = which === 'last' ? [shape.length - 1] : (which as 'spatial');
            const kept = which === 'per-activation' ? shape.slice(1) : which === 'spatial' ? [shape[1]] : shape.slice(0, -1);
            const rng = new T.RandomState(seed);
            const x = T.tensor(dt, shape.map(() => null), 'x');
            const ps = ['g', 'b', 'rm', 'rv'].map((n) => T.tensor(dt, kept.map(() => null), n));
            const outs = bnTrain(x, ps[0], ps[1], { axes, runningMean: ps[2], runningVar: ps[3] });
            const all = [...outs, ...T.grad(T.sum(T.sqr(outs[0]).mul(x)).add(T.sum(outs[2])), [x, ps[0], ps[1]])];
            const vals = [rng.uniform(-2, 3, shape, dt), ...[0, 1, 2, 3].map(() => rng.uniform(0.5, 2, kept, dt))];
            const js = T.function([x, ...ps], all, { backend: 'js' })(...vals) as T.NDArray[];
            const nat = T.function([x, ...ps], all, { backend: 'native' })(...vals) as T.NDArray[];
            js.forEach((a, i) => {
              expect(nat[i].shape).toEqual(a.shape);
              expect(Array.from(nat[i].data)).toEqual(Array.from(a.data));
            });
          },
        ),
        { numRuns: 60 },
      );
    });
    it('on a tensor large enough to split its channels across the thread pool', () => {
      const rng = new T.RandomState(4);
      const xv = rng.uniform(-1, 2, [8, 64, 12, 12], 'float32');
      const x = T.tensor('float32', [null, null, null, null], 'x'), g = T.fvector('g'), b = T.fvector('b');
      const outs = bnTrain(x, g, b, { axes: 'spatial' });
      const all = [...outs, ...T.grad(T.sum(T.sqr(outs[0]).mul(x)), [x, g, b])];
      const vals = [xv, rng.uniform(0.5, 2, [64], 'float32'), rng.uniform(-1, 1, [64], 'float32')];
      const js = T.function([x, g, b], all, { backend: 'js' })(...vals) as T.NDArray[];
      const nat = T.function([x, g, b], all, { backend: 'native' })(...vals) as T.NDArray[];
      js.forEach((a, i) => expect(Array.from(nat[i].data)).toEqual(Array.from(a.data)));
    });
  });
});
