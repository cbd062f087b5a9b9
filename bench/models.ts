// Models shared by the benchmarks (and their tests): built only with the public API.
import * as T from '../lib';

export interface MlpStep {
  train: T.CompiledFunction;
  X: T.NDArray;
  Y: T.NDArray;
  params: T.SharedVariable[];
}

/**
 * An MLP training step: layers sizes[0] -> ... -> sizes[-1], sigmoid hidden units, softmax cross-entropy on one-hot
 * targets, plain SGD; float32, batch `batch`, weights from RandomState(seed) (Glorot-style uniform).
 */
export function buildMlp(
  sizes: number[],
  batch: number,
  opts: { backend?: 'js' | 'native'; rewrites?: T.FunctionOptions['rewrites']; seed?: number; lr?: number; params?: T.SharedVariable[] } = {},
): MlpStep {
  const rng = new T.RandomState(opts.seed ?? 0);
  const x = T.fmatrix('x');
  const y = T.fmatrix('y');
  const params: T.SharedVariable[] = [];
  let h: T.Variable = x;
  for (let i = 0; i + 1 < sizes.length; i++) {
    const r = Math.sqrt(6 / (sizes[i] + sizes[i + 1]));
    // opts.params reuses existing weights (benchmarks that time graph building alone)
    const W = opts.params?.[2 * i] ?? T.shared(rng.uniform(-r, r, [sizes[i], sizes[i + 1]], 'float32'), { name: `W${i + 1}` });
    const b = opts.params?.[2 * i + 1] ?? T.shared(T.zeros([sizes[i + 1]], 'float32'), { name: `b${i + 1}` });
    params.push(W, b);
    const z = T.dot(h, W).add(b);
    h = i + 2 < sizes.length ? T.sigmoid(z) : T.nnet.logSoftmax(z);
  }
  const cost = T.mean(T.neg(T.sum(y.mul(h), 1)));
  const grads = T.grad(cost, params);
  const lr = opts.lr ?? 0.1;
  const train = T.function([x, y], cost, {
    updates: params.map((p, i) => [p, p.sub(grads[i].mul(lr))] as [T.SharedVariable, T.Variable]),
    backend: opts.backend,
    rewrites: opts.rewrites,
    name: 'mlpTrain',
  });
  if (opts.params) return { train, X: T.zeros([0, sizes[0]], 'float32'), Y: T.zeros([0, sizes[sizes.length - 1]], 'float32'), params };
  const X = rng.uniform(0, 1, [batch, sizes[0]], 'float32');
  const labels = rng.randint(0, sizes[sizes.length - 1], [batch]);
  const Y = T.zeros([batch, sizes[sizes.length - 1]], 'float32');
  for (let i = 0; i < batch; i++) Y.data[i * Y.shape[1] + labels.data[i]] = 1;
  return { train, X, Y, params };
}
