import { GradError } from '../errors';
import { isFloat } from '../dtype';
import { describe, shapeStr } from '../ndarray';
import { asVariable, constant } from '../graph/as-variable';
import { toposort } from '../graph/toposort';
import { Apply, Variable } from '../graph/variable';
import { labelOf } from '../graph/printing';
import { add } from '../ops/add';
import { cast } from '../ops/cast';
import { broadcastLike, zerosLike } from '../ops/broadcast-to';
import { DisconnectedGradOp } from '../ops/grad-modifiers';
import { provablySameShape } from '../ops/broadcast';
import { CastOp } from '../ops/cast';
import { ElemwiseOp } from '../ops/elemwise';
import { where, WhereOp } from '../ops/where';
import { shapeSource } from '../rewrite/local';
import { FunctionGraph } from '../graph/fgraph';
import { optimize, PHASES } from '../rewrite';

/** Options shared by grad, Lop, Rop, jacobian and hessian. */
export interface DiffOptions {
  /** Variables treated as constants: no gradient flows back through them (Theano's consider_constant). */
  considerConstant?: readonly Variable[];
  /** A wrt the result does not depend on: throw (default), warn, or accept it silently. */
  disconnectedInputs?: 'raise' | 'warn' | 'ignore';
  /** What a disconnected wrt gets when not raising: zeros of its run-time shape (default) or null. */
  returnDisconnected?: 'zero' | 'null';
}

export interface GradOptions extends DiffOptions {
  /**
   * Gradients of the cost already known for some variables, as [variable, gradient] pairs or a Map (Theano's
   * known_grads). A known gradient is the whole d cost / d variable: it replaces what backpropagation from `cost`
   * would give there. With knownGrads, `cost` may be null.
   */
  knownGrads?: ReadonlyMap<Variable, unknown> | readonly (readonly [Variable, unknown])[];
  /** Shorthand kept from earlier versions: "zero" means { disconnectedInputs: "ignore", returnDisconnected: "zero" }. */
  disconnected?: 'raise' | 'zero';
  /**
   * Differentiate the cost as the stabilize rewrites leave it (default true): `log(sigmoid(x))` as `-softplus(-x)`
   * and so on, so gradients stay finite where the expression as written saturates. false differentiates the graph
   * exactly as written.
   */
  stabilize?: boolean;
}

/** The validated options: what backprop and the disconnected handling read. */
export interface Policy {
  constants: ReadonlySet<Variable>;
  disconnectedInputs: 'raise' | 'warn' | 'ignore';
  returnDisconnected: 'zero' | 'null';
}

type WithNull = { returnDisconnected: 'null' };

/**
 * Symbolic reverse-mode gradient of a scalar cost with respect to one variable or a list of them (Theano semantics
 * for knownGrads, considerConstant, disconnectedInputs and returnDisconnected). The result is an ordinary graph, so
 * it can be differentiated again.
 * @example const [gW1, gW2] = T.grad(cost, [W1, W2]);
 */
export function grad(cost: Variable | null, wrt: Variable, opts: GradOptions & WithNull): Variable | null;
export function grad(cost: Variable | null, wrt: readonly Variable[], opts: GradOptions & WithNull): (Variable | null)[];
export function grad(cost: Variable | null, wrt: Variable, opts?: GradOptions): Variable;
export function grad(cost: Variable | null, wrt: readonly Variable[], opts?: GradOptions): Variable[];
export function grad(cost: Variable | null, wrt: Variable | readonly Variable[], opts: GradOptions = {}): Variable | null | (Variable | null)[] {
  const problems: string[] = [];
  const policy = checkOptions('grad', opts, ['knownGrads', 'disconnected', 'stabilize'], problems);
  const stabilize = opts && typeof opts === 'object' ? opts.stabilize : undefined;
  if (stabilize !== undefined && typeof stabilize !== 'boolean') problems.push(`stabilize must be a boolean, got ${describe(stabilize)}`);
  const known = new Map<Variable, Variable>();
  const knownList = opts && typeof opts === 'object' ? opts.knownGrads : undefined;
  if (knownList !== undefined) {
    const entries = knownList instanceof Map ? [...knownList.entries()] : Array.isArray(knownList) ? knownList : null;
    if (!entries) problems.push(`knownGrads must be a Map or an array of [variable, gradient] pairs, got ${describe(knownList)}`);
    else {
      entries.forEach((p, i) => {
        if (!Array.isArray(p) || p.length !== 2) return problems.push(`knownGrads[${i}] must be a pair [variable, gradient], got ${describe(p)}`);
        const [v, g] = p as unknown as readonly [unknown, unknown];
        if (!(v instanceof Variable)) return problems.push(`knownGrads[${i}][0] must be a Variable, got ${describe(v)}`);
        if (!isFloat(v.dtype)) return problems.push(`knownGrads[${i}][0] (${labelOf(v)}) must have a float dtype, got ${v.dtype}`);
        if (known.has(v)) return problems.push(`knownGrads[${i}][0] (${labelOf(v)}) is listed twice`);
        const gv = checkLike(`knownGrads[${i}][1]`, g, v, problems);
        if (gv) known.set(v, gv);
      });
    }
  }
  if (cost === null || cost === undefined) {
    if (knownList === undefined) problems.push(`cost must be a Variable (it may be null only with knownGrads), got ${describe(cost)}`);
  } else if (!(cost instanceof Variable)) problems.push(`cost must be a Variable, got ${describe(cost)}`);
  else if (cost.ndim !== 0) problems.push(`cost must be a scalar (rank 0), got ${labelOf(cost)} of shape ${shapeStr(cost.type.shape)}; reduce it with sum() or mean() first`);
  else if (!isFloat(cost.dtype)) problems.push(`cost must be a float scalar, got dtype ${cost.dtype}`);
  const { list, names } = checkWrt(wrt, policy.constants, problems);
  if (problems.length) throw new GradError(`grad: ${problems.join('; ')}`);

  const plain = stabilize !== false && known.size === 0 && policy.constants.size === 0;
  const seeds: [Variable, Variable][] = cost ? [[plain ? stabilized(cost, list) : cost, constant(1, cost.dtype)]] : [];
  const grads = backprop(seeds, known, list, policy.constants);
  const target = cost ? `the cost ${labelOf(cost)}` : 'any knownGrads variable';
  const out = finish('grad', list, names, grads, policy, target);
  return Array.isArray(wrt) ? out : out[0];
}

/**
 * The cost as the compiler's stabilize phase rewrites it (log(sigmoid x) -> -softplus(-x), 1 / (1 + exp(-x)) ->
 * sigmoid(x), crossentropy of a softmax -> the fused op...) when that phase changes anything and every wrt is a leaf
 * (an input, shared variable or constant: leaves keep their identity through the rewrite). Differentiating the
 * stable form gives stable gradients (d softplus = sigmoid), where the raw form's chain rule multiplies inf by 0 at
 * saturation, as Theano's tutorials would without its gradient rewrites. Otherwise the cost itself.
 */
function stabilized(cost: Variable, wrt: readonly Variable[]): Variable {
  if (wrt.some((v) => v.owner)) return cost;
  const { fg, log } = optimize(new FunctionGraph([], [cost]), { exclude: PHASES.filter((p) => p !== 'stabilize') });
  return log.some((e) => e.kind === 'rewrite' && e.count > 0) ? fg.outputs[0] : cost;
}

/** Validates the options common to every differentiation entry point; `extra` are further option names allowed. */
export function checkOptions(where: string, opts: unknown, extra: readonly string[], problems: string[]): Policy {
  const policy: Policy = { constants: new Set(), disconnectedInputs: 'raise', returnDisconnected: 'zero' };
  if (opts === null || typeof opts !== 'object') {
    problems.push(`options must be an object, got ${describe(opts)}`);
    return policy;
  }
  const o = opts as GradOptions;
  const knownKeys = ['considerConstant', 'disconnectedInputs', 'returnDisconnected', ...extra];
  for (const k of Object.keys(o)) if (!knownKeys.includes(k)) problems.push(`option ${JSON.stringify(k)} is not known (known: ${knownKeys.join(', ')})`);
  if (o.disconnectedInputs !== undefined) {
    if (['raise', 'warn', 'ignore'].includes(o.disconnectedInputs)) policy.disconnectedInputs = o.disconnectedInputs;
    else problems.push(`disconnectedInputs must be "raise", "warn" or "ignore", got ${describe(o.disconnectedInputs)}`);
  }
  if (o.returnDisconnected !== undefined) {
    if (o.returnDisconnected === 'zero' || o.returnDisconnected === 'null') policy.returnDisconnected = o.returnDisconnected;
    else problems.push(`returnDisconnected must be "zero" or "null", got ${describe(o.returnDisconnected)}`);
  }
  if (extra.includes('disconnected') && o.disconnected !== undefined) {
    if (o.disconnected !== 'raise' && o.disconnected !== 'zero') problems.push(`disconnected must be "raise" or "zero", got ${describe(o.disconnected)}`);
    else if (o.disconnectedInputs !== undefined || o.returnDisconnected !== undefined) {
      problems.push('disconnected is a shorthand for disconnectedInputs and returnDisconnected: pass either it or them');
    } else if (o.disconnected === 'zero') policy.disconnectedInputs = 'ignore';
  }
  if (o.considerConstant !== undefined) {
    if (!Array.isArray(o.considerConstant)) problems.push(`considerConstant must be an array of Variables, got ${describe(o.considerConstant)}`);
    else {
      const set = new Set<Variable>();
      o.considerConstant.forEach((v, i) => {
        if (v instanceof Variable) set.add(v);
        else problems.push(`considerConstant[${i}] must be a Variable, got ${describe(v)}`);
      });
      policy.constants = set;
    }
  }
  return policy;
}

/** The wrt argument as a list with the name of each entry for messages; problems for entries that cannot get a gradient. */
export function checkWrt(wrt: unknown, constants: ReadonlySet<Variable>, problems: string[], arg = 'wrt'): { list: Variable[]; names: string[] } {
  const many = Array.isArray(wrt);
  const list = (many ? wrt : [wrt]) as Variable[];
  if (many && list.length === 0) problems.push(`${arg} must not be an empty list`);
  const names = list.map((_, i) => (many ? `${arg}[${i}]` : arg));
  list.forEach((w, i) => {
    const name = names[i];
    if (!(w instanceof Variable)) problems.push(`${name} must be a Variable, got ${describe(w)}`);
    else if (!isFloat(w.dtype)) problems.push(`${name} (${labelOf(w)}) must have a float dtype to get a gradient, got ${w.dtype} (integer inputs get no gradient)`);
    else if (constants.has(w)) problems.push(`${name} (${labelOf(w)}) is listed in considerConstant, so it can get no gradient`);
  });
  return { list, names };
}

/**
 * `value` as a gradient-like tensor for `like` (a known gradient, an evaluation point): float, same rank, static dims
 * that agree, cast to like's dtype (a plain number fills like's shape). Pushes a problem and returns null when it does not fit.
 */
export function checkLike(name: string, value: unknown, like: Variable, problems: string[]): Variable | null {
  // a plain number stands for a tensor of like's run-time shape filled with it
  if (typeof value === 'number') return broadcastLike(constant(value, isFloat(like.dtype) ? like.dtype : 'float64'), like);
  let v: Variable;
  try {
    v = asVariable(value, 'grad', name, like.dtype);
  } catch {
    problems.push(`${name} must be a Variable, number, nested array or NDArray, got ${describe(value)}`);
    return null;
  }
  if (!isFloat(v.dtype)) {
    problems.push(`${name} must have a float dtype like ${labelOf(like)} (${like.dtype}), got ${v.dtype}`);
    return null;
  }
  const a = like.type.shape;
  const b = v.type.shape;
  if (a.length !== b.length || a.some((d, k) => d !== null && b[k] !== null && d !== b[k])) {
    problems.push(`${name} must have the shape of ${labelOf(like)} ${shapeStr(a)}, got ${shapeStr(b)}`);
    return null;
  }
  return v.dtype === like.dtype ? v : cast(v, like.dtype);
}

/**
 * The gradients found by backprop for `list`, with disconnected entries handled by the policy: an error (naming
 * every disconnected entry), a warning, then zeros or null.
 */
export function finish(where: string, list: readonly Variable[], names: readonly string[], grads: ReadonlyMap<Variable, Variable>, policy: Policy, target: string): (Variable | null)[] {
  const missing = list.map((_, i) => i).filter((i) => !grads.has(list[i]));
  if (missing.length && policy.disconnectedInputs !== 'ignore') {
    const what = missing.map((i) => `${names[i]} (${labelOf(list[i])})`).join(', ');
    const msg = `${where}: ${what} ${missing.length > 1 ? 'are' : 'is'} not connected to ${target}; pass { disconnectedInputs: "ignore" } to get zeros`;
    if (policy.disconnectedInputs === 'raise') throw new GradError(msg, { createdAt: String(list[missing[0]].site) });
    process.emitWarning(msg);
  }
  return list.map((w) => grads.get(w) ?? (policy.returnDisconnected === 'null' ? null : zerosLike(w)));
}

/**
 * A GradError from an op's gradient rule, given the node it is about: which inputs needed a gradient through it and
 * where the user created it. Other errors pass unchanged.
 */
function gradFailure(e: unknown, node: Apply, live: ReadonlySet<Variable>): unknown {
  if (!(e instanceof GradError) || e.node !== undefined) return e;
  const needed = node.inputs.map((v, i) => [v, i] as const).filter(([v]) => live.has(v) && isFloat(v.dtype));
  const which = needed.map(([v, i]) => `input ${i} (${labelOf(v)})`).join(', ');
  const label = labelOf(node.outputs[0]);
  return new GradError(`${e.message.split('\n')[0]}; while differentiating ${label} for ${which}`, {
    node: label,
    createdAt: String(node.site),
  });
}

/**
 * Accumulates d cost / d v over all paths for every variable between `wrt` and the seeds. `seeds` are added to what
 * flows into their variable; `known` gradients replace it. Paths through `constants` and disconnectedGrad are cut.
 */
export function backprop(
  seeds: readonly (readonly [Variable, Variable])[],
  known: ReadonlyMap<Variable, Variable>,
  wrt: readonly Variable[],
  constants: ReadonlySet<Variable> = new Set(),
): Map<Variable, Variable> {
  const nodes = toposort([...seeds.map(([v]) => v), ...known.keys()]);
  // only nodes downstream of some wrt carry gradient that matters
  const live = new Set<Variable>(wrt);
  for (const node of nodes) {
    if (node.op instanceof DisconnectedGradOp) continue;
    if (node.inputs.some((i) => live.has(i))) for (const o of node.outputs) if (!constants.has(o)) live.add(o);
  }
  const parts = new Map<Variable, Variable[]>();
  // gradients that are (or descend through elementwise rules from) a where's selection of one branch
  const selected = new Set<Variable>();
  const push = (v: Variable, g: Variable) => {
    const list = parts.get(v);
    if (list) list.push(g);
    else parts.set(v, [g]);
  };
  const total = (v: Variable): Variable | null => {
    if (!live.has(v)) return null;
    const k = known.get(v);
    if (k) return k;
    const p = parts.get(v);
    if (!p || p.length === 0) return null;
    const s = p.reduce((acc, x) => add(acc, x));
    parts.set(v, [s]);
    return s;
  };
  for (const [v, g] of seeds) if (live.has(v)) push(v, g);
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    if (!node.outputs.some((o) => live.has(o))) continue;
    const gOut = node.outputs.map(total);
    if (gOut.every((g) => g === null)) continue;
    let gIn: (Variable | null)[];
    try {
      gIn = node.op.grad(node.inputs, node.outputs, gOut);
    } catch (e) {
      throw gradFailure(e, node, live);
    }
    // a branch of where gets g only where it was taken and exact zeros elsewhere; an elementwise rule below it
    // turns those zeros into NaN where its derivative is infinite or undefined (0 / x at x = 0 for log, 0 / NaN for
    // sqrt below 0). Down such a branch, each elementwise rule's result is kept only where its incoming gradient is
    // nonzero, so the untaken positions stay 0: where(g, rule(g), 0), shape-safe because input, output and g share
    // one shape there (a unary op, or one whose operands provably have the output's shape, e.g. log(x) * x)
    const masked = gOut.length === 1 && gOut[0] !== null && selected.has(gOut[0]);
    const sameShapes = (input: Variable) =>
      node.inputs.length === 1 || provablySameShape(input.type.shape, node.outputs[0].type.shape) || shapeSource(input) === shapeSource(node.outputs[0]);
    node.inputs.forEach((input, i) => {
      let g = gIn[i];
      if (!g || !live.has(input) || !isFloat(input.dtype)) return;
      if (g.ndim !== input.ndim) {
        throw new GradError(`${node.op.name}: gradient for input ${i} must have rank ${input.ndim}, got ${shapeStr(g.type.shape)} (internal error in the op's gradient)`);
      }
      if (g.dtype !== input.dtype) g = cast(g, input.dtype);
      if (node.op instanceof WhereOp && i > 0) selected.add(g);
      else if (masked && (node.op instanceof ElemwiseOp || node.op instanceof CastOp) && sameShapes(input)) {
        g = where(gOut[0] as Variable, g, 0);
        selected.add(g);
      }
      push(input, g);
    });
  }
  const result = new Map<Variable, Variable>();
  for (const w of wrt) {
    const g = total(w);
    if (g) result.set(w, g);
  }
  return result;
}
