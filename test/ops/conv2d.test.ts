import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, compileOnBackends, expectError } from '../helpers';

const { conv2d } = T.nnet;
const t4 = (shape: (number | null)[], name = 'x', dt: T.DType = 'float64') => T.tensor(dt, shape, name);

interface Fixture {
  name: string;
  opts: T.Conv2dOptions;
  x: T.NestedArray;
  w: T.NestedArray;
  y: T.NestedArray;
  xShape: number[];
  wShape: number[];
  yShape: number[];
}
const fixtures = JSON.parse(fs.readFileSync(path.join(__dirname, '../fixtures/conv/conv.json'), 'utf8')) as {
  cases: Fixture[];
  scipy: { x: number[][]; w: number[][]; full: number[][]; valid: number[][] };
};

describe('conv2d', () => {
  describe('bad input', () => {
    it('names both shapes when the filters do not take the input channels', () => {
      expectError(() => conv2d(t4([2, 3, 5, 5]), t4([4, 2, 3, 3], 'w')), T.ShapeError, 'conv2d: filters must have 3 input channels in dim 1 to match input [2, 3, 5, 5], got filters [4, 2, 3, 3]');
      expectError(() => conv2d(t4([2, 6, 5, 5]), t4([4, 2, 3, 3], 'w'), { numGroups: 2 }), T.ShapeError, 'filters must have 3 input channels per group (C / numGroups = 6 / 2) in dim 1 to match input [2, 6, 5, 5], got filters [4, 2, 3, 3]');
    });
    it('rejects a filter larger than the padded input, naming the axis and both shapes', () => {
      expectError(() => conv2d(t4([1, 1, 4, 6]), t4([1, 1, 5, 3], 'w')), T.ShapeError, "conv2d: the filter's height 5 must fit the padded input height 4 + 2 * 0 = 4, got input [1, 1, 4, 6] and filters [1, 1, 5, 3]");
      expectError(() => conv2d(t4([1, 1, 6, 6]), t4([1, 1, 3, 3], 'w'), { filterDilation: [3, 1] }), T.ShapeError, "the filter's height 3 (dilated to 7) must fit the padded input height 6");
      // padding makes it fit
      expect(conv2d(t4([1, 1, 4, 6]), t4([1, 1, 5, 3], 'w'), { borderMode: [1, 0] }).type.shape).toEqual([1, 1, 2, 4]);
    });
    it('rejects strides and dilations < 1, bad border modes, groups and option types, listing every problem', () => {
      const x = t4([1, 4, 5, 5]);
      const w = t4([2, 4, 3, 3], 'w');
      expectError(() => conv2d(x, w, { subsample: [0, 1] }), T.ArgumentError, 'conv2d: subsample must be a pair of integer strides >= 1 [sh, sw], got [0,1]');
      expectError(() => conv2d(x, w, { filterDilation: [1, 0], borderMode: 'same' as never, filterFlip: 1 as never }), T.ArgumentError, 'filterDilation must be a pair of integer dilations >= 1', "borderMode must be 'valid', 'full', 'half', a padding n >= 0 or [padH, padW], got \"same\"", 'filterFlip must be a boolean, got 1');
      expectError(() => conv2d(x, w, { numGroups: 1.5 }), T.ArgumentError, 'numGroups must be an integer >= 1, got 1.5');
      expectError(() => conv2d(x, w, { borderMode: -1 }), T.ArgumentError, 'borderMode must be');
      expectError(() => conv2d(x, w, { strides: [1, 1] } as never), T.ArgumentError, 'unknown option "strides"');
      expectError(() => conv2d(x, w, 'valid' as never), T.ArgumentError, 'conv2d: options must be an object, got "valid"');
      expectError(() => conv2d(t4([1, 4, 5, 5]), t4([4, 4, 3, 3], 'w'), { numGroups: 3 }), T.ShapeError, 'numGroups 3 must divide the input channels of input [1, 4, 5, 5]', 'numGroups 3 must divide the output channels');
    });
    it('rejects a 3-D input or filters where 4-D is needed, and non-float dtypes', () => {
      expectError(() => conv2d(T.tensor3('x', 'float64'), t4([2, 3, 3, 3], 'w')), T.ShapeError, 'conv2d: input must have rank 4 [N, C, H, W], got rank 3 [?, ?, ?]', 'conv1d takes [N, C, W]');
      expectError(() => conv2d(t4([1, 3, 5, 5]), T.dmatrix('w')), T.ShapeError, 'filters must have rank 4 [K, C / numGroups, kh, kw], got rank 2');
      expectError(() => conv2d(T.tensor('int32', [1, 1, 3, 3]), T.tensor('bool', [1, 1, 2, 2])), T.DTypeError, 'conv2d: input must have a float dtype, got int32[1, 1, 3, 3]; filters must have a float dtype, got bool[1, 1, 2, 2]');
    });
    it('checks shape hints against static shapes, and at run time naming the node', () => {
      expectError(() => conv2d(t4([2, 3, 5, 5]), t4([4, 3, 3, 3], 'w'), { inputShape: [2, 4, null, null] }), T.ShapeError, 'input must match its shape hint [2, 4, ?, ?], got [2, 3, 5, 5]');
      expectError(() => conv2d(t4([2, 3, 5, 5]), t4([4, 3, 3, 3], 'w'), { inputShape: [2, 3] as never }), T.ArgumentError, 'inputShape must be 4 sizes');
      const x = t4([null, null, null, null]);
      const w = t4([null, null, null, null], 'w');
      const y = conv2d(x, w, { inputShape: [null, 1, 28, 28], filterShape: [20, 1, 5, 5] });
      expect(y.type.shape).toEqual([null, 20, 24, 24]);
      for (const [, f] of compileOnBackends([x, w], y)) {
        expectError(() => f(T.zeros([1, 1, 27, 28], 'float64'), T.zeros([20, 1, 5, 5], 'float64')), T.RuntimeError, 'conv2d: input must match its shape hint [?, 1, 28, 28], got [1, 1, 27, 28]', 'node: conv2d(x, w');
      }
    });
    it('reports run-time shape problems naming the node, on every backend', () => {
      const x = T.tensor4('x', 'float64');
      const w = T.tensor4('w', 'float64');
      for (const [, f] of compileOnBackends([x, w], conv2d(x, w))) {
        expectError(() => f(T.zeros([1, 3, 5, 5], 'float64'), T.zeros([2, 2, 3, 3], 'float64')), T.RuntimeError, 'conv2d: filters must have 3 input channels in dim 1 to match input [1, 3, 5, 5], got filters [2, 2, 3, 3]', 'node: conv2d(x, w)');
        expectError(() => f(T.zeros([1, 3, 2, 5], 'float64'), T.zeros([2, 3, 3, 3], 'float64')), T.RuntimeError, "the filter's height 3 must fit the padded input height 2");
      }
    });
  });

  describe('forward', () => {
    for (const c of fixtures.cases) {
      it(`matches torch: ${c.name}`, () => {
        const st = conv2d(t4(c.xShape), t4(c.wShape, 'w'), c.opts);
        expect(st.type.shape).toEqual(c.yShape);
        for (const dt of ['float64', 'float32'] as const) {
          const xv = T.array(c.x, { dtype: dt });
          const wv = T.array(c.w, { dtype: dt });
          const [xs, ws] = [T.tensor(dt, [null, null, null, null], 'x'), T.tensor(dt, [null, null, null, null], 'w')];
          for (const [, f] of compileOnBackends([xs, ws], conv2d(xs, ws, c.opts))) {
            const out = f(xv, wv) as T.NDArray;
            expect(out.dtype).toBe(dt);
            close(out, c.y, dt === 'float64' ? 1e-10 : 1e-5);
          }
        }
      });
    }
    it('is a true convolution by default: scipy.signal.convolve2d, full and valid', () => {
      const s = fixtures.scipy;
      const x = T.dmatrix('x');
      const w = T.dmatrix('w');
      const as4 = (v: T.Variable) => T.expandDims(v, [0, 1]);
      for (const mode of ['full', 'valid'] as const) {
        const y = T.squeeze(conv2d(as4(x), as4(w), { borderMode: mode }), [0, 1]);
        for (const [, f] of compileOnBackends([x, w], y)) close(f(s.x, s.w) as T.NDArray, s[mode], 1e-12);
      }
    });
    it('handles empty batches, channels and filter banks (zero gradients), on every backend', () => {
      const x = T.tensor4('x', 'float64');
      const w = T.tensor4('w', 'float64');
      const y = conv2d(x, w, { borderMode: 'half' });
      const outs = [y, ...T.grad(T.sum(T.sqr(y)), [x, w])];
      const cases: [number[], number[], number[]][] = [[[0, 2, 5, 5], [3, 2, 3, 3], [0, 3, 5, 5]], [[2, 0, 5, 5], [3, 0, 3, 3], [2, 3, 5, 5]], [[2, 2, 5, 5], [0, 2, 3, 3], [2, 0, 5, 5]]];
      for (const backend of backends) {
        const f = T.function([x, w], outs, { backend });
        for (const [xs, ws, ys] of cases) {
          const r = f(T.ones(xs, 'float64'), T.ones(ws, 'float64')) as T.NDArray[];
          expect(r.map((a) => a.shape)).toEqual([ys, xs, ws]);
          for (const a of r) expect(Array.from(a.data).every((v) => v === 0)).toBe(true);
        }
      }
    });
    it('refines static shapes from hints and infers Theano output sizes', () => {
      const w = t4([8, 3, 4, 3], 'w');
      expect(conv2d(t4([2, 3, 10, 9]), w, { borderMode: 'half' }).type.shape).toEqual([2, 8, 11, 9]);
      expect(conv2d(t4([2, 3, 10, 9]), w, { borderMode: 'full', subsample: [3, 2] }).type.shape).toEqual([2, 8, 5, 6]);
      expect(conv2d(t4([null, 3, 10, 9]), w, { inputShape: [5, null, null, null] }).type.shape).toEqual([5, 8, 7, 7]);
    });
  });
});
