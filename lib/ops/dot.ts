import { ArgumentError, ShapeError } from '../errors';
import { upcast } from '../dtype';
import { asVariablePair } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { cast } from './cast';
import { expandDims } from './expand-dims';
import { mul } from './mul';

/**
 * Matrix and vector products, NumPy's `dot` for ranks 1 and 2. `transA` / `transB` read a matrix operand
 * transposed without materializing it (gradients use them; BLAS gets them as flags).
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
    const problems: string[] = [];
    if (a.ndim < 1 || a.ndim > 2) problems.push(`a must be a vector or a matrix, got rank ${a.ndim} ${shapeStr(a.type.shape)}`);
    if (b.ndim < 1 || b.ndim > 2) problems.push(`b must be a vector or a matrix, got rank ${b.ndim} ${shapeStr(b.type.shape)}`);
    if (this.attrs.transA && a.ndim !== 2) problems.push('transA needs a matrix a');
    if (this.attrs.transB && b.ndim !== 2) problems.push('transB needs a matrix b');
    if (problems.length) {
      const hint = a.ndim === 0 || b.ndim === 0 ? ' (use mul for scalars)' : '';
      throw new ShapeError(`dot: ${problems.join('; ')}${hint}`);
    }
    const [am, ak] = dims2(a.type.shape, this.attrs.transA, 'a');
    const [bk, bn] = dims2(b.type.shape, this.attrs.transB, 'b');
    if (ak !== null && bk !== null && ak !== bk) {
      const want = b.ndim === 2 ? `[${ak}, *]` : `[${ak}]`;
      throw new ShapeError(`dot: b must have shape ${want} to match a ${shapeStr(opShape(a.type.shape, this.attrs.transA))}, got ${shapeStr(opShape(b.type.shape, this.attrs.transB))}`);
    }
    const dt = upcast(a.dtype, b.dtype);
    const out: Dim[] = [];
    if (a.ndim === 2) out.push(am);
    if (b.ndim === 2) out.push(bn);
    const ins = [a, b].map((v) => (v.dtype === dt ? v : cast(v, dt)));
    return new Apply(this, ins, [new TensorType(dt, out)]);
  }
  // C = A'B' with A' = op(A): dA' = g B'^T, dB' = A'^T g, expressed with transpose flags so nothing is transposed in memory
  override grad([a, b]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const { transA: tA, transB: tB } = this.attrs;
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

function opShape(s: readonly Dim[], t: boolean): Dim[] {
  return t ? [s[1], s[0]] : s.slice();
}

/** [rows, inner] of a (or [inner, cols] of b) after the transpose flag; vectors act as a row (a) or column (b). */
function dims2<D>(s: readonly D[], t: boolean, which: 'a' | 'b'): [D | 1, D | 1] {
  if (s.length === 1) return which === 'a' ? [1, s[0]] : [s[0], 1];
  return t ? [s[1], s[0]] : [s[0], s[1]];
}

function dotT(a: Variable, b: Variable, transA: boolean, transB: boolean): Variable {
  return new DotOp(transA && a.ndim === 2, transB && b.ndim === 2).makeNode(a, b).outputs[0];
}

registerKernel('Dot', {
  nativeAttrs: (a) => ({ ints: [a.transA ? 1 : 0, a.transB ? 1 : 0] }),
  inferShape: ([as, bs], attrs) => {
    const [m, k] = dims2(as, attrs.transA as boolean, 'a');
    const [k2, n] = dims2(bs, attrs.transB as boolean, 'b');
    if (k !== k2) {
      throw new ShapeError(`dot: inner dimensions must agree, got a ${shapeStr(opShape(as, attrs.transA as boolean))} and b ${shapeStr(opShape(bs, attrs.transB as boolean))}`);
    }
    const out: number[] = [];
    if (as.length === 2) out.push(m);
    if (bs.length === 2) out.push(n);
    return [out];
  },
  prepareJs: ({ inShapes: [as, bs], attrs }) => {
    const tA = attrs.transA as boolean;
    const tB = attrs.transB as boolean;
    const [m, k] = dims2(as, tA, 'a');
    const [, n] = dims2(bs, tB, 'b');
    // element (i, p) of op(A) is A[i*sai + p*sap]; element (p, j) of op(B) is B[p*sbp + j*sbj]
    const sai = tA ? 1 : k;
    const sap = tA ? m : 1;
    const sbp = tB ? 1 : n;
    const sbj = tB ? k : 1;
    const acc = new Float64Array(n);
    return (ins, outs) => {
      const A = ins[0];
      const B = ins[1];
      const C = outs[0];
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          const aip = A[i * sai + p * sap];
          const bo = p * sbp;
          for (let j = 0; j < n; j++) acc[j] += aip * B[bo + j * sbj];
        }
        const co = i * n;
        for (let j = 0; j < n; j++) C[co + j] = acc[j];
      }
    };
  },
});

/**
 * Matrix product / matrix-vector product / inner product (ranks 1 and 2).
 * @example T.dot(X, W1)   // [n, 2] x [2, 5] -> [n, 5]
 */
export function dot(a: unknown, b: unknown): Variable {
  const [va, vb] = asVariablePair(a, b, 'dot');
  if (!(va instanceof Variable) || !(vb instanceof Variable)) throw new ArgumentError('dot: a and b must be tensors');
  return new DotOp().makeNode(va, vb).outputs[0];
}
