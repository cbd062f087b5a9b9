import { ArgumentError, GradError } from '../errors';
import { DType, isFloat } from '../dtype';
import { describe, NDArray, shapeStr, sizeOf, zeros } from '../ndarray';
import { constant } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { tensor } from '../graph/tensor';
import { ancestors } from '../graph/toposort';
import { Variable } from '../graph/variable';
import { labelOf } from '../graph/printing';
import { add } from '../ops/add';
import { onesLike, zerosLike } from '../ops/broadcast-to';
import { arange } from '../ops/arange';
import { cast } from '../ops/cast';
import { eq } from '../ops/compare';
import { outer } from '../ops/outer';
import { reshape } from '../ops/reshape';
import { scan } from './scan';
import { expandDims } from '../ops/expand-dims';
import { mul } from '../ops/mul';
import { stack } from '../ops/stack';
import { sum } from '../ops/sum';
import { backprop, checkLike, checkOptions, checkWrt, DiffOptions, finish, Policy } from '../grad/grad';

type WithNull = { returnDisconnected: 'null' };
type One<W, R> = W extends readonly Variable[] ? R[] : R;

/**
 * Vector-Jacobian product (Theano's Lop): Σ_i evalPoints[i]ᵀ · ∂f[i]/∂wrt, each result of wrt's shape. It is one
 * backward pass seeded with the evaluation points, which must have the shapes of `f`.
 * @example const vJ = T.Lop(T.tanh(T.dot(W, x)), x, v); // vᵀ J, J = ∂tanh(Wx)/∂x
 */
export function Lop<W extends Variable | readonly Variable[]>(f: Variable | readonly Variable[], wrt: W, evalPoints: unknown, opts: DiffOptions & WithNull): One<W, Variable | null>;
export function Lop<W extends Variable | readonly Variable[]>(f: Variable | readonly Variable[], wrt: W, evalPoints: unknown, opts?: DiffOptions): One<W, Variable>;
export function Lop(f: Variable | readonly Variable[], wrt: Variable | readonly Variable[], evalPoints: unknown, opts: DiffOptions = {}): unknown {
  const problems: string[] = [];
  const policy = checkOptions('Lop', opts, [], problems);
  const { fs } = checkTargets(f, problems);
  const points = checkPoints(fs, Array.isArray(f), evalPoints, 'f', problems);
  const { list, names } = checkWrt(wrt, policy.constants, problems);
  if (problems.length) throw new GradError(`Lop: ${problems.join('; ')}`);
  const grads = backprop(fs.map((v, i) => [v, points[i]] as const), new Map(), list, policy.constants);
  const out = finish('Lop', list, names, grads, policy, fs.length > 1 ? 'any of f' : `f (${labelOf(fs[0])})`);
  return Array.isArray(wrt) ? out : out[0];
}

/**
 * Jacobian-vector product (Theano's Rop): Σ_j ∂f/∂wrt[j] · evalPoints[j], of f's shape; evalPoints have the shapes
 * of wrt. Built by the double-Lop trick: with a dummy u of f's shape, g(u) = Lop(f, wrt, u) = uᵀJ is linear in u, and
 * J·v = ∂(g(u)·v)/∂u, which does not depend on u. Works for every op that has a gradient (nothing per-op to write);
 * the cost is one extra backward pass over the (small) gradient graph.
 * @example const Jv = T.Rop(T.tanh(T.dot(W, x)), x, v); // J v
 */
export function Rop(f: Variable, wrt: Variable | readonly Variable[], evalPoints: unknown, opts: DiffOptions & WithNull): Variable | null;
export function Rop(f: readonly Variable[], wrt: Variable | readonly Variable[], evalPoints: unknown, opts: DiffOptions & WithNull): (Variable | null)[];
export function Rop(f: Variable, wrt: Variable | readonly Variable[], evalPoints: unknown, opts?: DiffOptions): Variable;
export function Rop(f: readonly Variable[], wrt: Variable | readonly Variable[], evalPoints: unknown, opts?: DiffOptions): Variable[];
export function Rop(f: Variable | readonly Variable[], wrt: Variable | readonly Variable[], evalPoints: unknown, opts: DiffOptions = {}): Variable | (Variable | null)[] | null {
  const problems: string[] = [];
  const policy = checkOptions('Rop', opts, [], problems);
  const { fs: fList, fNames } = checkTargets(f, problems);
  const { list, names } = checkWrt(wrt, policy.constants, problems);
  const points = checkPoints(list, Array.isArray(wrt), evalPoints, 'wrt', problems);
  if (problems.length) throw new GradError(`Rop: ${problems.join('; ')}`);

  const us = fList.map((v, i) => tensor(v.dtype, v.type.shape, `u${i}`));
  const g = backprop(fList.map((v, i) => [v, us[i]] as const), new Map(), list, policy.constants);
  const terms = list.flatMap((w, j) => {
    const gw = g.get(w);
    return gw ? [sum(mul(gw, points[j]))] : [];
  });
  const total = terms.length ? terms.reduce((a, b) => add(a, b)) : null;
  const jv = total ? backprop([[total, constant(1, total.dtype)]], new Map(), us) : new Map<Variable, Variable>();
  // a result reached f[i] only through u[i]; report f[i] as the disconnected one
  const byF = new Map<Variable, Variable>();
  us.forEach((u, i) => jv.has(u) && byF.set(fList[i], jv.get(u)!));
  const out = finish('Rop', fList, fNames, byF, policy, names.length > 1 ? 'any of wrt' : `wrt (${labelOf(list[0])})`);
  const found = out.filter((o): o is Variable => o !== null);
  // J·v does not depend on u's values, but gradient rules still read u's shape (sumTo / broadcastTo refs): give them
  // zeros of f's shape instead, so no dummy input is left (any value would give the same result)
  const seen = ancestors(found);
  const stray = us.map((u, i) => [u, i] as const).filter(([u]) => seen.has(u));
  let final = out;
  if (stray.length) {
    const clone = new FunctionGraph([], found, new Map(stray.map(([u, i]) => [u, zerosLike(fList[i])])));
    let k = 0;
    final = out.map((o) => (o === null ? null : clone.outputs[k++]));
  }
  return Array.isArray(f) ? final : final[0];
}

/**
 * The Jacobian of `expression` with respect to each wrt: shape [...expression.shape, ...wrt.shape], one backward pass
 * per element of expression (a scalar expression gives grad). Theano builds the rows with scan; nodeano unrolls them,
 * so the expression's shape must be static (give the inputs static shapes, `T.tensor('float64', [3])`).
 * @example const J = T.jacobian(T.tanh(T.dot(W, x)), x); // [3] expression, [4] x -> [3, 4]
 */
export function jacobian<W extends Variable | readonly Variable[]>(expression: Variable, wrt: W, opts: DiffOptions & WithNull): One<W, Variable | null>;
export function jacobian<W extends Variable | readonly Variable[]>(expression: Variable, wrt: W, opts?: DiffOptions): One<W, Variable>;
export function jacobian(expression: Variable, wrt: Variable | readonly Variable[], opts: DiffOptions = {}): unknown {
  const problems: string[] = [];
  const policy = checkOptions('jacobian', opts, [], problems);
  if (!(expression instanceof Variable)) problems.push(`expression must be a Variable, got ${describe(expression)}`);
  else if (!isFloat(expression.dtype)) problems.push(`expression (${labelOf(expression)}) must have a float dtype, got ${expression.dtype}`);
  const { list, names } = checkWrt(wrt, policy.constants, problems);
  if (problems.length) throw new GradError(`jacobian: ${problems.join('; ')}`);
  const shape = expression.type.shape;
  if (shape.some((d) => d === null)) {
    const out = jacobianScan('jacobian', expression, list, names, policy);
    return Array.isArray(wrt) ? out : out[0];
  }
  const out = jacobianRows('jacobian', expression, shape as number[], list, names, policy);
  return Array.isArray(wrt) ? out : out[0];
}

/**
 * The Hessian of a scalar cost with respect to each wrt: shape [...wrt.shape, ...wrt.shape], the Jacobian of the
 * gradient. wrt must have a static shape. A cost linear in wrt has a zero Hessian; a cost that does not depend on
 * wrt at all is disconnected (raised by default).
 * @example const H = T.hessian(T.dot(x, T.dot(A, x)), x); // A + Aᵀ
 */
export function hessian<W extends Variable | readonly Variable[]>(cost: Variable, wrt: W, opts: DiffOptions & WithNull): One<W, Variable | null>;
export function hessian<W extends Variable | readonly Variable[]>(cost: Variable, wrt: W, opts?: DiffOptions): One<W, Variable>;
export function hessian(cost: Variable, wrt: Variable | readonly Variable[], opts: DiffOptions = {}): unknown {
  const problems: string[] = [];
  const policy = checkOptions('hessian', opts, [], problems);
  if (!(cost instanceof Variable)) problems.push(`cost must be a Variable, got ${describe(cost)}`);
  else if (cost.ndim !== 0) problems.push(`cost must be a scalar (rank 0), got ${labelOf(cost)} of shape ${shapeStr(cost.type.shape)}; reduce it with sum() or mean() first`);
  else if (!isFloat(cost.dtype)) problems.push(`cost must be a float scalar, got dtype ${cost.dtype}`);
  const { list, names } = checkWrt(wrt, policy.constants, problems);
  if (problems.length) throw new GradError(`hessian: ${problems.join('; ')}`);
  const grads = backprop([[cost, constant(1, cost.dtype)]], new Map(), list, policy.constants);
  const first = finish('hessian', list, names, grads, { ...policy, returnDisconnected: 'null' }, `the cost ${labelOf(cost)}`);
  // the second stage: a gradient that no longer depends on w (cost linear in w) gives zeros, not an error
  const inner: Policy = { constants: policy.constants, disconnectedInputs: 'ignore', returnDisconnected: 'zero' };
  const out = list.map((w, i) => {
    const g = first[i];
    const shape = w.type.shape as number[];
    const dynamic = shape.some((d) => d === null);
    if (g) return dynamic ? jacobianScan('hessian', g, [w], [names[i]], inner)[0] : jacobianRows('hessian', g, shape, [w], [names[i]], inner)[0];
    if (policy.returnDisconnected === 'null') return null;
    return dynamic ? outer(zerosLike(w), zerosLike(w)) : constant(zeros([...shape, ...shape], w.dtype));
  });
  return Array.isArray(wrt) ? out : out[0];
}

/**
 * The Jacobian of expr (any shape) w.r.t. each wrt as Theano builds it: a scan over expr's flattened elements, one
 * backward pass per step, reshaped to [...expr.shape, ...wrt.shape].
 */
function jacobianScan(where: string, expr: Variable, list: readonly Variable[], names: readonly string[], policy: Policy): (Variable | null)[] {
  const y = reshape(expr, [-1]);
  // connectivity is structural, the same for every row: decide (and raise or warn) once
  const probe = backprop([[y, onesLike(y)]], new Map(), list, policy.constants);
  finish(where, list, names, probe, policy, `the expression ${labelOf(expr)}`);
  const connected = list.filter((w) => probe.has(w));
  const rows = connected.length
    ? (scan((i: Variable) => {
        const g = backprop([[y, oneHotRow(y, i)]], new Map(), connected, policy.constants);
        return connected.map((w) => g.get(w) ?? zerosLike(w));
      }, { sequences: arange(y.shape[0]), name: `${where} rows` })[0] as Variable | Variable[])
    : [];
  const rowList = Array.isArray(rows) ? rows : [rows];
  const dims = (v: Variable) => v.type.shape.map((_, k) => v.shape[k]);
  return list.map((w) => {
    const k = connected.indexOf(w);
    if (k >= 0) return reshape(rowList[k], [...dims(expr), ...dims(w)]);
    return policy.returnDisconnected === 'null' ? null : reshape(outer(zerosLike(y), reshape(zerosLike(w), [-1])), [...dims(expr), ...dims(w)]);
  });
}

/** A one-hot vector of y's length with a one at i (the seed of one Jacobian row). */
function oneHotRow(y: Variable, i: Variable): Variable {
  return cast(eq(arange(y.shape[0]), i), y.dtype);
}

/** The Jacobian of expr (static `shape`) w.r.t. each wrt: one Lop per element of expr, stacked. */
function jacobianRows(where: string, expr: Variable, shape: readonly number[], list: readonly Variable[], names: readonly string[], policy: Policy): (Variable | null)[] {
  const n = sizeOf(shape);
  const target = `the expression ${labelOf(expr)}`;
  if (n === 0) {
    // no rows: the result is empty, but its trailing dims are wrt's
    return list.map((w, i) => {
      if (w.type.shape.some((d) => d === null)) {
        throw new ArgumentError(`${where}: ${names[i]} (${labelOf(w)}) must have a static shape when the expression is empty, got ${shapeStr(w.type.shape)}`);
      }
      return constant(zeros([...shape, ...(w.type.shape as number[])], w.dtype));
    });
  }
  const first = backprop([[expr, constant(oneHot(shape, 0, expr.dtype))]], new Map(), list, policy.constants);
  // connectivity is structural, the same for every row: decide (and raise or warn) once
  finish(where, list, names, first, policy, target);
  const rows = [first];
  for (let k = 1; k < n; k++) rows.push(backprop([[expr, constant(oneHot(shape, k, expr.dtype))]], new Map(), list, policy.constants));
  return list.map((w) => {
    if (first.has(w)) return stackNested(rows.map((r) => r.get(w)!), shape);
    return policy.returnDisconnected === 'null' ? null : zerosOf(shape, w);
  });
}

function oneHot(shape: readonly number[], k: number, dtype: DType): NDArray {
  const a = zeros(shape as number[], dtype);
  a.data[k] = 1;
  return a;
}

/** Zeros of shape [...shape, ...w's run-time shape]. */
function zerosOf(shape: readonly number[], w: Variable): Variable {
  const lead = shape.map((_, i) => i);
  const z = zerosLike(w);
  return lead.length ? mul(expandDims(z, lead), constant(zeros([...shape, ...w.type.shape.map(() => 1)], w.dtype))) : z;
}

/** Rows in row-major order of `shape`, stacked into [...shape, ...row shape]. */
function stackNested(rows: readonly Variable[], shape: readonly number[]): Variable {
  if (shape.length === 0) return rows[0];
  const [d, ...rest] = shape;
  const stride = rows.length / d;
  const parts: Variable[] = [];
  for (let i = 0; i < d; i++) parts.push(stackNested(rows.slice(i * stride, (i + 1) * stride), rest));
  return stack(parts, 0);
}

/** The targets (f of Lop and Rop) as a list with names; problems for entries that are not float Variables. */
function checkTargets(f: unknown, problems: string[]): { fs: Variable[]; fNames: string[] } {
  const many = Array.isArray(f);
  const fs = (many ? f : [f]) as Variable[];
  if (many && fs.length === 0) problems.push('f must not be an empty list');
  const fNames = fs.map((_, i) => (many ? `f[${i}]` : 'f'));
  fs.forEach((v, i) => {
    if (!(v instanceof Variable)) problems.push(`${fNames[i]} must be a Variable, got ${describe(v)}`);
    else if (!isFloat(v.dtype)) problems.push(`${fNames[i]} (${labelOf(v)}) must have a float dtype, got ${v.dtype}`);
  });
  return { fs, fNames };
}

/**
 * Evaluation points, one per target (a list when `many`), each with its target's shape and a float dtype; null
 * where a target or a point is bad (the problem is recorded).
 */
function checkPoints(targets: readonly Variable[], many: boolean, points: unknown, what: string, problems: string[]): Variable[] {
  if (many && (!Array.isArray(points) || points.length !== targets.length)) {
    problems.push(`evalPoints must be a list of ${targets.length} values, one per ${what}, got ${describe(points)}`);
    return [];
  }
  const list = (many ? points : [points]) as unknown[];
  return targets.map((v, i) => (v instanceof Variable && isFloat(v.dtype) ? checkLike(many ? `evalPoints[${i}]` : 'evalPoints', list[i], v, problems) : null)) as Variable[];
}
