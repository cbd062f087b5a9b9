import { ArgumentError, GradError } from '../errors';
import { isFloat } from '../dtype';
import { shapeStr } from '../ndarray';
import { constant } from '../graph/as-variable';
import { toposort } from '../graph/toposort';
import { Variable } from '../graph/variable';
import { labelOf } from '../printing';
import { add } from '../ops/add';
import { cast } from '../ops/cast';
import { zerosLike } from '../ops/broadcast-to';

export interface GradOptions {
  /** What to do when a `wrt` does not influence the cost: throw (default), or return zeros. */
  disconnected?: 'raise' | 'zero';
}

/**
 * Symbolic reverse-mode gradient of a scalar cost with respect to one variable or a list of them. The result is
 * an ordinary graph, so it can be differentiated again.
 * @example const [gW1, gW2] = T.grad(cost, [W1, W2]);
 */
export function grad(cost: Variable, wrt: Variable, opts?: GradOptions): Variable;
export function grad(cost: Variable, wrt: readonly Variable[], opts?: GradOptions): Variable[];
export function grad(cost: Variable, wrt: Variable | readonly Variable[], opts: GradOptions = {}): Variable | Variable[] {
  const problems: string[] = [];
  if (!(cost instanceof Variable)) throw new ArgumentError(`grad: cost must be a Variable, got ${typeof cost}`);
  if (cost.ndim !== 0) problems.push(`cost must be a scalar (rank 0), got ${labelOf(cost)} of shape ${shapeStr(cost.type.shape)}; reduce it with sum() or mean() first`);
  else if (!isFloat(cost.dtype)) problems.push(`cost must be a float scalar, got dtype ${cost.dtype}`);
  const list = Array.isArray(wrt) ? (wrt as readonly Variable[]) : [wrt as Variable];
  list.forEach((w, i) => {
    const name = Array.isArray(wrt) ? `wrt[${i}]` : 'wrt';
    if (!(w instanceof Variable)) problems.push(`${name} must be a Variable, got ${w === null ? 'null' : typeof w}`);
    else if (!isFloat(w.dtype)) problems.push(`${name} (${labelOf(w)}) must have a float dtype to get a gradient, got ${w.dtype} (integer inputs get no gradient)`);
  });
  if (opts.disconnected !== undefined && opts.disconnected !== 'raise' && opts.disconnected !== 'zero') {
    problems.push(`disconnected must be "raise" or "zero", got ${JSON.stringify(opts.disconnected)}`);
  }
  if (problems.length) throw new GradError(`grad: ${problems.join('; ')}`);

  const grads = backprop(cost, list);
  const out = list.map((w, i) => {
    const g = grads.get(w);
    if (g) return g;
    if (opts.disconnected === 'zero') return zerosLike(w);
    const name = Array.isArray(wrt) ? `wrt[${i}]` : 'wrt';
    throw new GradError(`grad: ${name} (${labelOf(w)}) is not connected to the cost ${labelOf(cost)}; pass { disconnected: "zero" } to get zeros`, { createdAt: String(w.site) });
  });
  return Array.isArray(wrt) ? out : out[0];
}

/** Accumulates d cost / d v over all paths for every variable between `wrt` and the cost. */
function backprop(cost: Variable, wrt: readonly Variable[]): Map<Variable, Variable> {
  const nodes = toposort([cost]);
  // only nodes downstream of some wrt carry gradient that matters
  const live = new Set<Variable>(wrt);
  for (const node of nodes) {
    if (node.inputs.some((i) => live.has(i))) for (const o of node.outputs) live.add(o);
  }
  const parts = new Map<Variable, Variable[]>();
  const total = (v: Variable): Variable | null => {
    const p = parts.get(v);
    if (!p || p.length === 0) return null;
    const s = p.reduce((acc, x) => add(acc, x));
    parts.set(v, [s]);
    return s;
  };
  if (live.has(cost)) parts.set(cost, [constant(1, cost.dtype)]);
  for (let n = nodes.length - 1; n >= 0; n--) {
    const node = nodes[n];
    if (!node.outputs.some((o) => live.has(o))) continue;
    const gOut = node.outputs.map(total);
    if (gOut.every((g) => g === null)) continue;
    const gIn = node.op.grad(node.inputs, node.outputs, gOut);
    node.inputs.forEach((input, i) => {
      const g = gIn[i];
      if (!g || !live.has(input) || !isFloat(input.dtype)) return;
      if (g.ndim !== input.ndim) {
        throw new GradError(`${node.op.name}: gradient for input ${i} must have rank ${input.ndim}, got ${shapeStr(g.type.shape)} (internal error in the op's gradient)`);
      }
      const gg = g.dtype === input.dtype ? g : cast(g, input.dtype);
      const list = parts.get(input);
      if (list) list.push(gg);
      else parts.set(input, [gg]);
    });
  }
  const result = new Map<Variable, Variable>();
  for (const w of wrt) {
    const g = total(w);
    if (g) result.set(w, g);
  }
  return result;
}
