import { FunctionGraph } from '../graph/fgraph';
import { Apply, Constant, Variable } from '../graph/variable';
import { AddOp } from '../ops/add';
import { BroadcastToOp } from '../ops/broadcast-to';
import { ElemwiseOp } from '../ops/elemwise';
import { MulOp } from '../ops/mul';
import { NegOp } from '../ops/neg';
import { SubOp } from '../ops/sub';
import { registerRewrite } from './registry';

/** Runs `local` on every node; a non-null result replaces the node's (single) output. */
function localRewrite(local: (node: Apply) => Variable | null) {
  return (fg: FunctionGraph): { fg: FunctionGraph; count: number } => {
    const replace = new Map<Variable, Variable>();
    for (const node of fg.nodes) {
      const r = local(node);
      if (r && r !== node.outputs[0]) replace.set(node.outputs[0], r);
    }
    if (replace.size === 0) return { fg, count: 0 };
    return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
  };
}

const isScalarConst = (v: Variable, value: number) => v instanceof Constant && v.ndim === 0 && v.value.data[0] === value;

/**
 * The variable whose run-time shape v provably has: through unary elementwise ops and elementwise ops whose other
 * operands are rank 0 (they cannot change the shape).
 */
function shapeSource(v: Variable): Variable {
  for (;;) {
    const n = v.owner;
    if (!n || !(n.op instanceof ElemwiseOp)) return v;
    const big = n.inputs.filter((i) => i.ndim > 0);
    if (big.length !== 1 || big[0].ndim !== v.ndim) return v;
    v = big[0];
  }
}

// elemwise(broadcastTo(c, ref), u) -> elemwise(c, u) when c is a scalar and u provably has ref's shape: broadcasting
// inside the elementwise op does the same work without materializing the broadcast (the gradient of sum(x) is such a
// broadcast of 1).
registerRewrite({
  name: 'elemwise(broadcastTo(scalar, ref), u ~ ref) -> elemwise(scalar, u)',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    if (!(node.op instanceof ElemwiseOp) || node.inputs.length !== 2) return null;
    const [a, b] = node.inputs;
    for (const [bc, other] of [
      [a, b],
      [b, a],
    ]) {
      const bn = bc.owner;
      if (!bn || !(bn.op instanceof BroadcastToOp) || bn.inputs[0].ndim !== 0) continue;
      const ref = bn.inputs[1];
      if (other.ndim === ref.ndim && shapeSource(other) === shapeSource(ref)) {
        const ins = bc === a ? [bn.inputs[0], b] : [a, bn.inputs[0]];
        return node.op.makeNode(...ins).outputs[0];
      }
    }
    return null;
  }),
});

// x * 1 -> x, x + 0 -> x, x - 0 -> x (for a rank-0 constant the result keeps x's shape and dtype)
registerRewrite({
  name: 'x * 1, x + 0, x - 0 -> x',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const out = node.outputs[0];
    const [a, b] = node.inputs;
    const keep = (x: Variable) => (x.dtype === out.dtype && x.ndim === out.ndim ? x : null);
    if (node.op === MulOp) return isScalarConst(a, 1) ? keep(b) : isScalarConst(b, 1) ? keep(a) : null;
    if (node.op === AddOp) return isScalarConst(a, 0) ? keep(b) : isScalarConst(b, 0) ? keep(a) : null;
    if (node.op === SubOp) return isScalarConst(b, 0) ? keep(a) : null;
    return null;
  }),
});

// neg(neg(x)) -> x
registerRewrite({
  name: 'neg(neg(x)) -> x',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const inner = node.inputs[0]?.owner;
    return node.op === NegOp && inner?.op === NegOp ? inner.inputs[0] : null;
  }),
});
