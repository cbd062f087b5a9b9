import { FunctionGraph } from '../graph/fgraph';
import { Apply, Variable } from '../graph/variable';
import { Conv2dBiasActOp, ConvActivation } from '../ops/conv2d-bias-act';
import { Conv2dOp } from '../ops/conv2d';
import { ElemwiseOp } from '../ops/elemwise';
import { ExpandDimsOp } from '../ops/expand-dims';
import { localRewrite, ownedBy } from './local';
import { registerRewrite } from './registry';

// conv2d(x, w) + expandDims(b, [0, 2, 3]) -> conv2dBiasAct(x, w, b), then relu / tanh / sigmoid of that -> the same
// node with the activation: the bias and the activation are applied while the output is still in cache instead of
// in two more passes over it. Runs in specialize, before elementwise fusion would take the add and the activation.
// Only a result used once (and not a graph output) is absorbed, so nothing is computed twice.

function usesOf(fg: FunctionGraph): Map<Variable, number> {
  const uses = new Map<Variable, number>();
  for (const n of fg.nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of fg.outputs) uses.set(o, (uses.get(o) ?? 0) + 2);
  return uses;
}

/** b of a channel bias expandDims(b, [0, 2, 3]) (a [K] vector seen as [1, K, 1, 1]), or null. */
function channelBias(v: Variable): Variable | null {
  const e = ownedBy(v, ExpandDimsOp);
  const axes = e?.op.attrs.axes as readonly number[] | undefined;
  return e && e.inputs[0].ndim === 1 && axes?.length === 3 && axes[0] === 0 && axes[1] === 2 && axes[2] === 3 ? e.inputs[0] : null;
}

function activationOf(node: Apply): ConvActivation | null {
  if (!(node.op instanceof ElemwiseOp) || node.inputs.length !== 1) return null;
  const k = node.op.kernel;
  if (k === 'Relu') return node.op.attrs.alpha === 0 ? 'relu' : null;
  return k === 'Tanh' ? 'tanh' : k === 'Sigmoid' ? 'sigmoid' : null;
}

registerRewrite({
  name: 'act(conv2d(x, w) + b[k]) -> conv2dBiasAct(x, w, b)',
  phase: 'specialize',
  run: (fg) => {
    const uses = usesOf(fg);
    const once = (v: Variable) => uses.get(v) === 1;
    return localRewrite((node: Apply) => {
      if (node.op instanceof ElemwiseOp && node.op.kernel === 'Add' && node.inputs.length === 2) {
        for (const [c, bias] of [node.inputs, [node.inputs[1], node.inputs[0]]]) {
          const conv = ownedBy(c, Conv2dOp);
          const b = channelBias(bias);
          if (conv && b && once(c) && b.dtype === c.dtype && node.outputs[0].type.ndim === 4 && node.outputs[0].dtype === c.dtype) {
            return new Conv2dBiasActOp(conv.op.attrs, 'none').makeNode(conv.inputs[0], conv.inputs[1], b).outputs[0];
          }
        }
        return null;
      }
      const act = activationOf(node);
      const fused = act && ownedBy(node.inputs[0], Conv2dBiasActOp);
      if (!act || !fused || !once(node.inputs[0]) || (fused.op as Conv2dBiasActOp).activation !== 'none') return null;
      return new Conv2dBiasActOp(fused.op.attrs, act).makeNode(fused.inputs[0], fused.inputs[1], fused.inputs[2]).outputs[0];
    })(fg);
  },
});
