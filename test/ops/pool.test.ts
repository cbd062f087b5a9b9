import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { close, compileOnBackends, expectError, nativeHas } from '../helpers';
import { NOT_TENSORS } from './support';

interface PoolFixture {
  shape: number[];
  x: number[];
  ws: number[];
  ignoreBorder: boolean;
  stride: number[];
  pad: number[];
  mode: T.PoolMode;
  outShape: number[];
  out: number[];
}
// made by test/fixtures/pool/make_pool.py (Theano's Pool.perform in NumPy, checked against torch where it agrees)
const fixtures: { pool: PoolFixture[] } = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/pool/pool.json'), 'utf8'));
const MODES: T.PoolMode[] = ['max', 'sum', 'average_inc_pad', 'average_exc_pad'];
const x4 = () => T.tensor4('x');
const f64 = (shape: number[], seed = 3) => new T.RandomState(seed).uniform(-2, 2, shape, 'float64');

describe('pool2d', () => {
  describe('bad input', () => {
    it('rejects windows and strides below 1, negative pads and pads not below the window, listing every problem', () => {
      expectError(() => T.signal.pool2d(x4(), { ws: [0, 2] }), T.ArgumentError, 'pool2d: ws must be two integers >= 1, got [0, 2]');
      expectError(() => T.signal.pool2d(x4(), { ws: [2, 2], stride: [1, 0] }), T.ArgumentError, 'pool2d: stride must be two integers >= 1, got [1, 0]');
      expectError(() => T.signal.pool2d(x4(), { ws: [2, 2], pad: [2, 0], ignoreBorder: true }), T.ArgumentError, 'pool2d: pad must be smaller than ws [2, 2] on each axis, got [2, 0]');
      expectError(() => T.signal.pool2d(x4(), { ws: [2, 2], pad: [-1, 0], ignoreBorder: true }), T.ArgumentError, 'pad must be two integers >= 0, got [-1, 0]');
      expectError(() => T.signal.pool2d(x4(), { ws: [2.5, 2], stride: [0, 1] }), T.ArgumentError, 'ws must be two integers >= 1, got [2.5, 2]', 'stride must be two integers >= 1, got [0, 1]');
      expectError(() => T.signal.pool2d(x4(), { ws: [2] }), T.ArgumentError, 'ws must be two integers >= 1, got [2]');
    });
    it('rejects a pad without ignoreBorder: true, as Theano', () => {
      expectError(() => T.signal.pool2d(x4(), { ws: [3, 3], pad: [1, 1] }), T.ArgumentError, 'pool2d: pad [1, 1] needs ignoreBorder: true (as in Theano), got ignoreBorder: false');
    });
    it('rejects an unknown mode naming the valid ones', () => {
      expectError(() => T.signal.pool2d(x4(), { ws: [2, 2], mode: 'avg' as T.PoolMode }), T.ArgumentError, "pool2d: mode must be one of 'max', 'sum', 'average_inc_pad', 'average_exc_pad', got \"avg\"");
    });
    it('rejects rank < 2 with a ShapeError and bool input with a DTypeError', () => {
      expectError(() => T.signal.pool2d(T.dvector('v'), { ws: [2, 2] }), T.ShapeError, 'pool2d: input must have rank >= 2 (pooling its last two axes), got float64[?]');
      expectError(() => T.signal.pool2d(T.tensor('bool', [null, null]), { ws: [2, 2] }), T.DTypeError, 'pool2d: input must have a numeric dtype, got bool[?, ?]');
    });
    it('rejects non-tensor input naming the op', () => {
      for (const [bad, got] of NOT_TENSORS) expectError(() => T.signal.pool2d(bad, { ws: [2, 2] }), T.ArgumentError, 'pool2d: input must be', got);
    });
  });

  describe('forward against Theano (fixtures)', () => {
    it(`matches every fixture case (${fixtures.pool.length}: each mode, with and without ignoreBorder and padding, odd sizes, strides != ws)`, () => {
      for (const c of fixtures.pool) {
        const x = T.tensor('float64', c.shape.map(() => null), 'x');
        const y = T.signal.pool2d(x, { ws: c.ws, ignoreBorder: c.ignoreBorder, stride: c.stride, pad: c.pad, mode: c.mode });
        const xv = T.array(c.x, { dtype: 'float64' }).reshape(c.shape);
        const want = T.array(c.out, { dtype: 'float64' }).reshape(c.outShape);
        for (const [, f] of compileOnBackends([x], y)) close(f(xv) as T.NDArray, want.toArray() as T.NestedArray, 1e-12);
      }
    });
    it('has Theano 1.0 defaults: stride = ws, ignoreBorder false (partial windows kept), mode max', () => {
      const x = T.dmatrix('x');
      const v = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10], [11, 12, 13, 14, 15]];
      const f = T.function([x], T.nnet.pool2d(x, { ws: [2, 2] }));
      close(f(v) as T.NDArray, [[7, 9, 10], [12, 14, 15]]);
      expect(T.signal.pool2d(T.tensor('float64', [2, 3, 5, 5]), { ws: [2, 2] }).type.shape).toEqual([2, 3, 3, 3]);
      expect(T.signal.pool2d(T.tensor('float64', [2, 3, 5, 5]), { ws: [2, 2], ignoreBorder: true }).type.shape).toEqual([2, 3, 2, 2]);
      expect(T.signal.pool2d(T.tensor('float64', [null, 3, 5, null]), { ws: [3, 3], stride: [2, 1], ignoreBorder: true, pad: [1, 1] }).type.shape).toEqual([null, 3, 3, null]);
    });
    it('divides by the padded window for average_inc_pad and by the real elements for average_exc_pad', () => {
      const x = T.dmatrix('x');
      const v = [[4, 8], [12, 16]];
      const pool = (mode: T.PoolMode) => T.function([x], T.signal.pool2d(x, { ws: [2, 2], pad: [1, 1], ignoreBorder: true, mode }))(v) as T.NDArray;
      close(pool('average_inc_pad'), [[1, 2], [3, 4]]);
      close(pool('average_exc_pad'), [[4, 8], [12, 16]]);
      close(pool('sum'), [[4, 8], [12, 16]]);
      close(pool('max'), [[4, 8], [12, 16]]);
    });
    it('propagates NaN through max, casts int32 input to floatX, and pools empty planes to nothing', () => {
      const x = T.dmatrix('x');
      const r = T.function([x], T.signal.pool2d(x, { ws: [2, 2] }))([[1, NaN], [3, 4]]) as T.NDArray;
      expect(Number.isNaN(r.data[0])).toBe(true);
      const i = T.imatrix('i');
      const y = T.signal.pool2d(i, { ws: [2, 1], mode: 'average_exc_pad' });
      expect(y.dtype).toBe(T.config.floatX);
      close(T.function([i], y)(T.array([[1, 2], [4, 4]], { dtype: 'int32' })) as T.NDArray, [[2.5, 3]]);
      for (const [, f] of compileOnBackends([x], T.signal.pool2d(x, { ws: [2, 3] }))) expect((f(T.zeros([0, 4], 'float64')) as T.NDArray).shape).toEqual([0, 2]);
    });
  });

  describe('gradients', () => {
    it('agree with finite differences in every mode, with padding and with partial windows', () => {
      const v = f64([2, 2, 5, 6]);
      for (const mode of MODES) {
        T.verifyGrad((a) => T.signal.pool2d(a, { ws: [3, 2], stride: [2, 1], pad: [1, 1], ignoreBorder: true, mode }), [v]);
        T.verifyGrad((a) => T.signal.pool2d(a, { ws: [2, 3], stride: [3, 2], mode }), [v]);
      }
    });
    it('route the max gradient to every position holding the max (ties each get it, as Theano)', () => {
      const x = T.dmatrix('x');
      const g = T.grad(T.sum(T.signal.pool2d(x, { ws: [2, 2] })), x);
      for (const [, f] of compileOnBackends([x], g)) close(f([[1, 1, 0], [0, 1, 2], [5, 5, 5]]) as T.NDArray, [[1, 1, 0], [0, 1, 1], [1, 1, 1]]);
    });
    it('have second-order gradients: through average and sum pooling and through MaxPoolGradGrad', () => {
      const v = f64([1, 2, 5, 5], 11);
      for (const mode of MODES) {
        const opts = { ws: [2, 3], stride: [1, 2], pad: [1, 1], ignoreBorder: true, mode } as const;
        T.verifyGrad((a) => T.grad(T.sum(T.sqr(T.signal.pool2d(a, opts))), a), [v]);
        // d/dgz of the gradient op: the gradient's gradient w.r.t. the incoming gradient
        T.verifyGrad((a, w) => T.grad(T.sum(T.signal.pool2d(a, opts).mul(w)), a), [v, f64(T.signal.pool2d(T.constant(v), opts).type.shape as number[], 5)]);
      }
    });
  });

  (nativeHas('Pool', 'MaxPoolGrad', 'AveragePoolGrad', 'MaxPoolGradGrad') ? describe : describe.skip)('native agrees with TypeScript', () => {
    it('on random shapes, windows, strides, pads and modes: values, gradients and second-order gradients', () => {
      fc.assert(
        fc.property(
          fc.record({
            n: fc.integer({ min: 1, max: 3 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }),
            wh: fc.integer({ min: 1, max: 4 }), ww: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
            ib: fc.boolean(), padded: fc.boolean(), mode: fc.constantFrom(...MODES), dt: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), seed: fc.integer({ min: 0, max: 1e6 }),
          }),
          ({ n, h, w, wh, ww, sh, sw, ib, padded, mode, dt, seed }) => {
            const pad = ib && padded ? [Math.floor((wh - 1) / 2), ww - 1] : [0, 0];
            const xv = new T.RandomState(seed).uniform(-3, 3, [n, 2, h, w], dt);
            const x = T.tensor(dt, [null, null, null, null], 'x');
            const y = T.signal.pool2d(x, { ws: [wh, ww], stride: [sh, sw], ignoreBorder: ib, pad, mode });
            const g = T.grad(T.sum(T.sqr(y)), x);
            const outs = [y, g, T.grad(T.sum(T.sqr(g)), x)];
            const js = T.function([x], outs, { backend: 'js' })(xv) as T.NDArray[];
            const nat = T.function([x], outs, { backend: 'native' })(xv) as T.NDArray[];
            js.forEach((a, i) => {
              expect(nat[i].shape).toEqual(a.shape);
              expect(Array.from(nat[i].data)).toEqual(Array.from(a.data)); // same arithmetic in the same order
            });
          },
        ),
        { numRuns: 80 },
      );
    });
    it('on tiled windows (stride = ws, no pad: the branch-free path) with ties, NaN, -0 gradients and uncovered edges', () => {
      // values from a small set, so windows tie; a NaN in some windows; -0 among the incoming gradients
      const rng = new T.RandomState(8);
      for (const [h, w, ws] of [[6, 8, 2], [7, 9, 2], [9, 7, 3], [4, 6, 1], [5, 5, 4]] as const) {
        for (const dt of ['float32', 'float64'] as const) {
          const raw = rng.randint(0, 3, [3, 2, h, w]).data;
          const xv = new T.NDArray(Float64Array.from(raw, (v, i) => (i % 37 === 5 ? NaN : v - 1)), [3, 2, h, w], 'float64').astype(dt);
          const x = T.tensor(dt, [null, null, null, null], 'x');
          const gz = T.tensor(dt, [null, null, null, null], 'gz');
          const y = T.signal.pool2d(x, { ws: [ws, ws], ignoreBorder: true });
          const [gx] = T.grad(T.sum(y.mul(gz)), [x]);
          const oh = Math.floor(h / ws), ow = Math.floor(w / ws);
          const gv = new T.NDArray(Float64Array.from({ length: 6 * oh * ow }, (_, i) => (i % 3 === 0 ? -0 : i - 5)), [3, 2, oh, ow], 'float64').astype(dt);
          const js = T.function([x, gz], [y, gx], { backend: 'js' })(xv, gv) as T.NDArray[];
          const nat = T.function([x, gz], [y, gx], { backend: 'native' })(xv, gv) as T.NDArray[];
          js.forEach((a, i) => {
            expect(nat[i].shape).toEqual(a.shape);
            Array.from(a.data).forEach((v, k) => expect(Object.is(nat[i].data[k], v) || (Number.isNaN(v) && Number.isNaN(nat[i].data[k]))).toBe(true));
          });
        }
      }
    });
    it('on a tensor large enough to split its planes across the thread pool', () => {
      const xv = new T.RandomState(3).uniform(-1, 1, [16, 16, 24, 24], 'float32');
      const x = T.tensor('float32', [null, null, null, null], 'x');
      for (const mode of ['max', 'average_inc_pad'] as const) {
        const y = T.signal.pool2d(x, { ws: [3, 3], stride: [2, 2], pad: [1, 1], ignoreBorder: true, mode });
        const outs = [y, T.grad(T.sum(T.sqr(y)), x)];
        const js = T.function([x], outs, { backend: 'js' })(xv) as T.NDArray[];
        const nat = T.function([x], outs, { backend: 'native' })(xv) as T.NDArray[];
        js.forEach((a, i) => expect(Array.from(nat[i].data)).toEqual(Array.from(a.data)));
      }
    });
  });
});
