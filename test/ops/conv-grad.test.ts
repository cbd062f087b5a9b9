import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, compileOnBackends, expectError, nativeHas } from '../helpers';
import { flat } from './support';

const { conv2d, conv2dGradWrtInputs, conv2dGradWrtWeights } = T.nnet;
const rng = new T.RandomState(21);
const U = (shape: number[], dt: T.FloatX = 'float64') => rng.uniform(-1, 1, shape, dt);
const t4 = (shape: (number | null)[], name: string) => T.tensor('float64', shape, name);

// [input shape, filter shape, options]: every option, alone and together
const OPTION_CASES: [number[], number[], T.Conv2dOptions][] = [
  [[2, 2, 5, 4], [3, 2, 3, 2], {}],
  [[1, 2, 4, 5], [2, 2, 2, 3], { borderMode: 'full', filterFlip: false }],
  [[1, 1, 5, 6], [2, 1, 3, 4], { borderMode: 'half' }],
  [[2, 1, 7, 6], [2, 1, 3, 3], { borderMode: [2, 1], subsample: [2, 3] }],
  [[1, 2, 7, 7], [2, 2, 2, 3], { filterDilation: [2, 3], borderMode: 1 }],
  [[1, 4, 5, 5], [4, 2, 3, 3], { numGroups: 2, subsample: [2, 1], borderMode: 'half', filterFlip: false }],
  [[1, 3, 6, 5], [3, 1, 3, 2], { numGroups: 3, filterDilation: [1, 2], borderMode: 'full', subsample: [3, 2] }],
];

describe('conv2d gradients', () => {
  describe('bad input', () => {
    it('conv2dGradWrtInputs needs the spatial sizes when strides make them ambiguous, and checks the shapes', () => {
      const gy = t4([2, 4, 3, 3], 'gy');
      const w = t4([4, 3, 3, 3], 'w');
      expectError(() => conv2dGradWrtInputs(gy, w, [2, 3, null, 7], { subsample: [2, 2] }), T.ArgumentError, 'conv2dGradWrtInputs: inputShape must give the spatial sizes', 'got [2, 3, ?, 7]');
      expectError(() => conv2dGradWrtInputs(gy, w, 'abc' as never), T.ArgumentError, 'inputShape must be 4 sizes [N, C, H, W] (or the 2 spatial ones)');
      expectError(() => conv2dGradWrtInputs(gy, w, [2, 3, 9, 9]), T.ShapeError, 'conv2dGradWrtInputs: outputGrad must have shape [2, 4, 7, 7] (the convolution\'s output), got [2, 4, 3, 3]');
      expectError(() => conv2dGradWrtInputs(gy, w, [2, 5, 5, 5]), T.ShapeError, 'inputShape [2, 5, 5, 5] must match the shapes of outputGrad [2, 4, 3, 3] and filters [4, 3, 3, 3]');
      expectError(() => conv2dGradWrtInputs(gy, w, [5, 5], { filterFlip: 'no' as never }), T.ArgumentError, 'filterFlip must be a boolean, got "no"');
      expectError(() => conv2dGradWrtInputs(T.tensor3('gy', 'float64'), w, [5, 5]), T.ShapeError, 'outputGrad must have rank 4 [N, K, OH, OW]');
    });
    it('conv2dGradWrtWeights checks its filter shape against the input and the output gradient', () => {
      const x = t4([2, 3, 6, 6], 'x');
      expectError(() => conv2dGradWrtWeights(x, t4([2, 4, 4, 4], 'gy'), [4, 3, 2, 2]), T.ShapeError, 'outputGrad must have shape [2, 4, 5, 5]');
      expectError(() => conv2dGradWrtWeights(x, t4([2, 4, 4, 4], 'gy'), [4, 2, 3, 3]), T.ShapeError, 'filterShape [4, 2, 3, 3] must match');
      expectError(() => conv2dGradWrtWeights(x, t4([2, 4, 2, 2], 'gy'), [null, null, null, null], { subsample: [2, 2] }), T.ArgumentError, 'filterShape must give the spatial sizes');
      expectError(() => conv2dGradWrtWeights(T.tensor('int32', [2, 3, 6, 6]), t4([2, 4, 4, 4], 'gy'), [4, 3, 3, 3]), T.DTypeError, 'conv2dGradWrtWeights: input must have a float dtype');
    });
    it('reports run-time mismatches naming the node', () => {
      const gy = T.tensor4('gy', 'float64');
      const w = T.tensor4('w', 'float64');
      const dx = conv2dGradWrtInputs(gy, w, [null, null, 5, 5]);
      for (const [, f] of compileOnBackends([gy, w], dx)) {
        expectError(() => f(T.zeros([1, 2, 4, 4], 'float64'), T.zeros([2, 1, 3, 3], 'float64')), T.RuntimeError, 'conv2dGradWrtInputs: outputGrad must have shape [1, 2, 3, 3]', 'node: conv2dGradWrtInputs(gy, w)');
      }
    });
  });

  describe('the gradient ops', () => {
    it('fill spatial sizes that stride 1 determines, and equal T.grad of conv2d', () => {
      const x = t4([2, 3, 6, 5], 'x');
      const w = t4([4, 3, 3, 2], 'w');
      const gy = t4([2, 4, 4, 4], 'gy');
      expect(conv2dGradWrtInputs(gy, w, [null, null, null, null]).type.shape).toEqual([2, 3, 6, 5]);
      expect(conv2dGradWrtWeights(x, gy, [null, null, null, null]).type.shape).toEqual([4, 3, 3, 2]);
      const X = U([2, 3, 6, 5]);
      const W = U([4, 3, 3, 2]);
      const G = U([2, 4, 4, 4]);
      const cost = T.sum(T.mul(conv2d(x, w), gy));
      const [gx, gw] = T.grad(cost, [x, w]);
      const f = T.function([x, w, gy], [gx, gw, conv2dGradWrtInputs(gy, w, [6, 5]), conv2dGradWrtWeights(x, gy, [4, 3, 3, 2])], { backend: 'js' });
      const [a, b, c, d] = f(X, W, G) as T.NDArray[];
      close(c.reshape([c.size]), flat(a), 1e-12);
      close(d.reshape([d.size]), flat(b), 1e-12);
    });
    it('take int32 scalar variables as spatial sizes (symbolic, as Theano allows), on every backend', () => {
      const gy = T.tensor4('gy', 'float64');
      const w = T.tensor4('w', 'float64');
      const x = T.tensor4('x', 'float64');
      const h = T.iscalar('h');
      const wd = T.iscalar('wd');
      const kh = T.iscalar('kh');
      const opts: T.Conv2dOptions = { subsample: [2, 2], borderMode: 1 };
      const dx = conv2dGradWrtInputs(gy, w, [null, null, h, wd], opts);
      const dw = conv2dGradWrtWeights(x, gy, [null, null, kh, 3], opts);
      expect(dx.type.shape).toEqual([null, null, null, null]);
      expect(dw.type.shape[3]).toBe(3);
      const X = U([2, 2, 7, 8]);
      const W = U([3, 2, 3, 3]);
      const Y = T.function([x, w], conv2d(x, w, opts), { backend: 'js' })(X, W) as T.NDArray;
      const G = U(Y.shape);
      const want = T.function([x, w, gy], T.grad(T.sum(T.mul(conv2d(x, w, opts), gy)), [x, w]), { backend: 'js' })(X, W, G) as T.NDArray[];
      for (const backend of backends) {
        const [a, b] = T.function([x, w, gy, h, wd, kh], [dx, dw], { backend })(X, W, G, 7, 8, 3) as T.NDArray[];
        expect(a.shape).toEqual([2, 2, 7, 8]);
        close(a.reshape([a.size]), flat(want[0]), 1e-12);
        close(b.reshape([b.size]), flat(want[1]), 1e-12);
      }
      expectError(() => conv2dGradWrtInputs(gy, w, [h, null, 5, 5]), T.ArgumentError, 'the spatial ones also int32 scalars');
    });
    it('take int constants as sizes', () => {
      const gy = t4([1, 2, 3, 3], 'gy');
      const w = t4([2, 1, 3, 3], 'w');
      expect(conv2dGradWrtInputs(gy, w, [null, null, T.constant(8), T.constant(8)], { subsample: [2, 2] }).type.shape).toEqual([1, 1, 8, 8]);
      expect(conv2dGradWrtInputs(gy, w, [7, 7], { subsample: [2, 2] }).type.shape).toEqual([1, 1, 7, 7]);
    });
  });

  describe('finite differences', () => {
    for (const [xs, ws, opts] of OPTION_CASES) {
      it(`conv2d wrt input and filters: ${JSON.stringify(opts)}`, () => {
        T.verifyGrad((x, w) => conv2d(x, w, opts), [U(xs), U(ws)]);
      });
    }
    it('second order: the gradient ops differentiate (a Hessian-vector product through conv2d)', () => {
      for (const [xs, ws, opts] of [OPTION_CASES[3], OPTION_CASES[5]]) {
        const V = T.constant(U(xs));
        T.verifyGrad((x, w) => T.grad(T.sum(T.sqr(conv2d(x, w, opts))), x) as T.Variable, [U(xs), U(ws)]);
        T.verifyGrad((x, w) => T.mul(T.grad(T.sum(T.sqr(conv2d(x, w, opts))), w) as T.Variable, 2), [U(xs), U(ws)]);
        T.verifyGrad((x, w) => T.grad(T.sum(T.mul(conv2d(x, w, opts), conv2d(V, w, opts))), w) as T.Variable, [U(xs), U(ws)]);
      }
    });
    it('of the public gradient ops wrt each operand', () => {
      const [xs, ws, opts] = OPTION_CASES[3];
      const ys = T.function([], conv2d(T.constant(U(xs)), T.constant(U(ws)), opts), { backend: 'js' })() as T.NDArray;
      T.verifyGrad((gy, w) => conv2dGradWrtInputs(gy, w, xs, opts), [U(ys.shape), U(ws)]);
      T.verifyGrad((x, gy) => conv2dGradWrtWeights(x, gy, ws, opts), [U(xs), U(ys.shape)]);
    });
    it('conv1d wrt input and filters', () => {
      T.verifyGrad((x, w) => T.nnet.conv1d(x, w, { borderMode: 'half', subsample: 2, filterDilation: 2 }), [U([2, 2, 9]), U([3, 2, 3])]);
    });
  });

  (nativeHas('Conv2d', 'Conv2dGradInputs', 'Conv2dGradWeights') ? describe : describe.skip)('native agrees with TypeScript', () => {
    it('on random shapes and options: forward and both gradients, float32 and float64', () => {
      fc.assert(
        fc.property(
          fc.record({
            n: fc.integer({ min: 1, max: 3 }), cg: fc.integer({ min: 1, max: 3 }), kg: fc.integer({ min: 1, max: 3 }), groups: fc.integer({ min: 1, max: 3 }),
            h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 9 }), kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }),
            mode: fc.constantFrom<T.Conv2dOptions['borderMode']>('valid', 'full', 'half', 1, [2, 0]),
            sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
            flip: fc.boolean(), dt: fc.constantFrom<'float32' | 'float64'>('float32', 'float64'), seed: fc.integer({ min: 0, max: 1e6 }),
          }),
          (p) => {
            const opts: T.Conv2dOptions = { borderMode: p.mode, subsample: [p.sh, p.sw], filterDilation: [p.dh, p.dw], filterFlip: p.flip, numGroups: p.groups };
            const xs = [p.n, p.cg * p.groups, p.h, p.w];
            const ws = [p.kg * p.groups, p.cg, p.kh, p.kw];
            const x = T.tensor(p.dt, [null, null, null, null], 'x');
            const w = T.tensor(p.dt, [null, null, null, null], 'w');
            let y: T.Variable;
            try {
              y = conv2d(x, w, opts);
              conv2d(T.tensor(p.dt, xs, 'x'), T.tensor(p.dt, ws, 'w'), opts);
            } catch (e) {
              if (e instanceof T.ShapeError) return; // a filter larger than the padded input
              throw e;
            }
            const r = new T.RandomState(p.seed);
            const X = r.uniform(-1, 1, xs, p.dt);
            const W = r.uniform(-1, 1, ws, p.dt);
            const cost = T.add(T.sum(T.sqr(y)), T.sum(T.sin(y))); // a nonlinear cost: the output gradient varies
            const outs = [y, ...T.grad(cost, [x, w])];
            const js = T.function([x, w], outs, { backend: 'js' })(X, W) as T.NDArray[];
            const nat = T.function([x, w], outs, { backend: 'native' })(X, W) as T.NDArray[];
            js.forEach((a, i) => {
              expect(nat[i].shape).toEqual(a.shape);
              close(nat[i].reshape([a.size]), flat(a), p.dt === 'float32' ? 2e-5 : 1e-12);
            });
          },
        ),
        { numRuns: 80 },
      );
    });
    it('on a batch large enough to take several chunks of images (2^20 column elements each), with groups', () => {
      const x = T.tensor4('x', 'float32');
      const w = T.tensor4('w', 'float32');
      const opts: T.Conv2dOptions = { borderMode: 'half', numGroups: 2 };
      const y = conv2d(x, w, opts);
      const outs = [y, ...T.grad(T.sum(T.sqr(y)), [x, w])];
      const X = U([22, 2, 48, 48], 'float32'); // 25 x 44² column elements per image: chunks of 21 images and 1
      const W = U([2, 1, 5, 5], 'float32');
      const js = T.function([x, w], outs, { backend: 'js' })(X, W) as T.NDArray[];
      const nat = T.function([x, w], outs, { backend: 'native' })(X, W) as T.NDArray[];
      js.forEach((a, i) => close(nat[i].reshape([a.size]), flat(a), 1e-4));
    }, 30000);
  });
});
