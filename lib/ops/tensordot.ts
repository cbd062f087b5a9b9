import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { upcast } from '../dtype';
import { asVariablePair } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue } from '../ndarray';
import { cast } from './cast';
import { transpose } from './transpose';

/**
 * Sums the products of a and b over the axis pairs (axesA[i], axesB[i]); the result has a's other axes, then b's,
 * each in their order (NumPy's `tensordot`).
 */
export class TensordotOp extends Op {
  readonly name = 'tensordot';
  readonly kernel = 'Tensordot';
  override readonly attrs: { axesA: readonly number[]; axesB: readonly number[] };
  constructor(axesA: readonly number[], axesB: readonly number[]) {
    super();
    this.attrs = { axesA, axesB };
  }
  makeNode(a: Variable, b: Variable): Apply {
    const { axesA, axesB } = this.attrs;
    const problems: string[] = [];
    axesA.forEach((x, i) => {
      const da = a.type.shape[x];
      const db = b.type.shape[axesB[i]];
      if (da !== null && db !== null && da !== db) problems.push(`b axis ${axesB[i]} (size ${db}) must match a axis ${x} (size ${da})`);
    });
    if (problems.length) throw new ShapeError(`tensordot: ${problems.join('; ')}, got a ${shapeStr(a.type.shape)} and b ${shapeStr(b.type.shape)}`);
    if (a.dtype === 'bool' && b.dtype === 'bool') throw new DTypeError('tensordot: a and b must not both be bool (cast one to int32 or a float), got bool and bool');
    const dt = upcast(a.dtype, b.dtype);
    const out = [...free(a.ndim, axesA).map((d) => a.type.shape[d]), ...free(b.ndim, axesB).map((d) => b.type.shape[d])];
    const ins = [a, b].map((v) => (v.dtype === dt ? v : cast(v, dt)));
    return new Apply(this, ins, [new TensorType(dt, out)]);
  }
  // out[I, J] = Σ_K a[I, K] b[K, J] (I, J the free axes, K the contracted pairs):
  // da[I, K] = Σ_J g[I, J] b[K, J] and db[K, J] = Σ_I a[I, K] g[I, J], each a tensordot moved back into the
  // operand's axis order
  override grad([a, b]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null];
    const { axesA, axesB } = this.attrs;
    const fa = free(a.ndim, axesA);
    const fb = free(b.ndim, axesB);
    const gFreeB = fb.map((_, i) => fa.length + i);
    const gFreeA = fa.map((_, i) => i);
    // tensordot(g, b) has g's free axes (a's free axes), then b's contracted axes in ascending order
    const partnerA = (bAxis: number) => axesA[axesB.indexOf(bAxis)];
    const partnerB = (aAxis: number) => axesB[axesA.indexOf(aAxis)];
    const ga = new TensordotOp(gFreeB, fb).makeNode(g, b).outputs[0];
    const gb = new TensordotOp(fa, gFreeA).makeNode(a, g).outputs[0];
    return [
      restore(ga, [...fa, ...ascending(axesB).map(partnerA)]),
      restore(gb, [...ascending(axesA).map(partnerB), ...fb]),
    ];
  }
  override format([a, b]: readonly string[]): string {
    return `tensordot(${a}, ${b}, [[${this.attrs.axesA.join(', ')}], [${this.attrs.axesB.join(', ')}]])`;
  }
}

/** The axes of a rank-r operand not in `contracted`, ascending. */
function free(r: number, contracted: readonly number[]): number[] {
  return Array.from({ length: r }, (_, i) => i).filter((i) => !contracted.includes(i));
}

const ascending = (xs: readonly number[]) => [...xs].sort((p, q) => p - q);

/** x whose axis j holds operand axis src[j], transposed into the operand's order. */
function restore(x: Variable, src: number[]): Variable {
  const perm: number[] = [];
  src.forEach((s, j) => (perm[s] = j));
  return transpose(x, perm);
}

/** a gathered as [M, K] (free axes, then the contracted ones) and b as [K, N]: the strides that read them. */
function tensordotGeometry(as: readonly number[], bs: readonly number[], axesA: readonly number[], axesB: readonly number[]) {
  const bad = axesA.filter((x, i) => as[x] !== bs[axesB[i]]);
  if (bad.length) {
    const pairs = axesA.map((x, i) => `a axis ${x} (${as[x]}) with b axis ${axesB[i]} (${bs[axesB[i]]})`).join(', ');
    throw new ShapeError(`tensordot: contracted dims must agree, got ${pairs} for a ${shapeStr(as)} and b ${shapeStr(bs)}`);
  }
  const fa = free(as.length, axesA);
  const fb = free(bs.length, axesB);
  const size = (s: readonly number[], axes: number[]) => axes.reduce((p, d) => p * s[d], 1);
  return {
    out: [...fa.map((d) => as[d]), ...fb.map((d) => bs[d])],
    m: size(as, fa),
    k: size(as, [...axesA]),
    n: size(bs, fb),
    permA: [...fa, ...axesA],
    permB: [...axesB, ...fb],
  };
}

/** x's elements in the axis order `perm`, C-ordered, into `dst` (a float64 copy). */
function gather(x: ArrayLike<number>, shape: readonly number[], perm: readonly number[], dst: Float64Array): void {
  const r = shape.length;
  const n = dst.length;
  if (n === 0) return;
  if (r === 0) {
    dst[0] = x[0];
    return;
  }
  const str: number[] = new Array(r);
  for (let i = r - 1, s = 1; i >= 0; i--) {
    str[i] = s;
    s *= shape[i];
  }
  const ps = perm.map((p) => str[p]);
  const pd = perm.map((p) => shape[p]);
  const idx = new Array(r).fill(0);
  for (let o = 0, off = 0; o < n; o++) {
    dst[o] = x[off];
    for (let d = r - 1; d >= 0; d--) {
      idx[d]++;
      off += ps[d];
      if (idx[d] < pd[d]) break;
      off -= ps[d] * pd[d];
      idx[d] = 0;
    }
  }
}

registerKernel('Tensordot', {
  nativeAttrs: (a) => ({ ints: [(a.axesA as number[]).length, ...(a.axesA as number[]), ...(a.axesB as number[])] }),
  inferShape: ([as, bs], attrs) => [tensordotGeometry(as, bs, attrs.axesA as number[], attrs.axesB as number[]).out],
  prepareJs: ({ inShapes: [as, bs], attrs }) => {
    const { m, k, n, permA, permB } = tensordotGeometry(as, bs, attrs.axesA as number[], attrs.axesB as number[]);
    const A = new Float64Array(m * k);
    const B = new Float64Array(k * n);
    const acc = new Float64Array(n);
    return (ins, outs) => {
      gather(ins[0], as, permA, A);
      gather(ins[1], bs, permB, B);
      const C = outs[0];
      for (let i = 0; i < m; i++) {
        acc.fill(0);
        for (let p = 0; p < k; p++) {
          const aip = A[i * k + p];
          const bo = p * n;
          for (let j = 0; j < n; j++) acc[j] += aip * B[bo + j];
        }
        for (let j = 0; j < n; j++) C[i * n + j] = acc[j];
      }
    };
  },
});

/**
 * Sums products over pairs of axes, NumPy's `tensordot`: `axes` = n contracts a's last n axes with b's first n;
 * `axes` = [axesA, axesB] contracts axesA[i] of a with axesB[i] of b (single axes may be plain numbers).
 * @example T.tensordot(x, w, [[1, 2], [0, 1]])   // [n, 3, 4] x [3, 4, 5] -> [n, 5]
 */
export function tensordot(a: unknown, b: unknown, axes: number | [number | number[], number | number[]] = 2): Variable {
  const [va, vb] = asVariablePair(a, b, 'tensordot');
  const [ra, rb] = [va.ndim, vb.ndim];
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0 || axes > Math.min(ra, rb)) {
      throw new ArgumentError(`tensordot: axes must be an integer in [0, ${Math.min(ra, rb)}] for a of rank ${ra} and b of rank ${rb}, got ${showValue(axes)}`);
    }
    axesA = Array.from({ length: axes }, (_, i) => ra - axes + i);
    axesB = Array.from({ length: axes }, (_, i) => i);
  } else {
    const list = (x: unknown) => (typeof x === 'number' ? [x] : x);
    const pair = Array.isArray(axes) && axes.length === 2 ? axes.map(list) : null;
    if (!pair || !pair.every((l) => Array.isArray(l) && l.every((x) => Number.isInteger(x)))) {
      throw new ArgumentError(`tensordot: axes must be an integer or a pair of axis lists [axesA, axesB], got ${showValue(axes)}`);
    }
    const problems: string[] = [];
    const norm = (l: number[], r: number, name: string) => {
      const bad = l.filter((x) => x < -r || x >= r);
      if (bad.length) problems.push(`${name} must be in [${-r}, ${r}) for rank ${r}, got ${showValue(l)}`);
      const n = l.map((x) => (x < 0 ? x + r : x));
      if (!bad.length && new Set(n).size !== n.length) problems.push(`${name} must not repeat an axis, got ${showValue(l)}`);
      return n;
    };
    axesA = norm(pair[0] as number[], ra, 'axesA');
    axesB = norm(pair[1] as number[], rb, 'axesB');
    if (axesA.length !== axesB.length) problems.push(`axesA and axesB must have the same length, got ${axesA.length} and ${axesB.length}`);
    if (problems.length) throw new ArgumentError(`tensordot: ${problems.join('; ')}`);
  }
  return new TensordotOp(axesA, axesB).makeNode(va, vb).outputs[0];
}
