import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { BroadcastToOp } from '../ops/broadcast-to';
import { ElemwiseOp } from '../ops/elemwise';
import { SoftmaxOp } from '../ops/softmax';
import { SumToOp } from '../ops/sum-to';

/**
 * A rewrite pass from a per-node rule: `local` returns a replacement for the node's (single) output or null. A
 * replacement of another dtype or rank is dropped (the consumers were built for the original type), so a rule may
 * propose freely and only has to be right about values and shapes.
 */
export function localRewrite(local: (node: Apply) => Variable | null) {
  return (fg: FunctionGraph): { fg: FunctionGraph; count: number } => {
    const replace = new Map<Variable, Variable>();
    const nodes = fg.nodes;
    graphWork.visits += nodes.length;
    for (const node of nodes) {
      const out = node.outputs[0];
      const r = local(node);
      if (r && r !== out && r.dtype === out.dtype && r.ndim === out.ndim) replace.set(out, r);
    }
    if (replace.size === 0) return { fg, count: 0 };
    return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
  };
}

/** The value of a rank-0 constant, or null. */
export function scalarValue(v: Variable): number | null {
  return v instanceof Constant && v.ndim === 0 ? v.value.data[0] : null;
}

/** The node's input made by an op of this kind (compared by instance or class), or null. */
export function ownedBy(v: Variable | undefined, op: object): Apply | null {
  const n = v?.owner;
  if (!n) return null;
  if (n.op === op || (typeof op === 'function' && n.op instanceof (op as new (...a: never[]) => object))) return n;
  return null;
}

const sources = new WeakMap<Variable, Variable>();

/** Whether a value of static shape s provably broadcasts into shape t without growing it: each dim 1 or t's known dim. */
function fitsInto(s: readonly (number | null)[], t: readonly (number | null)[]): boolean {
  if (s.length > t.length) return false;
  return s.every((d, i) => d === 1 || (d !== null && d === t[t.length - s.length + i]));
}

/** The variables whose shape sources `shapeSourceOf` may read for v. */
function shapeDeps(v: Variable): readonly Variable[] {
  const n = v.owner;
  if (n && (n.op instanceof BroadcastToOp || n.op instanceof SumToOp) && n.inputs[1].ndim === v.ndim) return [n.inputs[1]];
  if (n && n.op instanceof SoftmaxOp) return [n.inputs[0]];
  if (n && n.op instanceof ElemwiseOp) return n.inputs;
  return [];
}

/** The rule of shapeSource for v, reading the sources of shapeDeps(v) from the cache. */
function shapeSourceOf(v: Variable): Variable {
  const of = (u: Variable) => sources.get(u)!;
  const n = v.owner;
  if (n && (n.op instanceof BroadcastToOp || n.op instanceof SumToOp) && n.inputs[1].ndim === v.ndim) return of(n.inputs[1]);
  if (n && n.op instanceof SoftmaxOp) return of(n.inputs[0]);
  if (n && n.op instanceof ElemwiseOp) {
    const big = n.inputs.filter((i) => i.ndim > 0);
    if (big.length && big.every((b) => b.ndim === v.ndim)) {
      const s0 = of(big[0]);
      if (big.every((b) => of(b) === s0)) return s0;
    }
    // one full-rank operand and others that broadcast into its static dims (a bias row added to a product)
    const main = n.inputs.find((i) => i.ndim === v.ndim && n.inputs.every((o) => o === i || fitsInto(o.type.shape, i.type.shape)));
    if (main) return of(main);
  }
  return v;
}

/**
 * A variable whose run-time shape v provably has (v itself if nothing better is known): through elementwise ops whose
 * non-scalar operands all share one such source (broadcasting among them cannot happen) or whose other operands fit
 * into one operand's static dims, through softmax, and through broadcastTo / sumTo, whose result has their ref's shape.
 * Cached per variable (a graph's variables never change their owner), and computed without recursion, sources of
 * inputs first, so a chain of any depth is fine.
 */
export function shapeSource(v: Variable): Variable {
  const hit = sources.get(v);
  if (hit) return hit;
  const stack = [v];
  while (stack.length) {
    const u = stack[stack.length - 1];
    if (sources.has(u)) {
      stack.pop();
      continue;
    }
    const todo = shapeDeps(u).filter((d) => !sources.has(d));
    if (todo.length) {
      for (const d of todo) stack.push(d);
      continue;
    }
    stack.pop();
    graphWork.visits++;
    sources.set(u, shapeSourceOf(u));
  }
  return sources.get(v)!;
}
