import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue, sizeOf } from '../ndarray';
import { add } from './add';
import { axisCount } from './axis-count';
import { broadcastLike, zerosLike } from './broadcast-to';
import { cast } from './cast';
import { dimshuffle } from './dimshuffle';
import { div } from './div';
import { mul } from './mul';
import { neg } from './neg';
import { sqr } from './sqr';
import { sqrt } from './sqrt';
import { sub } from './sub';
import { sum } from './sum';
import { transpose } from './transpose';

type BnAttrs = { axes: readonly number[]; epsilon: number; factor: number; running: boolean };

/** x viewed as [A, K, B]: K statistics (the kept axes, contiguous), each over A·B elements. */
function bnGeometry(x: readonly number[], axes: readonly number[]) {
  const kept = x.map((_, i) => i).filter((i) => !axes.includes(i));
  const k0 = kept.length ? kept[0] : x.length, k1 = kept.length ? kept[kept.length - 1] + 1 : x.length;
  return { A: sizeOf(x.slice(0, k0)), K: sizeOf(x.slice(k0, k1)), B: sizeOf(x.slice(k1)) };
}

/** The statistics' shape: x's with 1 on the normalized axes. */
const statShape = (x: readonly number[], axes: readonly number[]) => x.map((d, i) => (axes.includes(i) ? 1 : d));

function checkParams(op: string, shapes: readonly (readonly number[])[], names: readonly string[], x: readonly number[], axes: readonly number[]): void {
  const want = statShape(x, axes);
  const bad = shapes.flatMap((sh, i) => (sh.length === want.length && sh.every((d, j) => d === want[j]) ? [] : [`${names[i]} must have shape ${shapeStr(want)} to match x ${shapeStr(x)} normalized over axes [${axes.join(', ')}], got ${shapeStr(sh)}`]));
  if (bad.length) throw new ShapeError(`${op}: ${bad.join('; ')}`);
}

/**
 * Batch normalization in training mode over `axes` (kept axes contiguous; batchNormalizationTrain permutes others):
 * inputs (x, gamma, beta[, runningMean, runningVar]) with parameters of the statistics' shape (x's, 1 on the axes);
 * outputs (out, mean, invstd[, newRunningMean, newRunningVar]) as Theano's AbstractBatchNormTrain.
 */
export class BatchNormTrainOp extends Op {
  readonly name = 'batchNormTrain';
  readonly kernel = 'BatchNormTrain';
  constructor(override readonly attrs: BnAttrs) {
    super();
  }
  makeNode(...inputs: Variable[]): Apply {
    const x = inputs[0];
    const stat = () => new TensorType(x.dtype, x.type.shape.map((d, i) => (this.attrs.axes.includes(i) ? 1 : d)));
    const n = this.attrs.running ? 5 : 3;
    return new Apply(this, inputs, [new TensorType(x.dtype, x.type.shape), ...Array.from({ length: n - 1 }, stat)]);
  }
  // out = xc·invstd·gamma + beta with xc = x - mean: dx, dgamma, dbeta by BatchNormTrainGrad; then the statistics'
  // own uses: d mean/dx = 1/m, d var/dx = 2 xc/m, d invstd/d var = -invstd³/2; running mean' = rm(1-f) + mean f,
  // running var' = rv(1-f) + var f m/(m-1)
  override grad(inputs: readonly Variable[], outputs: readonly Variable[], g: readonly (Variable | null)[]): (Variable | null)[] {
    const [x, gamma] = inputs;
    const [, mean, invstd] = outputs;
    const { axes, factor: f } = this.attrs;
    let [dx, dgamma, dbeta]: (Variable | null)[] = [null, null, null];
    if (g[0]) [dx, dgamma, dbeta] = new BatchNormTrainGradOp(this.attrs).makeNode(x, g[0], gamma, mean, invstd).outputs;
    const m = axisCount(x, axes, x.dtype);
    let gMean: Variable | null = g[1];
    let gVar: Variable | null = g[2] ? mul(g[2], mul(-0.5, mul(invstd, sqr(invstd)))) : null;
    if (g[3]) gMean = gMean ? add(gMean, mul(g[3], f)) : mul(g[3], f);
    if (g[4]) {
      const t = mul(g[4], mul(f, div(m, sub(m, 1))));
      gVar = gVar ? add(gVar, t) : t;
    }
    let stats: Variable | null = gMean;
    if (gVar) {
      const t = mul(mul(gVar, 2), sub(x, mean));
      stats = stats ? add(stats, t) : t;
    }
    if (stats) {
      const t = div(stats, m);
      dx = dx ? add(dx, t) : broadcastLike(t, x);
    }
    const rest = this.attrs.running ? [g[3] ? mul(g[3], 1 - f) : null, g[4] ? mul(g[4], 1 - f) : null] : [];
    return [dx, dgamma, dbeta, ...rest];
  }
}

/**
 * The gradient of BatchNormTrain's out: inputs (x, dy, gamma, mean, invstd), outputs (dx, dgamma, dbeta), in one pass
 * over the statistics Σdy and Σdy·xc, then dx = gamma·invstd·(dy - Σdy/m - xc·invstd²·Σdy·xc/m) (Theano's formula).
 * Its own gradient (second order) is a composite of elementwise ops and sums.
 */
export class BatchNormTrainGradOp extends Op {
  readonly name = 'batchNormTrainGrad';
  readonly kernel = 'BatchNormTrainGrad';
  override readonly attrs: { axes: readonly number[] };
  constructor(a: { axes: readonly number[] }) {
    super();
    this.attrs = { axes: a.axes };
  }
  makeNode(x: Variable, dy: Variable, gamma: Variable, mean: Variable, invstd: Variable): Apply {
    return new Apply(this, [x, dy, gamma, mean, invstd], [new TensorType(x.dtype, x.type.shape), new TensorType(x.dtype, gamma.type.shape), new TensorType(x.dtype, gamma.type.shape)]);
  }
  // With xc = x - mean, S1 = Σdy, S2 = Σdy·xc and cotangents (A, Gg, Gb) of (dx, dgamma, dbeta), u = gamma·s·A, U1 = Σu,
  // U2 = Σu·xc, T1 = ΣA·dy, T2 = ΣA, T3 = ΣA·xc (s = invstd, sums over the axes):
  //   d dy = u - U1/m - s²U2·xc/m + Gg·s·xc + Gb;  d x = -s²S2·u/m - s²U2·dy/m + Gg·s·dy;  d mean = -Σ d x
  //   d gamma = s(T1 - T2·S1/m - s²T3·S2/m);  d s = gamma(T1 - T2·S1/m) - 3gamma·s²T3·S2/m + Gg·S2
  override grad([x, dy, gamma, mean, s]: readonly Variable[], _o: readonly Variable[], [A, Gg, Gb]: readonly (Variable | null)[]): (Variable | null)[] {
    const axes = this.attrs.axes;
    const red = (v: Variable) => sum(v, [...axes], { keepdims: true });
    const m = axisCount(x, axes, x.dtype);
    const xc = sub(x, mean), s2 = sqr(s);
    const S1 = red(dy), S2 = red(mul(dy, xc));
    let dDy: Variable = zerosLike(x), dX: Variable = zerosLike(x), dGamma: Variable = zerosLike(gamma), dS: Variable = zerosLike(s);
    if (A) {
      const u = mul(mul(gamma, s), A), U1 = red(u), U2 = red(mul(u, xc));
      const T1 = red(mul(A, dy)), T2 = red(A), T3 = red(mul(A, xc));
      dDy = add(dDy, sub(sub(u, div(U1, m)), div(mul(mul(s2, U2), xc), m)));
      dX = sub(dX, div(add(mul(mul(s2, S2), u), mul(mul(s2, U2), dy)), m));
      const T13 = sub(T1, div(mul(T2, S1), m)), T3S2 = div(mul(T3, S2), m);
      dGamma = add(dGamma, mul(s, sub(T13, mul(s2, T3S2))));
      dS = add(dS, sub(mul(gamma, T13), mul(mul(3, gamma), mul(s2, T3S2))));
    }
    if (Gg) {
      dDy = add(dDy, mul(mul(Gg, s), xc));
      dX = add(dX, mul(mul(Gg, s), dy));
      dS = add(dS, mul(Gg, S2));
    }
    if (Gb) dDy = add(dDy, Gb);
    return [dX, dDy, dGamma, neg(red(dX)), dS];
  }
}

const BN_NAMES = ['gamma', 'beta', 'runningMean', 'runningVar'];

registerKernel('BatchNormTrain', {
  // ints [running, ...axes] / floats [epsilon, runningAverageFactor]
  nativeAttrs: (a) => ({ ints: [a.running ? 1 : 0, ...(a.axes as number[])], floats: [a.epsilon as number, a.factor as number] }),
  inferShape: ([x, ...params], attrs) => {
    const axes = attrs.axes as number[];
    checkParams('batchNormTrain', params, BN_NAMES, x, axes);
    const s = statShape(x, axes);
    return [x.slice(), ...params.slice(1).map(() => s.slice()), s.slice()];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const { A, K, B } = bnGeometry(x, attrs.axes as number[]);
    const m = A * B, eps = attrs.epsilon as number, f = attrs.factor as number;
    return ([X, Ga, Be, RM, RV], [O, Mean, Inv, NRM, NRV]) => {
      for (let k = 0; k < K; k++) {
        let s = 0;
        for (let a = 0; a < A; a++) for (let b = (a * K + k) * B, e = b + B; b < e; b++) s += X[b];
        const mu = s / m;
        let q = 0;
        for (let a = 0; a < A; a++) for (let b = (a * K + k) * B, e = b + B; b < e; b++) q += (X[b] - mu) * (X[b] - mu);
        const v = q / m, inv = 1 / Math.sqrt(v + eps), scale = Ga[k] * inv;
        for (let a = 0; a < A; a++) for (let b = (a * K + k) * B, e = b + B; b < e; b++) O[b] = (X[b] - mu) * scale + Be[k];
        Mean[k] = mu;
        Inv[k] = inv;
        if (NRM) {
          NRM[k] = RM[k] * (1 - f) + mu * f;
          NRV[k] = RV[k] * (1 - f) + (m / (m - 1)) * v * f;
        }
      }
    };
  },
});

registerKernel('BatchNormTrainGrad', {
  // ints [...axes]
  nativeAttrs: (a) => ({ ints: [...(a.axes as number[])] }),
  inferShape: ([x, dy, ...params], attrs) => {
    const axes = attrs.axes as number[];
    if (dy.length !== x.length || dy.some((d, i) => d !== x[i])) throw new ShapeError(`batchNormTrainGrad: dy must have x's shape ${shapeStr(x)}, got ${shapeStr(dy)}`);
    checkParams('batchNormTrainGrad', params, ['gamma', 'mean', 'invstd'], x, axes);
    return [x.slice(), params[0].slice(), params[0].slice()];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const { A, K, B } = bnGeometry(x, attrs.axes as number[]);
    const m = A * B;
    return ([X, DY, Ga, Mean, Inv], [DX, DG, DB]) => {
      for (let k = 0; k < K; k++) {
        const mu = Mean[k], inv = Inv[k];
        let sdy = 0, sdyx = 0;
        for (let a = 0; a < A; a++) {
          for (let b = (a * K + k) * B, e = b + B; b < e; b++) {
            sdy += DY[b];
            sdyx += DY[b] * (X[b] - mu);
          }
        }
        DG[k] = sdyx * inv;
        DB[k] = sdy;
        const gi = Ga[k] * inv, c1 = sdy / m, c2 = (inv * inv * sdyx) / m;
        for (let a = 0; a < A; a++) for (let b = (a * K + k) * B, e = b + B; b < e; b++) DX[b] = gi * (DY[b] - c1 - (X[b] - mu) * c2);
      }
    };
  },
});

/** The options of batchNormalizationTrain / batchNormalizationTest, as Theano names them. */
export interface BatchNormOptions {
  /** 'per-activation' (default: axis 0), 'spatial' (axis 0 and every axis after 1: NCHW channels) or a list of axes. */
  axes?: 'per-activation' | 'spatial' | readonly number[];
  /** Added to the variance, at least 1e-5 (Theano's rule); default 1e-4. */
  epsilon?: number;
}

export interface BatchNormTrainOptions extends BatchNormOptions {
  /** f in running' = running (1 - f) + batch f; default 0.1. */
  runningAverageFactor?: number;
  runningMean?: unknown;
  runningVar?: unknown;
}

function resolveAxes(axes: unknown, ndim: number, bad: string[]): number[] {
  let list: number[];
  if (axes === undefined || axes === 'per-activation') list = [0];
  else if (axes === 'spatial') list = [0, ...Array.from({ length: Math.max(0, ndim - 2) }, (_, i) => i + 2)];
  else if (Array.isArray(axes) && axes.every((a) => Number.isInteger(a))) list = [...new Set(axes as number[])].sort((a, b) => a - b);
  else {
    bad.push(`axes must be 'per-activation', 'spatial' or a list of integer axes, got ${showValue(axes)}`);
    return [];
  }
  if (!list.length) bad.push(`axes must name at least one axis, got ${showValue(axes)}`);
  else if (list[0] < 0 || list[list.length - 1] >= ndim) bad.push(`axes must be in [0, ${ndim}) for x of rank ${ndim}, got ${showValue(axes)}`);
  else if (Array.isArray(axes) && list.length !== axes.length) bad.push(`axes must not repeat an axis, got ${showValue(axes)}`);
  return list;
}

/**
 * Validates x and the per-statistic parameters, and returns them in the statistics' shape (x's rank, 1 on the axes),
 * x permuted so that the kept axes are contiguous (perm undefined when already so), and how to give statistics back
 * in the parameters' form.
 */
function prepare(op: string, xIn: unknown, params: [string, unknown][], opts: BatchNormOptions, permute: boolean) {
  const x = asVariable(xIn, op, 'x');
  const ps = params.map(([n, p]) => asVariable(p, op, n));
  const bad: string[] = [];
  let Err: typeof ArgumentError | typeof ShapeError | typeof DTypeError = ArgumentError;
  const axes = resolveAxes(opts.axes, x.ndim, bad);
  const eps = opts.epsilon ?? 1e-4;
  if (typeof eps !== 'number' || !(eps >= 1e-5)) bad.push(`epsilon must be a number >= 1e-5 (as Theano), got ${showValue(eps)}`);
  for (const v of [x, ...ps]) {
    if (!isFloat(v.dtype)) {
      bad.push(`${v === x ? 'x' : params[ps.indexOf(v)][0]} must have a float dtype, got ${v.type}`);
      if (bad.length === 1) Err = DTypeError;
    }
  }
  const kept = x.type.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  if (axes.length && !bad.length) {
    const keptShape = kept.map((i) => x.type.shape[i]);
    const full = x.type.shape.map((d, i) => (axes.includes(i) ? 1 : d));
    const fits = (s: readonly (number | null)[], want: readonly (number | null)[]) => s.length === want.length && s.every((d, i) => d === null || want[i] === null || d === want[i]);
    params.forEach(([n], i) => {
      const s = ps[i].type.shape;
      if (!fits(s, keptShape) && !fits(s, full)) {
        bad.push(`${n} must have shape ${shapeStr(keptShape)} or ${shapeStr(full)} to match x ${shapeStr(x.type.shape)} normalized over axes [${axes.join(', ')}], got ${shapeStr(s)}`);
        if (bad.length === 1) Err = ShapeError;
      }
    });
  }
  if (bad.length) throw new Err(`${op}: ${bad.join('; ')}`);
  const compact = ps.length > 0 && ps[0].ndim !== x.ndim;
  const toFull = (p: Variable) => {
    const q = p.dtype === x.dtype ? p : cast(p, x.dtype);
    return q.ndim === x.ndim ? q : dimshuffle(q, x.type.shape.map((_, i) => (axes.includes(i) ? 'x' : kept.indexOf(i))));
  };
  const contiguous = kept.length === 0 || kept[kept.length - 1] - kept[0] === kept.length - 1;
  const perm = contiguous || !permute ? undefined : [...axes, ...kept];
  const permuted = (v: Variable) => (perm ? transpose(v, perm) : v);
  const inverse = perm ? perm.map((_, i) => perm.indexOf(i)) : undefined;
  const back = (v: Variable) => (inverse ? transpose(v, inverse) : v);
  const opAxes = perm ? axes.map((_, i) => i) : axes;
  return {
    x: permuted(x),
    params: ps.map((p) => permuted(toFull(p))),
    axes: opAxes,
    eps,
    back,
    // a statistic in the parameters' form (the kept axes only, when gamma was given so; Theano does the same)
    stat: (v: Variable) => {
      const u = back(v);
      return compact ? dimshuffle(u, kept) : u;
    },
  };
}

/**
 * Theano's batch_normalization_train: normalizes x with the batch mean and variance over `axes` (biased variance,
 * plus epsilon), then scales by gamma and shifts by beta. Returns Theano's outputs in Theano's order:
 * `[out, mean, invstd]`, and with runningMean and runningVar given `[out, mean, invstd, newRunningMean,
 * newRunningVar]` where newRunningMean = runningMean (1 - f) + mean f and newRunningVar = runningVar (1 - f) +
 * var f m / (m - 1) (the unbiased variance; m = elements per statistic). gamma, beta and the running statistics have
 * the kept axes' shape ([C] for 'spatial' NCHW) or x's rank with 1 on the axes; mean, invstd and the new running
 * statistics come back in the same form. Gradients flow to x (through the batch statistics too), gamma and beta.
 * @example const [y, mean, invstd] = T.nnet.bn.batchNormalizationTrain(x, gamma, beta, { axes: 'spatial' })
 */
export function batchNormalizationTrain(x: unknown, gamma: unknown, beta: unknown, options: BatchNormTrainOptions = {}): Variable[] {
  const op = 'batchNormalizationTrain';
  const o = options ?? {};
  const f = o.runningAverageFactor ?? 0.1;
  const hasRm = o.runningMean !== undefined && o.runningMean !== null, hasRv = o.runningVar !== undefined && o.runningVar !== null;
  const extra: string[] = [];
  if (typeof f !== 'number' || !Number.isFinite(f)) extra.push(`runningAverageFactor must be a finite number, got ${showValue(f)}`);
  if (hasRm !== hasRv) extra.push(`runningMean and runningVar must be given together, got ${hasRm ? 'runningMean' : 'runningVar'} only`);
  if (extra.length) throw new ArgumentError(`${op}: ${extra.join('; ')}`);
  const given: [string, unknown][] = [['gamma', gamma], ['beta', beta]];
  if (hasRm) given.push(['runningMean', o.runningMean], ['runningVar', o.runningVar]);
  const p = prepare(op, x, given, o, true);
  const node = new BatchNormTrainOp({ axes: p.axes, epsilon: p.eps, factor: f, running: hasRm }).makeNode(p.x, ...p.params);
  const [out, ...stats] = node.outputs;
  return [p.back(out), ...stats.map(p.stat)];
}

/**
 * Theano's batch_normalization_test: (x - mean) · gamma / sqrt(var + epsilon) + beta with given statistics (the
 * running averages), parameters shaped as in batchNormalizationTrain. A composite of elementwise ops (fused by the
 * rewrites), differentiable w.r.t. every input.
 * @example const y = T.nnet.bn.batchNormalizationTest(x, gamma, beta, runningMean, runningVar, { axes: 'spatial' })
 */
export function batchNormalizationTest(x: unknown, gamma: unknown, beta: unknown, mean: unknown, variance: unknown, options: BatchNormOptions = {}): Variable {
  const p = prepare('batchNormalizationTest', x, [['gamma', gamma], ['beta', beta], ['mean', mean], ['var', variance]], options ?? {}, false);
  const [g, b, m, v] = p.params;
  return p.back(add(mul(sub(p.x, m), div(g, sqrt(add(v, p.eps)))), b));
}
