import { ctorOf, TypedArray } from '../dtype';
import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { getKernel } from '../graph/kernel-registry';
import { Apply, Constant, Variable } from '../graph/variable';
import { NDArray, sizeOf } from '../ndarray';
import { registerRewrite } from './registry';

// op(constants) -> constant: a node whose inputs are all constants is run once at compile time with the TypeScript
// reference kernel. Nodes are visited in execution order, so whole constant subtrees fold in one pass. Inputs and
// shared variables are never Constants, so nothing that can change between calls is folded.

/**
 * Results larger than this stay in the graph: folding them would cost compile time and keep a big array in the
 * program (shape-only nodes like broadcastTo of a constant would materialize it).
 */
export const MAX_FOLDED_ELEMENTS = 1e6;

/**
 * The node's outputs as Constants, or null when it must stay in the graph: a result too large, or a kernel that
 * throws (a shape error must surface at run time, where it names the node and where the user created it).
 */
function evaluate(node: Apply, ins: readonly Constant[]): Constant[] | null {
  const op = node.op;
  try {
    const kernel = getKernel(op.kernel);
    const inShapes = ins.map((c) => c.value.shape);
    const outShapes = kernel.inferShape(inShapes, op.attrs);
    if (outShapes.length !== node.outputs.length || outShapes.some((s) => sizeOf(s) > MAX_FOLDED_ELEMENTS)) return null;
    const outs = node.outputs.map((o, i) => new (ctorOf(o.dtype))(sizeOf(outShapes[i])) as TypedArray);
    const run = kernel.prepareJs({
      attrs: op.attrs,
      inShapes,
      outShapes,
      inDtypes: ins.map((c) => c.dtype),
      outDtypes: node.outputs.map((o) => o.dtype),
    });
    run(ins.map((c) => c.value.data), outs);
    const consts = node.outputs.map((o, i) => new Constant(new NDArray(outs[i], outShapes[i], o.dtype)));
    // the static type is fully known now; it must still fit what the consumers were built for
    return consts.every((c, i) => node.outputs[i].type.accepts(c.type)) ? consts : null;
  } catch {
    return null;
  }
}

function foldConstants(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const folded = new Map<Variable, Variable>();
  const asConstant = (v: Variable): Constant | null => {
    const c = folded.get(v) ?? v;
    return c instanceof Constant ? c : null;
  };
  let count = 0;
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  for (const node of nodes) {
    const ins: Constant[] = [];
    for (const i of node.inputs) {
      const c = asConstant(i);
      if (!c) break;
      ins.push(c);
    }
    if (ins.length !== node.inputs.length) continue;
    const consts = evaluate(node, ins);
    if (!consts) continue;
    node.outputs.forEach((o, i) => folded.set(o, consts[i]));
    count++;
  }
  if (count === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, folded, { recursive: true }), count };
}

// idempotent: a node left with constant inputs is one whose evaluation failed, and it would fail again
registerRewrite({ name: 'op(constants) -> constant computed at compile time', phase: 'constant-folding', run: foldConstants, idempotent: true });
