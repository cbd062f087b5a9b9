import { isFloat } from '../dtype';
import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { ElemwiseOp } from '../ops/elemwise';
import { FUSE_CONST, FUSED_MAX_INPUTS, FUSED_MAX_REGS, FusedOp } from '../ops/fused';
import { registerRewrite } from './registry';

// elementwise tree -> fused kernel: every elementwise op whose result feeds exactly one other elementwise op (and is
// not itself an output) is folded into that consumer, so the tree runs as one loop over memory. Broadcasting inside
// the tree is fine: elementwise functions commute with broadcasting.
const MAX_OPS = 48;

/** Rank-0 constants share a register per value (-0 apart from 0). */
function constKey(c: Constant): string {
  const val = c.value.data[0];
  return Object.is(val, -0) ? '-0' : String(val);
}

function fusable(node: Apply | null): node is Apply {
  return !!node && node.op instanceof ElemwiseOp && node.op.fuseOpcode !== undefined && isFloat(node.outputs[0].dtype);
}

function fuse(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  const uses = new Map<Variable, number>();
  for (const n of nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  const outputs = new Set(fg.outputs);
  const absorbed = new Set<Apply>();
  const replace = new Map<Variable, Variable>();

  for (let k = nodes.length - 1; k >= 0; k--) {
    const root = nodes[k];
    if (!fusable(root) || absorbed.has(root)) continue;
    const dtype = root.outputs[0].dtype;
    const absorbable = (v: Variable) => fusable(v.owner) && v.dtype === dtype && uses.get(v) === 1 && !outputs.has(v) && !absorbed.has(v.owner!);
    // grow the tree breadth-first up to MAX_OPS ops, so huge chains split into several kernels of bounded size; a
    // node joins only while the program stays within the native kernel's input and register limits (its leaves,
    // ops and distinct rank-0 constants, counted as emit below numbers them)
    const members = new Set<Apply>([root]);
    const leafSet = new Set<Variable>();
    const constKeys = new Set<string>();
    const addInputs = (n: Apply, leavesTo: Set<Variable>, constsTo: Set<string>) => {
      for (const i of n.inputs) {
        if (i instanceof Constant && i.ndim === 0) constsTo.add(constKey(i));
        else leavesTo.add(i);
      }
    };
    addInputs(root, leafSet, constKeys);
    for (let queue = [root]; queue.length && members.size < MAX_OPS; ) {
      const n = queue.shift()!;
      for (const i of n.inputs) {
        if (members.size < MAX_OPS && absorbable(i) && !members.has(i.owner!)) {
          const leaves = new Set(leafSet);
          const keys = new Set(constKeys);
          leaves.delete(i);
          addInputs(i.owner!, leaves, keys);
          if (leaves.size > FUSED_MAX_INPUTS || leaves.size + members.size + 1 + keys.size > FUSED_MAX_REGS) continue;
          leafSet.clear();
          for (const l of leaves) leafSet.add(l);
          for (const c of keys) constKeys.add(c);
          members.add(i.owner!);
          queue.push(i.owner!);
        }
      }
    }
    if (members.size < 2) continue;
    const inner = (v: Variable) => v.owner !== null && members.has(v.owner);

    const leaves: Variable[] = [];
    const consts: number[] = [];
    const ops: number[] = [];
    const regOf = new Map<Variable, number>();
    const constReg = new Map<string, number>();
    // registers: leaves first (numbered once all are known), then ops; so collect ops with symbolic leaf refs
    const pending: [number, number | string, number | string][] = [];
    const emit = (v: Variable): number | string => {
      graphWork.visits++;
      if (inner(v)) {
        const n = v.owner!;
        const args = n.inputs.map(emit);
        const op = (n.op as ElemwiseOp).fuseOpcode!;
        pending.push([op, args[0], args[1] ?? args[0]]);
        absorbed.add(n);
        return pending.length - 1;
      }
      // only rank-0 constants are inlined: a [1, 1] constant still adds dims by broadcasting
      if (v instanceof Constant && v.ndim === 0) {
        const val = v.value.data[0];
        const key = constKey(v);
        let r = constReg.get(key);
        if (r === undefined) {
          consts.push(val);
          pending.push([FUSE_CONST, `c${consts.length - 1}`, `c${consts.length - 1}`]);
          r = pending.length - 1;
          constReg.set(key, r);
        }
        return r;
      }
      if (!regOf.has(v)) {
        regOf.set(v, leaves.length);
        leaves.push(v);
      }
      return `l${regOf.get(v)}`;
    };
    emit(root.outputs[0]);
    const nIn = leaves.length;
    if (nIn === 0) continue; // all leaves constant: nothing to loop over (constant folding's job)
    // op results follow the inputs; leaf refs 'l<i>' are input registers, 'c<i>' are indices into consts
    const reg = (x: number | string) => (typeof x === 'number' ? nIn + x : Number(x.slice(1)));
    for (const [op, a, b] of pending) ops.push(op, reg(a), reg(b));
    const fused = new FusedOp([nIn, pending.length, ...ops], consts).makeNode(...leaves).outputs[0];
    replace.set(root.outputs[0], fused);
  }
  if (replace.size === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
}

// idempotent: a fused kernel is not elementwise, and every elementwise node left had nothing it could absorb (its
// inputs have other uses, other dtypes or other ops, and fusing its consumers gives none of them fewer uses)
registerRewrite({ name: 'elementwise tree -> fused kernel', phase: 'fusion', run: fuse, idempotent: true });
