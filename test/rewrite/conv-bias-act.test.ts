import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close } from '../helpers';
import { flat } from '../ops/support';

// act(conv2d(x, w) + b[k]) -> conv2dBiasAct(x, w, b): one kernel instead of a conv plus a fused elementwise pass.
const rng = new T.RandomState(8);
const opts: T.Conv2dOptions = { borderMode: 'half', subsample: [2, 1], numGroups: 2 };
const kernelsOf = (f: T.CompiledFunction) => f.program.steps.map((s) => s.kernel);

describe('conv2d + bias + activation fusion', () => {
  for (const backend of backends) {
    for (const dt of ['float64', 'float32'] as const) {
      for (const act of [T.nnet.relu, T.tanh, T.sigmoid, null]) {
        it(`${act ? act.name || 'act' : 'bias only'}(conv2d + b.dimshuffle('x', 0, 'x', 'x')) is one Conv2dBiasAct step with the same numbers (${backend}, ${dt})`, () => {
          const x = T.tensor(dt, [null, null, null, null], 'x');
          const w = T.tensor(dt, [null, null, null, null], 'w');
          const b = T.tensor(dt, [null], 'b');
          const pre = T.add(T.nnet.conv2d(x, w, opts), T.dimshuffle(b, 'x', 0, 'x', 'x'));
          const y = act ? act(pre) : pre;
          const fused = T.function([x, w, b], y, { backend });
          const plain = T.function([x, w, b], y, { backend, rewrites: { exclude: ['act(conv2d(x, w) + b[k]) -> conv2dBiasAct(x, w, b)'] } });
          expect(kernelsOf(fused)).toEqual(['Conv2dBiasAct']);
          expect(kernelsOf(plain)).toContain('Conv2d');
          const args = [rng.uniform(-1, 1, [3, 4, 7, 6], dt), rng.uniform(-1, 1, [6, 2, 3, 3], dt), rng.uniform(-1, 1, [6], dt)];
          const [a, e] = [fused(...args) as T.NDArray, plain(...args) as T.NDArray];
          expect(a.shape).toEqual(e.shape);
          close(a.reshape([a.size]), flat(e), dt === 'float32' ? 1e-6 : 1e-13);
        });
      }
    }
  }
  it('leaves a conv whose output is used twice, or a bias of another shape, unfused', () => {
    const x = T.tensor4('x', 'float64');
    const w = T.tensor4('w', 'float64');
    const b = T.dvector('b');
    const c = T.nnet.conv2d(x, w);
    const twice = T.function([x, w, b], [T.nnet.relu(T.add(c, T.dimshuffle(b, 'x', 0, 'x', 'x'))), c], { backend: 'js' });
    expect(kernelsOf(twice)).toContain('Conv2d');
    expect(kernelsOf(twice)).not.toContain('Conv2dBiasAct');
    const m = T.dmatrix('m');
    const spatial = T.function([x, w, m], T.add(c, T.dimshuffle(m, 'x', 'x', 0, 1)), { backend: 'js', onUnusedInput: 'ignore' });
    expect(kernelsOf(spatial)).not.toContain('Conv2dBiasAct');
  });
  it('fuses the forward pass of a training step and keeps its gradients', () => {
    const x = T.tensor4('x', 'float64');
    const W = T.shared(rng.uniform(-0.5, 0.5, [4, 2, 3, 3], 'float64'), { name: 'W' });
    const b = T.shared(rng.uniform(-0.5, 0.5, [4], 'float64'), { name: 'b' });
    const h = T.tanh(T.add(T.nnet.conv2d(x, W), T.dimshuffle(b, 'x', 0, 'x', 'x')));
    const cost = T.sum(T.sqr(h));
    const outs = [cost, ...T.grad(cost, [W, b])];
    const X = rng.uniform(-1, 1, [2, 2, 6, 6], 'float64');
    for (const backend of backends) {
      const f = T.function([x], outs, { backend });
      const g = T.function([x], outs, { backend, rewrites: { exclude: ['act(conv2d(x, w) + b[k]) -> conv2dBiasAct(x, w, b)'] } });
      const [r1, r2] = [f(X) as T.NDArray[], g(X) as T.NDArray[]];
      r1.forEach((v, i) => close(v.reshape([v.size]), flat(r2[i]), 1e-12));
    }
  });
});
