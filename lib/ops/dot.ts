import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { upcast } from '../dtype';
import { asVariablePair } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { broadcastStrides } from './broadcast';
import { cast } from './cast';
import { expandDims } from './expand-dims';
import { mul } from './mul';
import { sum } from './sum';
import { reduceTo } from './sum-to';

/**
 * Matrix and vector products with NumPy's `matmul` rules: the last two axes of each operand are a matrix, leading
 * axes are batch axes that broadcast, and a rank-1 operand is a row (a) or a column (b) whose axis is dropped from
 * the result. For ranks 1 and 2 this is NumPy's `dot`. `transA` / `transB` read an operand's last two axes swapped
 * without materializing the transpose (gradients use them; BLAS gets them as flags).
 */
export class DotOp extends Op {
  readonly name = 'dot';
  readonly kernel = 'Dot';
  override readonly attrs: { transA: boolean; transB: boolean };
  constructor(transA = false, transB = false) {
    super();
    this.attrs = { transA, transB };
  }
  makeNode(a: Variable, b: Variable): Apply {
    const { transA: tA, transB: tB } = this.attrs;
    const problems: string[] = [];
    if (a.ndim < 1) problems.push(`a must be a vector, a matrix or a batch of matrices, got rank 0 ${shapeStr(a.type.shape)}`);
    if (b.ndim < 1) problems.push(`b must be a vector, a matrix or a batch of matrices, got rank 0 ${shapeStr(b.type.shape)}`);
    if (tA && a.ndim < 2) problems.push('transA needs a matrix a');
    if (tB && b.ndim < 2) problems.push('transB needs a matrix b');
    if (problems.length) {
      const hint = a.ndim === 0 || b.ndim === 0 ? ' (use mul for scalars)' : '';
      throw new ShapeError(`dot: ${problems.join('; ')}${hint}`);
    }
    const [am, ak] = core(a.type.shape, tA, 'a');
    const [bk, bn] = core(b.type.shape, tB, 'b');
    if (ak !== null && bk !== null && ak !== bk) {
      const lead = b.ndim > 2 ? '..., ' : '';
      const want = b.ndim >= 2 ? `[${lead}${ak}, *]` : `[${ak}]`;
      throw new ShapeError(`dot: b must have shape ${want} to match a ${shapeStr(opShape(a.type.shape, tA))}, got ${shapeStr(opShape(b.type.shape, tB))}`);
    }
    const batch = staticBatch(a.type.shape, b.type.shape);
    if (batch === null) {
      throw new ShapeError(`dot: the batch dims of a and b must broadcast, got a ${shapeStr(a.type.shape)} and b ${shapeStr(b.type.shape)}`);
    }
    if (a.dtype === 'bool' && b.dtype === 'bool') throw new DTypeError('dot: a and b must not both be bool (cast one to int32 or a float), got bool and bool');
    const dt = upcast(a.dtype, b.dtype);
    const out: Dim[] = [...batch];
    if (a.ndim >= 2) out.push(am);
    if (b.ndim >= 2) out.push(bn);
    const ins = [a, b].map((v) => (v.dtype === dt ? v : cast(v, dt)));
    return new Apply(this, ins, [new TensorType(dt, out)]);
  }
  // C = A'B' with A' = op(A): dA' = g B'^T, dB' = A'^T g, expressed with transpose flags so nothing is transposed in
  // memory; batch axes that broadcast sum back to each operand's shape
  override grad([a, b]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const { transA: tA, transB: tB } = this.attrs;
    if (a.ndim > 2 || b.ndim > 2) return batchedGrad(a, b, g, tA, tB);
    if (a.ndim === 2 && b.ndim === 2) {
      const ga = tA ? dotT(b, g, tB, true) : dotT(g, b, false, !tB);
      const gb = tB ? dotT(g, a, true, tA) : dotT(a, g, !tA, false);
      return [ga, gb];
    }
    if (a.ndim === 2) {
      // matrix-vector: dA' = g ⊗ v, dv = A'^T g
      const ga = tA ? mul(expandDims(b, [1]), g) : mul(expandDims(g, [1]), b);
      return [ga, dotT(a, g, !tA, false)];
    }
    if (b.ndim === 2) {
      // vector-matrix: dv = B' g, dB' = v ⊗ g
      const gb = tB ? mul(expandDims(g, [1]), a) : mul(expandDims(a, [1]), g);
      return [dotT(b, g, tB, false), gb];
    }
    return [mul(g, b), mul(g, a)]; // inner product: d(a·b) = b da + a db
  }
  override format(inputs: readonly string[]): string {
    const f = (s: string, t: boolean) => (t ? `${s}.T` : s);
    return `dot(${f(inputs[0], this.attrs.transA)}, ${f(inputs[1], this.attrs.transB)})`;
  }
}

// Batched: with vector operands promoted (a [k] -> [1, k], b [k] -> [k, 1]) and g given back the dropped axis, the
// matrix rules hold per batch; each gradient is then summed over the batch axes its operand broadcast along.
function batchedGrad(a: Variable, b: Variable, g: Variable, tA: boolean, tB: boolean): Variable[] {
  const A = a.ndim === 1 ? expandDims(a, [0]) : a;
  const B = b.ndim === 1 ? expandDims(b, [1]) : b;
  const nb = g.ndim - (a.ndim >= 2 ? 1 : 0) - (b.ndim >= 2 ? 1 : 0); // batch axes of the result
  const G = a.ndim === 1 ? expandDims(g, [nb]) : b.ndim === 1 ? expandDims(g, [nb + 1]) : g;
  const gA = tA ? dotT(B, G, tB, true) : dotT(G, B, false, !tB);
  const gB = tB ? dotT(G, A, true, tA) : dotT(A, G, !tA, false);
  const all = (n: number) => Array.from({ length: n }, (_, i) => i);
  // a vector operand has no batch axes: sum them all, and the promoted axis (size 1) with them
  const ga = a.ndim === 1 ? sum(gA, all(nb + 1)) : reduceTo(gA, a);
  const gb = b.ndim === 1 ? sum(gB, [...all(nb), nb + 1]) : reduceTo(gB, b);
  return [ga, gb];
}

/** The shape with the last two axes swapped when `t`. */
function opShape(s: readonly Dim[], t: boolean): Dim[] {
  const r = s.slice();
  if (t) [r[r.length - 2], r[r.length - 1]] = [s[s.length - 1], s[s.length - 2]];
  return r;
}

/** [rows, inner] of a (or [inner, cols] of b) after the transpose flag; vectors act as a row (a) or column (b). */
function core<D>(s: readonly D[], t: boolean, which: 'a' | 'b'): [D | 1, D | 1] {
  const r = s.length;
  if (r === 1) return which === 'a' ? [1, s[0]] : [s[0], 1];
  return t ? [s[r - 1], s[r - 2]] : [s[r - 2], s[r - 1]];
}

/** The broadcast batch axes of two static shapes (everything before the last two axes), or null if they conflict. */
function staticBatch(as: readonly Dim[], bs: readonly Dim[]): Dim[] | null {
  const ab = as.slice(0, Math.max(0, as.length - 2));
  const bb = bs.slice(0, Math.max(0, bs.length - 2));
  const r = Math.max(ab.length, bb.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = i < r - ab.length ? 1 : ab[i - (r - ab.length)];
    const y = i < r - bb.length ? 1 : bb[i - (r - bb.length)];
    if (x !== null && y !== null && x !== 1 && y !== 1 && x !== y) return null;
    out.push(x === 1 ? y : y === 1 ? x : x ?? y);
  }
  return out;
}

function dotT(a: Variable, b: Variable, transA: boolean, transB: boolean): Variable {
  return new DotOp(transA && a.ndim >= 2, transB && b.ndim >= 2).makeNode(a, b).outputs[0];
}

/** Run-time layout of a (batched) product: per batch, element (i, p) of op(A) is A[aOff + i*sai + p*sap], etc. */
interface DotGeometry {
  out: number[];
  batch: number;
  m: number;
  k: number;
  n: number;
  sai: number;
  sap: number;
  sbp: number;
  sbj: number;
  /** Offsets of each batch's matrix in A and B (broadcast batch axes repeat an offset). */
  aOffs: Int32Array;
  bOffs: Int32Array;
}

function dotGeometry(as: readonly number[], bs: readonly number[], tA: boolean, tB: boolean): DotGeometry {
  const [m, k] = core(as, tA && as.length >= 2, 'a');
  const [k2, n] = core(bs, tB && bs.length >= 2, 'b');
  if (k !== k2) {
    throw new ShapeError(`dot: inner dimensions must agree, got a ${shapeStr(opShape(as, tA && as.length >= 2))} and b ${shapeStr(opShape(bs, tB && bs.length >= 2))}`);
  }
  const ab = as.slice(0, Math.max(0, as.length - 2));
  const bb = bs.slice(0, Math.max(0, bs.length - 2));
  const r = Math.max(ab.length, bb.length);
  const batchShape: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = i < r - ab.length ? 1 : ab[i - (r - ab.length)];
    const y = i < r - bb.length ? 1 : bb[i - (r - bb.length)];
    if (x !== 1 && y !== 1 && x !== y) throw new ShapeError(`dot: the batch dims of a and b must broadcast, got a ${shapeStr(as)} and b ${shapeStr(bs)}`);
    batchShape.push(x === 1 ? y : x);
  }
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const offsets = (bshape: number[], mat: number) => {
    const str = broadcastStrides(bshape, batchShape);
    const offs = new Int32Array(batch);
    const idx = new Array(r).fill(0);
    for (let t = 0, off = 0; t < batch; t++) {
      offs[t] = off * mat;
      for (let d = r - 1; d >= 0; d--) {
        idx[d]++;
        off += str[d];
        if (idx[d] < batchShape[d]) break;
        off -= str[d] * batchShape[d];
        idx[d] = 0;
      }
    }
    return offs;
  };
  const out = [...batchShape];
  if (as.length >= 2) out.push(m);
  if (bs.length >= 2) out.push(n);
  const ta = tA && as.length >= 2;
  const tb = tB && bs.length >= 2;
  return {
    out, batch, m, k, n,
    sai: ta ? 1 : k,
    sap: ta ? m : 1,
    sbp: tb ? 1 : n,
    sbj: tb ? k : 1,
    aOffs: offsets(ab, m * k),
    bOffs: offsets(bb, k * n),
  };
}

registerKernel('Dot', {
  nativeAttrs: (a) => ({ ints: [a.transA ? 1 : 0, a.transB ? 1 : 0] }),
  inferShape: ([as, bs], attrs) => [dotGeometry(as, bs, attrs.transA as boolean, attrs.transB as boolean).out],
  prepareJs: ({ inShapes: [as, bs], attrs }) => {
    const { batch, m, k, n, sai, sap, sbp, sbj, aOffs, bOffs } = dotGeometry(as, bs, attrs.transA as boolean, attrs.transB as boolean);
    const acc = new Float64Array(n);
    return (ins, outs) => {
      const A = ins[0];
      const B = ins[1];
      const C = outs[0];
      for (let t = 0; t < batch; t++) {
        const ao = aOffs[t];
        const bo0 = bOffs[t];
        const co0 = t * m * n;
        for (let i = 0; i < m; i++) {
          acc.fill(0);
          for (let p = 0; p < k; p++) {
            const aip = A[ao + i * sai + p * sap];
            const bo = bo0 + p * sbp;
            for (let j = 0; j < n; j++) acc[j] += aip * B[bo + j * sbj];
          }
          const co = co0 + i * n;
          for (let j = 0; j < n; j++) C[co + j] = acc[j];
        }
      }
    };
  },
});

/**
 * Matrix product with NumPy's `matmul` rules: vector and matrix products for ranks 1 and 2, batches of matrix
 * products over leading axes that broadcast for higher ranks.
 * @example T.dot(X, W1)   // [n, 2] x [2, 5] -> [n, 5];  T.dot(Q, K.transpose([0, 2, 1]))  // [b, s, d] x [b, d, s] -> [b, s, s]
 */
export function dot(a: unknown, b: unknown): Variable {
  const [va, vb] = asVariablePair(a, b, 'dot');
  if (!(va instanceof Variable) || !(vb instanceof Variable)) throw new ArgumentError('dot: a and b must be tensors');
  return new DotOp().makeNode(va, vb).outputs[0];
}
