// npx tsx bench/batch-norm.ts: the native BatchNormTrain / BatchNormTrainGrad kernels against the same training step
// written as a composite of existing ops (mean, var, elementwise; T.grad through them), on the native backend, float32.
// Prints the median time per call of forward and forward + backward, and the composite / kernel ratio (issue 13 asks
// for the kernels unless the composite is within 1.2x).
import * as T from '../lib';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(f: () => unknown, reps: number): number {
  for (let i = 0; i < 3; i++) f();
  const ts: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    f();
    ts.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return median(ts);
}

function composite(x: T.Variable, g: T.Variable, b: T.Variable, axes: number[]): T.Variable {
  const bc = (p: T.Variable) => T.dimshuffle(p, x.type.shape.map((_, i) => (axes.includes(i) ? 'x' : 0)));
  const mean = T.mean(x, axes, { keepdims: true });
  const invstd = T.div(1, T.sqrt(T.add(T.var(x, axes, { keepdims: true }), 1e-4)));
  return T.add(T.mul(T.sub(x, mean), T.mul(bc(g), invstd)), bc(b));
}

for (const shape of [[64, 32, 16, 16], [256, 64, 8, 8], [32, 16, 32, 32]]) {
  const rng = new T.RandomState(1);
  const xv = rng.uniform(-1, 1, shape, 'float32');
  const gv = rng.uniform(0.5, 2, [shape[1]], 'float32'), bv = rng.uniform(-1, 1, [shape[1]], 'float32');
  const x = T.tensor('float32', [null, null, null, null], 'x'), g = T.fvector('g'), b = T.fvector('b');
  const w = T.constant(rng.uniform(-1, 1, shape, 'float32'));
  const row: string[] = [shape.join('x')];
  for (const [name, y] of [['kernel', T.nnet.bn.batchNormalizationTrain(x, g, b, { axes: 'spatial' })[0]], ['composite', composite(x, g, b, [0, 2, 3])]] as const) {
    const fwd = T.function([x, g, b], y, { backend: 'native' });
    const cost = T.sum(T.mul(y, w));
    const both = T.function([x, g, b], [y, ...T.grad(cost, [x, g, b])], { backend: 'native' });
    row.push(`${name} fwd ${time(() => fwd(xv, gv, bv), 30).toFixed(2)} ms, fwd+bwd ${time(() => both(xv, gv, bv), 30).toFixed(2)} ms`);
  }
  console.log(row.join(' | '));
}
