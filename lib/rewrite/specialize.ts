import { isFloat } from '../dtype';
import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { AddOp } from '../ops/add';
import { DotOp } from '../ops/dot';
import { ExpandDimsOp } from '../ops/expand-dims';
import { gemm, GemmOp } from '../ops/gemm';
import { gemv } from '../ops/gemv';
import { ger } from '../ops/ger';
import { TransposeOp } from '../ops/transpose';
import { MulOp } from '../ops/mul';
import { NegOp } from '../ops/neg';
import { SubOp } from '../ops/sub';
import { registerRewrite } from './registry';

// alpha*dot(A,B) + beta*C -> gemm(A, B, C, alpha, beta): one BLAS call that reads C once instead of a product, a
// scaling pass and an addition pass. Matches add/sub of a (constant-)scaled matrix product and a (scaled) C; the
// product and its scaling must have no other use, since gemm does not keep them.

function scalarConst(v: Variable): number | null {
  return v instanceof Constant && v.value.size === 1 ? v.value.data[0] : null;
}

interface Scaled {
  v: Variable;
  k: number;
  /** Nodes absorbed into the scaling: each must have no other use. */
  via: Variable[];
}

/** v as k * base for a constant k (through mul by a constant and neg). */
function unscale(v: Variable): Scaled {
  let k = 1;
  const via: Variable[] = [];
  let cur = v;
  for (;;) {
    graphWork.visits++;
    const n = cur.owner;
    if (n?.op === NegOp) {
      k = -k;
      via.push(cur);
      cur = n.inputs[0];
      continue;
    }
    if (n?.op === MulOp) {
      const [a, b] = n.inputs;
      const ka = scalarConst(a);
      const kb = scalarConst(b);
      if (kb !== null && b.ndim === 0) {
        k *= kb;
        via.push(cur);
        cur = a;
        continue;
      }
      if (ka !== null && a.ndim === 0) {
        k *= ka;
        via.push(cur);
        cur = b;
        continue;
      }
    }
    return { v: cur, k, via };
  }
}

/** The graph's nodes and how many times each variable is read (an output counts as a read). */
function useCounts(fg: FunctionGraph): { nodes: readonly Apply[]; uses: Map<Variable, number> } {
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  const uses = new Map<Variable, number>();
  for (const n of nodes) for (const i of n.inputs) uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of fg.outputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  return { nodes, uses };
}

function specialize(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const { nodes, uses } = useCounts(fg);
  const replace = new Map<Variable, Variable>();
  const consumed = new Set<Variable>();
  const private_ = (v: Variable) => uses.get(v) === 1 && !consumed.has(v);

  const asDot = (s: Scaled): Apply | null => {
    const n = s.v.owner;
    if (!n || !(n.op instanceof DotOp) || n.inputs[0].ndim !== 2 || n.inputs[1].ndim !== 2) return null;
    if (!private_(s.v) || !s.via.every(private_)) return null;
    return n;
  };

  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const isAdd = node.op === AddOp;
    // a sum with a matrix product (through scalings) and a C of rank <= 2 is a matrix
    if (!(isAdd || node.op === SubOp) || node.outputs[0].ndim !== 2 || !isFloat(node.outputs[0].dtype) || consumed.has(node.outputs[0])) continue;
    const [x, y] = node.inputs;
    const sx = unscale(x);
    const sy = unscale(y);
    const sign = isAdd ? 1 : -1;
    // try dot on the left, then on the right
    const options: [Scaled, Scaled, number, number][] = [
      [sx, sy, 1, sign],
      [sy, sx, sign, 1],
    ];
    for (const [d, c, dSign, cSign] of options) {
      const dotNode = asDot(d);
      if (!dotNode || c.v.ndim > 2 || c.v.dtype !== node.outputs[0].dtype) continue;
      // the whole expression keeps the output's dims only if the product is at least as large (checked at run time)
      const [a, b] = dotNode.inputs;
      const op = dotNode.op as DotOp;
      const out = gemm(a, b, c.v, op.attrs.transA, op.attrs.transB, dSign * d.k, cSign * c.k);
      replace.set(node.outputs[0], out);
      [d.v, ...d.via, ...c.via].forEach((v) => consumed.add(v));
      break;
    }
  }
  if (replace.size === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
}

registerRewrite({ name: 'alpha*dot(A,B) + beta*C -> gemm', phase: 'specialize', run: specialize });

// dot(A.T, B) -> dot with a transpose flag: BLAS reads A transposed in place, so the transpose is never materialized
// (the same for gemm). A transposed operand that something else also uses is still computed for that use.
function foldTranspose(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const replace = new Map<Variable, Variable>();
  graphWork.visits += fg.nodes.length;
  const isT = (v: Variable) => v.ndim === 2 && v.owner?.op instanceof TransposeOp && (v.owner.op as TransposeOp).attrs.perm[0] === 1;
  for (const node of fg.nodes) {
    const op = node.op;
    if (!(op instanceof DotOp || op instanceof GemmOp)) continue;
    const [a, b] = node.inputs;
    if (!isT(a) && !isT(b)) continue;
    const na = isT(a) ? a.owner!.inputs[0] : a;
    const nb = isT(b) ? b.owner!.inputs[0] : b;
    const tA = op.attrs.transA !== isT(a);
    const tB = op.attrs.transB !== isT(b);
    const out =
      op instanceof DotOp
        ? new DotOp(tA, tB).makeNode(na, nb).outputs[0]
        : gemm(na, nb, node.inputs[2], tA, tB, op.attrs.alpha, op.attrs.beta);
    replace.set(node.outputs[0], out);
  }
  if (replace.size === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
}

registerRewrite({ name: 'dot(A.T, B) -> dot with transpose flag', phase: 'specialize', run: foldTranspose });

// alpha*dot(A,x) + beta*y -> gemv(A, x, y, alpha, beta) for a matrix A and a vector x (a vector-matrix dot(x, B) is
// B^T x), and C + alpha*outer(x, y) -> ger(x, y, C, alpha), where the outer product is the broadcast multiply
// x[:, None] * y that T.outer and the gradient of a matrix-vector dot build. As for gemm: the product and its scaling
// must have no other use.
function level2(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const { nodes, uses } = useCounts(fg);
  const replace = new Map<Variable, Variable>();
  const consumed = new Set<Variable>();
  const private_ = (s: Scaled) => [s.v, ...s.via].every((v) => uses.get(v) === 1 && !consumed.has(v));

  /** [A, x, transA] of a matrix-vector product, or null. */
  const asMatVec = (s: Scaled): [Variable, Variable, boolean] | null => {
    const n = s.v.owner;
    if (!n || !(n.op instanceof DotOp) || !private_(s)) return null;
    const [a, b] = n.inputs;
    if (a.ndim === 2 && b.ndim === 1) return [a, b, n.op.attrs.transA];
    if (a.ndim === 1 && b.ndim === 2) return [b, a, !n.op.attrs.transB];
    return null;
  };
  /** The vector v of expandDims(v, [axis]) (axis 1: a column; axis 0: a row, or a plain vector that broadcasts as one). */
  const vecOf = (v: Variable, axis: number): Variable | null => {
    const n = v.owner;
    if (n?.op instanceof ExpandDimsOp && n.op.attrs.axes.length === 1 && n.op.attrs.axes[0] === axis && n.inputs[0].ndim === 1) return n.inputs[0];
    return axis === 0 && v.ndim === 1 ? v : null;
  };
  /** [x, y] of an outer product x[:, None] * y, or null. */
  const asOuter = (s: Scaled): [Variable, Variable] | null => {
    const n = s.v.owner;
    if (n?.op !== MulOp || !private_(s)) return null;
    for (const [p, q] of [n.inputs, [n.inputs[1], n.inputs[0]]]) {
      const x = vecOf(p, 1);
      const y = vecOf(q, 0);
      if (x && y) return [x, y];
    }
    return null;
  };

  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const out = node.outputs[0];
    const isAdd = node.op === AddOp;
    // gemv makes a vector, ger a matrix
    if (!(isAdd || node.op === SubOp) || (out.ndim !== 1 && out.ndim !== 2) || !isFloat(out.dtype) || consumed.has(out)) continue;
    const sx = unscale(node.inputs[0]);
    const sy = unscale(node.inputs[1]);
    const sign = isAdd ? 1 : -1;
    const options: [Scaled, Scaled, number, number][] = [
      [sx, sy, 1, sign],
      [sy, sx, sign, 1],
    ];
    for (const [d, c, dSign, cSign] of options) {
      if (c.v.dtype !== out.dtype) continue;
      const mv = out.ndim === 1 && c.v.ndim <= 1 ? asMatVec(d) : null;
      // ger keeps C unscaled (BLAS adds into it), so C must not be scaled
      const op = !mv && out.ndim === 2 && c.k === 1 && c.via.length === 0 ? asOuter(d) : null;
      if (mv && mv[0].dtype === out.dtype && mv[1].dtype === out.dtype) {
        replace.set(out, gemv(mv[0], mv[1], c.v, mv[2], dSign * d.k, cSign * c.k));
      } else if (op && op[0].dtype === out.dtype && op[1].dtype === out.dtype && cSign === 1) {
        replace.set(out, ger(op[0], op[1], c.v, dSign * d.k));
      } else continue;
      [d.v, ...d.via, ...c.via].forEach((v) => consumed.add(v));
      break;
    }
  }
  if (replace.size === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count: replace.size };
}

registerRewrite({ name: 'alpha*dot(A,x) + beta*y -> gemv; C + alpha*outer(x,y) -> ger', phase: 'specialize', run: level2 });
