import { FunctionGraph } from '../graph/fgraph';
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
    for (const node of fg.nodes) {
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

/**
 * A variable whose run-time shape v provably has (v itself if nothing better is known): through elementwise ops whose
 * non-scalar operands all share one such source (broadcasting among them cannot happen) or whose other operands fit
 * into one operand's static dims, through softmax, and through broadcastTo / sumTo, whose result has their ref's shape. Cached per variable: a graph's variables never change their owner.
 */
export function shapeSource(v: Variable): Variable {
  const hit = sources.get(v);
  if (hit) return hit;
  let src = v;
  const n = v.owner;
  if (n && (n.op instanceof BroadcastToOp || n.op instanceof SumToOp) && n.inputs[1].ndim === v.ndim) src = shapeSource(n.inputs[1]);
  else if (n && n.op instanceof SoftmaxOp) src = shapeSource(n.inputs[0]);
  else if (n && n.op instanceof ElemwiseOp) {
    const big = n.inputs.filter((i) => i.ndim > 0);
    if (big.length && big.every((b) => b.ndim === v.ndim)) {
      const s0 = shapeSource(big[0]);
      if (big.every((b) => shapeSource(b) === s0)) src = s0;
    }
    // one full-rank operand and others that broadcast into its static dims (a bias row added to a product)
    if (src === v) {
      const main = n.inputs.find((i) => i.ndim === v.ndim && n.inputs.every((o) => o === i || fitsInto(o.type.shape, i.type.shape)));
      if (main) src = shapeSource(main);
    }
  }
  sources.set(v, src);
  return src;
}
