import { ArgumentError, ShapeError } from '../errors';
import { checkDType, DType } from '../dtype';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { DIM_FORMS, DimExpr, encodeDims, evalDims, evalStatic, formatDims, parseDim, showArg, sizeLimitProblem } from './dim-expr';
import { MAX_DIM, MAX_ELEMENTS, showValue } from '../ndarray';

/** An n x m matrix with ones on diagonal k (k > 0 above the main one); n and m are size expressions (dim-expr.ts). */
export class EyeOp extends Op {
  readonly name = 'eye';
  readonly kernel = 'Eye';
  override readonly attrs: { dims: readonly number[]; k: number; dtype: DType };
  constructor(dims: readonly number[], k: number, dtype: DType) {
    super();
    this.attrs = { dims, k, dtype };
  }
  makeNode(...refs: Variable[]): Apply {
    return new Apply(this, refs, [new TensorType(this.attrs.dtype, evalStatic(this.attrs.dims, refs))]);
  }
  // its inputs are read for their shapes only
  override grad(refs: readonly Variable[]): (Variable | null)[] {
    return refs.map(() => null);
  }
  override format(inputs: readonly string[]): string {
    const { dims, k, dtype } = this.attrs;
    return `eye(${formatDims(dims, inputs).join(', ')}, k=${k}, ${dtype})`;
  }
}

registerKernel('Eye', {
  nativeAttrs: (a) => ({ ints: [a.k as number] }),
  inferShape: (ins, attrs) => {
    const [n, m] = evalDims(attrs.dims as number[], ins);
    if (n < 0 || m < 0) throw new ShapeError(`eye: n and m must be >= 0, got ${n}, ${m}`);
    return [[n, m]];
  },
  prepareJs: ({ outShapes: [[n, m]], attrs }) => {
    const k = attrs.k as number;
    return (_ins, outs) => {
      const O = outs[0];
      O.fill(0);
      for (let i = Math.max(0, -k); i < n && i + k < m; i++) O[i * m + i + k] = 1;
    };
  },
});

/**
 * The n x m identity matrix (ones on diagonal k); n and m may be symbolic sizes such as `x.shape[0]`.
 * @example T.eye(3) // float32 3 x 3 identity (floatX)
 */
export function eye(n: unknown, m?: unknown, k = 0, dtype?: DType): Variable {
  const problems: string[] = [];
  const size = (v: unknown, name: string): DimExpr => {
    const e = parseDim(v);
    if (e === null) problems.push(`${name} must be ${DIM_FORMS}, got ${showArg(v)}`);
    else if (typeof v === 'number' && v < 0) problems.push(`${name} must be >= 0, got ${v}`);
    else {
      const tooBig = sizeLimitProblem(v, name);
      if (tooBig) problems.push(tooBig);
    }
    return e ?? [];
  };
  const ne = size(n, 'n');
  const me = m === undefined || m === null ? ne : size(m, 'm');
  if (!Number.isInteger(k) || Math.abs(k) > MAX_DIM) problems.push(`k must be an integer in [${-MAX_DIM}, ${MAX_DIM}], got ${showValue(k)}`);
  const [nv, mv] = [n, m === undefined || m === null ? n : m];
  if (problems.length === 0 && typeof nv === 'number' && typeof mv === 'number' && nv * mv > MAX_ELEMENTS) {
    problems.push(`n * m must be at most ${MAX_ELEMENTS} elements, got ${nv} * ${mv} = ${nv * mv}`);
  }
  const dt = checkDType(dtype, 'eye');
  if (problems.length) throw new ArgumentError(`eye: ${problems.join('; ')}`);
  const { code, refs } = encodeDims([ne, me], []);
  return new EyeOp(code, k, dt).makeNode(...refs).outputs[0];
}
