// The case table of every public op: input values and how to build an expression from symbolic inputs of their
// dtype and rank. test/rewrite/all-ops.test.ts checks each with rewrites on and off; scripts/op-table.ts builds
// docs/ops.md from it. Whoever adds an op adds its case here (the all-ops test fails for an export without one);
// an op that cannot be expressed this way goes in NO_CASE with the reason.
import * as T from '../lib';
import * as ops from '../lib/ops';

export interface OpCase {
  /** Input values; symbolic inputs of the same dtype and rank (dims unknown) are made for them. */
  inputs: T.NDArray[];
  build: (...xs: T.Variable[]) => T.Variable | T.Variable[];
  tol?: number;
  /**
   * `false` for an op with no gradient: the case then checks forward only, and T.grad must throw a GradError for it.
   * Without it, a case with float outputs and float64 inputs fails when its gradient cannot be built.
   */
  grad?: false;
}

const rng = new T.RandomState(5);
const f64 = (shape: number[], lo = -2, hi = 2) => rng.uniform(lo, hi, shape, 'float64');
const i32 = (values: T.NestedArray) => T.array(values, { dtype: 'int32' });
const bools = (values: T.NestedArray) => T.array(values, { dtype: 'bool' });
const lit = (values: T.NestedArray) => T.array(values, { dtype: 'float64' });
const A = () => f64([3, 4]);
const V = () => f64([4]);
const P = () => f64([3, 4], 0.1, 0.9);
// an own stream per case below, so adding one does not shift the values of the others
const own = (seed: number, shape: number[], lo = -2, hi = 2) => new T.RandomState(seed).uniform(lo, hi, shape, 'float64');
const one = (build: OpCase['build'], ...inputs: T.NDArray[]): OpCase[] => [{ inputs, build }];

export const CASES: Record<string, OpCase[]> = {
  abs: one(T.abs, A()),
  add: one(T.add, A(), V()),
  all: one((x) => T.all(x, 1), bools([[1, 0], [1, 1]])),
  any: one((x) => T.any(x, 0), bools([[1, 0], [0, 0]])),
  arange: one((x) => T.arange(T.shapeI(x, 0)), A()),
  arccos: one(T.arccos, f64([5], -0.9, 0.9)),
  arcsin: one(T.arcsin, f64([5], -0.9, 0.9)),
  arctan: one(T.arctan, A()),
  arctan2: one(T.arctan2, A(), A()),
  argmax: one((x) => T.argmax(x, 1), A()),
  argmin: one((x) => T.argmin(x, 0), A()),
  batchedDot: one(T.batchedDot, f64([2, 3, 4]), f64([2, 4, 5])),
  batchNormalizationTest: one((x, g, b, m, v) => T.batchNormalizationTest(x, g, b, m, v, { axes: 'spatial' }), own(1, [2, 3, 2, 2]), own(2, [3], 0.5, 2), own(3, [3]), own(4, [3]), own(5, [3], 0.5, 2)),
  batchNormalizationTrain: one((x, g, b, rm, rv) => T.batchNormalizationTrain(x, g, b, { axes: 'spatial', runningMean: rm, runningVar: rv }), own(6, [3, 2, 2, 3]), own(7, [2], 0.5, 2), own(8, [2]), own(9, [2]), own(10, [2], 0.5, 2)),
  binaryCrossentropy: [...one(T.binaryCrossentropy, P(), P()), { inputs: [lit([[0.2, 0.7, 0.4], [0.9, 0.3, 0.6]]), lit([1, 0, 0.5])], build: T.binaryCrossentropy }],
  binaryCrossentropyWithLogits: [...one(T.binaryCrossentropyWithLogits, A(), P()), { inputs: [lit([[1.5], [-0.5]]), lit([[0.2, 1, 0]])], build: T.binaryCrossentropyWithLogits }],
  booleanMask: one((x, m) => T.booleanMask(x, m), V(), bools([1, 0, 1, 1])),
  cast: one((x) => T.cast(x, 'float32'), A()),
  categoricalCrossentropy: one((x, t) => T.categoricalCrossentropy(T.softmax(x), t), A(), i32([0, 3, 1])),
  ceil: one(T.ceil, A()),
  clip: one((x) => T.clip(x, -0.5, 0.7), A()),
  concatenate: one((a, b) => T.concatenate([a, b], 1), A(), f64([3, 2])),
  conv1d: one((x, w) => T.conv1d(x, w, { borderMode: 'half', subsample: 2 }), f64([2, 2, 7]), f64([3, 2, 3])),
  conv2d: [
    ...one((x, w) => T.conv2d(x, w), f64([2, 2, 5, 4]), f64([3, 2, 3, 2])),
    ...one((x, w) => T.conv2d(x, w, { borderMode: 'full', subsample: [2, 1], filterDilation: [1, 2], numGroups: 2, filterFlip: false }), f64([1, 4, 4, 5]), f64([2, 2, 2, 2])),
  ],
  conv2dGradWrtInputs: one((gy, w) => T.conv2dGradWrtInputs(gy, w, [6, 5], { borderMode: 1, subsample: [2, 2] }), f64([2, 3, 3, 3]), f64([3, 2, 3, 3])),
  conv2dGradWrtWeights: one((x, gy) => T.conv2dGradWrtWeights(x, gy, [3, 2, 3, 2], { borderMode: 'half' }), f64([2, 2, 4, 4]), f64([2, 3, 4, 5])),
  cos: one(T.cos, A()),
  cosh: one(T.cosh, A()),
  cumprod: one((x) => T.cumprod(x, 1), A()),
  cumsum: one((x) => T.cumsum(x, 0), A()),
  diag: one((x) => T.diag(x), V()),
  dimshuffle: one((x) => T.dimshuffle(x, 1, 'x', 0), A()),
  disconnectedGrad: one((x) => T.disconnectedGrad(x).mul(x), A()),
  div: one(T.div, A(), f64([3, 4], 0.5, 2)),
  dot: [
    { inputs: [A(), f64([4, 2])], build: T.dot },
    { inputs: [A(), V()], build: T.dot },
    { inputs: [V(), V()], build: T.dot },
  ],
  dropout: one((x) => T.dropout(x, 0.5, new T.random.RandomStreams(7)), A()),
  elu: one((x) => T.elu(x), A()),
  eq: one(T.eq, i32([1, 2, 3]), i32([1, 0, 3])),
  erf: one(T.erf, A()),
  exp: one(T.exp, A()),
  exp2: one(T.exp2, A()),
  expandDims: one((x) => T.expandDims(x, [1]), V()),
  expm1: one(T.expm1, A()),
  eye: one((x) => T.eye(T.shapeI(x, 0)).add(x), f64([3, 3])),
  fill: one((x) => T.fill(x, 0.5), A()),
  flatten: one((x) => T.flatten(x), A()),
  floor: one(T.floor, A()),
  ge: one(T.ge, A(), A()),
  gelu: one(T.gelu, A()),
  gradClip: one((x) => T.gradClip(x, -0.1, 0.1).mul(x), A()),
  gradScale: one((x) => T.gradScale(x, -2).mul(x), A()),
  gt: one(T.gt, A(), V()),
  hardSigmoid: one(T.hardSigmoid, A()),
  hypot: one(T.hypot, lit([[3, -1.5], [0.5, 2]]), lit([4, -0.7])),
  incSubtensor: one((x, y) => T.incSubtensor(x, [[1, 3], null], y), A(), f64([2, 4])),
  intDiv: one(T.intDiv, i32([7, -7, 9]), i32([2, 2, 4])),
  isinf: one((x) => T.isinf(T.log(x)), f64([4], 0, 1)),
  isnan: one((x) => T.isnan(T.log(x)), A()),
  le: one(T.le, A(), A()),
  log: one(T.log, P()),
  log10: one(T.log10, P()),
  log1p: one(T.log1p, P()),
  log2: one(T.log2, P()),
  logSoftmax: one((x) => T.logSoftmax(x), A()),
  logicalAnd: one(T.logicalAnd, bools([1, 0, 1]), bools([1, 1, 0])),
  logicalNot: one(T.logicalNot, bools([1, 0, 1])),
  logicalOr: one(T.logicalOr, bools([1, 0, 0]), bools([0, 0, 1])),
  logicalXor: one(T.logicalXor, bools([1, 0, 1]), bools([1, 1, 0])),
  logsumexp: one((x) => T.logsumexp(x, 1), A()),
  lt: one(T.lt, A(), A()),
  max: one((x) => T.max(x, 1), A()),
  maximum: one(T.maximum, A(), A()),
  mean: one((x) => T.mean(x, 0), A()),
  meanSquaredError: one(T.meanSquaredError, A(), A()),
  min: one((x) => T.min(x), A()),
  minimum: one(T.minimum, A(), V()),
  mod: one(T.mod, A(), f64([3, 4], 0.5, 2)),
  mul: one(T.mul, A(), V()),
  neg: one(T.neg, A()),
  neq: one(T.neq, i32([1, 2]), i32([1, 3])),
  oneHot: one((t) => T.oneHot(t, 4), i32([0, 3, 1])),
  onesLike: one((x) => T.onesLike(x).mul(x), A()),
  outer: [...one(T.outer, V(), f64([3])), { inputs: [lit([[1, -2], [0.5, 3]]), lit([[[2]], [[-1]]])], build: T.outer }],
  pool2d: [
    ...one((x) => T.pool2d(x, { ws: [2, 3], stride: [1, 2], pad: [1, 1], ignoreBorder: true }), own(11, [2, 1, 4, 5])),
    ...one((x) => T.pool2d(x, { ws: [3, 2], mode: 'average_exc_pad' }), own(12, [2, 5, 3])),
  ],
  pow: one(T.pow, P(), A()),
  prod: one((x) => T.prod(x, 1), A()),
  relu: one((x) => T.relu(x, 0.1), A()),
  repeat: one((x) => T.repeat(x, 2, 1), A()),
  reshape: one((x) => T.reshape(x, [2, -1]), A()),
  round: one(T.round, A()),
  selu: one(T.selu, A()),
  setSubtensor: one((x, y) => T.setSubtensor(x, [0], y), A(), V()),
  shape: one((x) => T.shape(x), A()),
  shapeI: one((x) => T.shapeI(x, 1), A()),
  sigmoid: one(T.sigmoid, A()),
  sign: one(T.sign, A()),
  sin: one(T.sin, A()),
  sinh: one(T.sinh, A()),
  slice: one((x) => T.slice(x, [0, 2], [null, null, -1]), A()),
  softmax: one((x) => T.softmax(x), A()),
  softmaxCrossentropyWithLogits: one(T.softmaxCrossentropyWithLogits, A(), i32([1, 0, 3])),
  softplus: one(T.softplus, A()),
  split: one((x) => T.split(x, [1, 3], 1), A()),
  sqr: one(T.sqr, A()),
  sqrt: one(T.sqrt, P()),
  squaredError: one(T.squaredError, A(), V()),
  squeeze: one((x) => T.squeeze(x, 1), f64([3, 1])),
  stack: one((a, b) => T.stack([a, b], 1), V(), V()),
  std: one((x) => T.std(x, 1), A()),
  sub: one(T.sub, A(), V()),
  sum: one((x) => T.sum(x, 1, { keepdims: true }), A()),
  take: one((x, i) => T.take(x, i, 0), A(), i32([2, 0, 2])),
  tan: one(T.tan, f64([5], -1, 1)),
  tanh: one(T.tanh, A()),
  tensordot: one((a, b) => T.tensordot(a, b, [[1], [0]]), A(), f64([4, 2])),
  tile: one((x) => T.tile(x, [2, 1]), A()),
  trace: one((x) => T.trace(x), f64([3, 3])),
  transpose: one((x) => T.transpose(x), A()),
  tril: one((x) => T.tril(x, 1), lit([[0.5, -1, 2, 0.3], [1.5, 0.2, -0.7, 1], [-2, 0.9, 0.1, -0.4]])),
  triu: one((x) => T.triu(x, -1), lit([[0.5, -1, 2, 0.3], [1.5, 0.2, -0.7, 1], [-2, 0.9, 0.1, -0.4]])),
  var: one((x) => T.var(x, 0), A()),
  where: one((c, a, b) => T.where(c, a, b), bools([1, 0, 1, 0]), V(), V()),
  zeroGrad: one((x) => T.zeroGrad(x).mul(x), A()),
  zerosLike: one((x) => T.zerosLike(x).add(x), A()),
};

/** Exports that are functions but not ops an expression can be built from, with the reason. */
export const NO_CASE: Record<string, string> = {};

export const publicOps = Object.entries(ops)
  .filter(([name, v]) => typeof v === 'function' && /^[a-z]/.test(name))
  .map(([name]) => name)
  .sort();

/** The expression's outputs plus a scalar cost mixing the float ones (so gradients and fusion get exercised). */
export function outputsOf(c: OpCase): { vars: T.Variable[]; outs: T.Variable[]; grads: T.Variable[] } {
  const vars = c.inputs.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const r = c.build(...vars);
  const outs = Array.isArray(r) ? r : [r];
  const floats = outs.filter((o) => o.dtype === 'float32' || o.dtype === 'float64');
  const wrt = vars.filter((v) => v.dtype === 'float64');
  let grads: T.Variable[] = [];
  if (floats.length && wrt.length) {
    const cost = floats.map((o) => T.sum(T.tanh(o).mul(2).add(T.sqr(o)))).reduce((a, b) => T.add(a, b));
    if (c.grad === false) {
      let threw = false;
      try {
        T.grad(cost, wrt, { disconnected: 'zero' });
      } catch (e) {
        if (!(e instanceof T.GradError)) throw e;
        threw = true;
      }
      if (!threw) throw new Error(`a case marked grad: false has a gradient now: remove the flag (${r})`);
    } else {
      grads = T.grad(cost, wrt, { disconnected: 'zero' }); // an op declared differentiable must keep its gradient
    }
  }
  return { vars, outs, grads };
}

