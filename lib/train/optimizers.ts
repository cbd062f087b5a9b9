import { ArgumentError } from '../errors';
import { grad } from '../grad/grad';
import { shared } from '../graph/tensor';
import { SharedVariable, Variable } from '../graph/variable';
import { describe, zeros } from '../ndarray';
import { add, div, maximum, mul, pow, sqr, sqrt, sub, sum } from '../ops';

// Optimizers are update builders, Theano/Lasagne style: each takes a scalar cost (or the gradients) and the
// parameters and returns the [shared, newValue] pairs for T.function's `updates`. Their state (moments, step
// count) lives in shared variables, listed in `updates.state`, so a checkpoint of params + state resumes exactly.

/** A learning rate: a number, a symbolic scalar (e.g. a shared variable a schedule sets), or a function of the step count. */
export type LearningRate = number | Variable | ((step: Variable) => Variable);

/** Update pairs for T.function, plus the optimizer's own shared state (for checkpoints). */
export type Updates = [SharedVariable, Variable][] & { state: SharedVariable[] };

export interface OptimizerOptions {
  learningRate?: LearningRate;
  /** Rescale all gradients together so their global L2 norm is at most this. */
  clipNorm?: number;
  /** Prefix of the state variables' names (default: the optimizer's name), e.g. 'adam' gives 'adam/W1.m'. */
  name?: string;
}

interface Ctx {
  params: SharedVariable[];
  grads: Variable[];
  lr: (step: () => Variable) => Variable | number;
  updates: Updates;
  prefix: string;
}

function setup(where: string, costOrGrads: unknown, params: unknown, opts: OptimizerOptions, extra: Record<string, [unknown, (v: number) => boolean, string]>, defaultLr = 0.01): Ctx {
  const problems: string[] = [];
  if (!Array.isArray(params) || params.length === 0) problems.push(`params must be a non-empty array of shared variables, got ${describe(params)}`);
  else params.forEach((p, i) => {
    if (!(p instanceof SharedVariable)) problems.push(`params[${i}] must be a shared variable, got ${describe(p)}`);
    else if (p.dtype !== 'float32' && p.dtype !== 'float64') problems.push(`params[${i}] (${p.name ?? 'unnamed'}) must have a float dtype, got ${p.dtype}`);
  });
  if (opts === null || typeof opts !== 'object') problems.push(`options must be an object, got ${describe(opts)}`);
  const o = (opts ?? {}) as OptimizerOptions;
  const lr = o.learningRate;
  if (lr !== undefined && !(typeof lr === 'number' && Number.isFinite(lr) && lr >= 0) && !(lr instanceof Variable) && typeof lr !== 'function') {
    problems.push(`learningRate must be a non-negative number, a symbolic scalar or a function of the step, got ${describe(lr)}`);
  }
  if (lr instanceof Variable && lr.ndim !== 0) problems.push(`learningRate must be a scalar, got a rank-${lr.ndim} variable`);
  if (o.clipNorm !== undefined && !(typeof o.clipNorm === 'number' && o.clipNorm > 0)) problems.push(`clipNorm must be a positive number, got ${describe(o.clipNorm)}`);
  for (const [k, [v, ok, want]] of Object.entries(extra)) if (v !== undefined && !(typeof v === 'number' && ok(v))) problems.push(`${k} must be ${want}, got ${describe(v)}`);
  let grads: Variable[] = [];
  if (costOrGrads instanceof Variable) {
    if (costOrGrads.ndim !== 0) problems.push(`cost must be a scalar, got a rank-${costOrGrads.ndim} variable (or pass the gradients as an array)`);
  } else if (Array.isArray(costOrGrads)) {
    if (Array.isArray(params) && costOrGrads.length !== params.length) problems.push(`grads must have one entry per param (${params.length}), got ${costOrGrads.length}`);
    costOrGrads.forEach((g, i) => {
      if (!(g instanceof Variable)) problems.push(`grads[${i}] must be a Variable, got ${describe(g)}`);
    });
    grads = costOrGrads as Variable[];
  } else problems.push(`cost must be a scalar Variable or an array of gradients, got ${describe(costOrGrads)}`);
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')}`);
  const ps = params as SharedVariable[];
  if (costOrGrads instanceof Variable) grads = grad(costOrGrads, ps);
  if (o.clipNorm !== undefined) grads = clipByGlobalNorm(grads, o.clipNorm);
  const updates = Object.assign([] as [SharedVariable, Variable][], { state: [] as SharedVariable[] });
  const prefix = o.name ?? where;
  const rate = lr ?? defaultLr;
  return {
    params: ps,
    grads,
    updates,
    prefix,
    lr: (step) => (typeof rate === 'function' ? rate(step()) : rate),
  };
}

/** Gradients rescaled together so that their global L2 norm is at most `maxNorm` (unchanged when it already is). */
export function clipByGlobalNorm(grads: readonly Variable[], maxNorm: number): Variable[] {
  const norm = sqrt(grads.map((g) => sum(sqr(g))).reduce((a, b) => add(a, b)));
  // scale = maxNorm / max(norm, maxNorm): 1 when norm <= maxNorm, no division by a zero norm
  const scale = div(maxNorm, maximum(norm, maxNorm));
  return grads.map((g) => mul(g, scale));
}

function state(c: Ctx, p: SharedVariable, i: number, slot: string): SharedVariable {
  const s = shared(zeros(p.getValue({ borrow: true }).shape, p.dtype), `${c.prefix}/${p.name ?? `param${i}`}.${slot}`);
  c.updates.state.push(s);
  return s;
}

/** The optimizer's step counter t (float, counts calls), created on first use; the returned variable is t + 1. */
function stepper(c: Ctx): () => Variable {
  let next: Variable | null = null;
  return () => {
    if (!next) {
      const t = shared(0, { name: `${c.prefix}/t`, dtype: c.params[0].dtype });
      next = add(t, 1);
      c.updates.state.push(t);
      c.updates.push([t, next]);
    }
    return next;
  };
}

/** Plain SGD: p <- p - lr * g. @example T.function([x, y], cost, { updates: T.train.sgd(cost, params, { learningRate: 0.1 }) }) */
export function sgd(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: OptimizerOptions = {}): Updates {
  const c = setup('sgd', costOrGrads, params, opts, {});
  const lr = c.lr(stepper(c));
  c.params.forEach((p, i) => c.updates.push([p, sub(p, mul(lr, c.grads[i]))]));
  return c.updates;
}

export interface MomentumOptions extends OptimizerOptions {
  momentum?: number;
}

/** Heavy-ball momentum: v <- mu v - lr g; p <- p + v. */
export function momentum(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: MomentumOptions = {}): Updates {
  return withVelocity('momentum', costOrGrads, params, opts, false);
}

/** Nesterov momentum (Sutskever's form): v <- mu v - lr g; p <- p + mu v - lr g. */
export function nesterov(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: MomentumOptions = {}): Updates {
  return withVelocity('nesterov', costOrGrads, params, opts, true);
}

function withVelocity(where: string, costOrGrads: unknown, params: unknown, opts: MomentumOptions, nest: boolean): Updates {
  const c = setup(where, costOrGrads, params, opts, { momentum: [opts?.momentum, (v) => v >= 0 && v < 1, 'in [0, 1)'] });
  const mu = opts.momentum ?? 0.9;
  const lr = c.lr(stepper(c));
  c.params.forEach((p, i) => {
    const v = state(c, p, i, 'velocity');
    const step = mul(lr, c.grads[i]);
    const vNew = sub(mul(mu, v), step);
    c.updates.push([v, vNew]);
    c.updates.push([p, nest ? sub(add(p, mul(mu, vNew)), step) : add(p, vNew)]);
  });
  return c.updates;
}

export interface AdamOptions extends OptimizerOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  /** AdamW only: decoupled weight decay, p <- p - lr * weightDecay * p (default 0.01). */
  weightDecay?: number;
}

/**
 * Adam (Kingma & Ba): m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
 * p <- p - lr sqrt(1-b2^t)/(1-b1^t) m / (sqrt(v) + eps).
 */
export function adam(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: AdamOptions = {}): Updates {
  return adamLike('adam', costOrGrads, params, opts, 0);
}

/** AdamW (Loshchilov & Hutter): Adam plus decoupled weight decay applied to the parameter itself. */
export function adamW(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: AdamOptions = {}): Updates {
  return adamLike('adamW', costOrGrads, params, opts, opts?.weightDecay ?? 0.01);
}

function adamLike(where: string, costOrGrads: unknown, params: unknown, opts: AdamOptions, wd: number): Updates {
  const unit = (v: number) => v >= 0 && v < 1;
  const c = setup(where, costOrGrads, params, opts, {
    beta1: [opts?.beta1, unit, 'in [0, 1)'],
    beta2: [opts?.beta2, unit, 'in [0, 1)'],
    epsilon: [opts?.epsilon, (v) => v > 0, 'positive'],
    weightDecay: [opts?.weightDecay, (v) => v >= 0, 'non-negative'],
  }, 0.001);
  const b1 = opts.beta1 ?? 0.9;
  const b2 = opts.beta2 ?? 0.999;
  const eps = opts.epsilon ?? 1e-8;
  const step = stepper(c);
  const t = step();
  const lr = c.lr(step);
  const lrT = div(mul(lr, sqrt(sub(1, pow(b2, t)))), sub(1, pow(b1, t)));
  c.params.forEach((p, i) => {
    const g = c.grads[i];
    const m = state(c, p, i, 'm');
    const v = state(c, p, i, 'v');
    const mNew = add(mul(b1, m), mul(1 - b1, g));
    const vNew = add(mul(b2, v), mul(1 - b2, sqr(g)));
    // lr * wd in JS when both are numbers: two plain numbers would make a floatX constant and lose float64 precision
    const decayed = wd > 0 ? sub(p, mul(typeof lr === 'number' ? lr * wd : mul(lr, wd), p)) : p;
    c.updates.push([m, mNew], [v, vNew], [p, sub(decayed, div(mul(lrT, mNew), add(sqrt(vNew), eps)))]);
  });
  return c.updates;
}

export interface RmspropOptions extends OptimizerOptions {
  rho?: number;
  epsilon?: number;
}

/** RMSProp: a <- rho a + (1-rho) g^2; p <- p - lr g / (sqrt(a) + eps). */
export function rmsprop(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: RmspropOptions = {}): Updates {
  const c = setup('rmsprop', costOrGrads, params, opts, {
    rho: [opts?.rho, (v) => v >= 0 && v < 1, 'in [0, 1)'],
    epsilon: [opts?.epsilon, (v) => v > 0, 'positive'],
  }, 0.001);
  const rho = opts.rho ?? 0.9;
  const eps = opts.epsilon ?? 1e-8;
  const lr = c.lr(stepper(c));
  c.params.forEach((p, i) => {
    const g = c.grads[i];
    const a = state(c, p, i, 'meanSquare');
    const aNew = add(mul(rho, a), mul(1 - rho, sqr(g)));
    c.updates.push([a, aNew], [p, sub(p, div(mul(lr, g), add(sqrt(aNew), eps)))]);
  });
  return c.updates;
}

export interface AdagradOptions extends OptimizerOptions {
  epsilon?: number;
}

/** Adagrad: a <- a + g^2; p <- p - lr g / (sqrt(a) + eps). */
export function adagrad(costOrGrads: Variable | readonly Variable[], params: readonly SharedVariable[], opts: AdagradOptions = {}): Updates {
  const c = setup('adagrad', costOrGrads, params, opts, { epsilon: [opts?.epsilon, (v) => v > 0, 'positive'] });
  const eps = opts.epsilon ?? 1e-8;
  const lr = c.lr(stepper(c));
  c.params.forEach((p, i) => {
    const g = c.grads[i];
    const a = state(c, p, i, 'sumSquare');
    const aNew = add(a, sqr(g));
    c.updates.push([a, aNew], [p, sub(p, div(mul(lr, g), add(sqrt(aNew), eps)))]);
  });
  return c.updates;
}
