import { TypedArray } from '../dtype';
import { ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { NDArray } from '../ndarray';
import { zerosLike } from './broadcast-to';
import { IncSubtensorOp } from './inc-subtensor';
import {
  checkPlanned,
  formatSpec,
  NULL_BOUND,
  parseSpec,
  regionShape,
  regionWalker,
  resolveRegion,
  SliceSpec,
  SpecInts,
  staticShape,
  substitute,
  symCount,
  symSlice,
} from './slice-spec';

// The spec language lives in slice-spec.ts; inc-subtensor.ts and lib/ops/index.ts still import these from here.
export { formatSpec, parseSpec, regionShape, regionWalker, resolveRegion, staticShape, substitute, symCount };
export type { SliceSpec, SpecInts };

/**
 * Basic (NumPy) indexing: a strided view of x copied out. Inputs: x, one int32 scalar per symbolic bound, and, when a
 * slice bound is symbolic (the length then depends on values: see lib/compile/segments.ts), the size ref whose
 * shape is [...output shape, 0].
 */
export class SubtensorOp extends Op {
  readonly name = 'slice';
  readonly kernel = 'Subtensor';
  override readonly attrs: { spec: SpecInts };
  readonly dataDependent: boolean;
  readonly dataInputs: number;
  readonly dataSizeCount: number;
  constructor(spec: SpecInts) {
    super();
    this.attrs = { spec };
    this.dataDependent = symSlice(spec);
    this.dataInputs = 1 + symCount(spec);
    this.dataSizeCount = spec.filter((v, i) => i % 4 === 0 && v === 1).length;
  }
  makeNode(x: Variable, ...rest: Variable[]): Apply {
    const ref = rest.length > symCount(this.attrs.spec) ? rest[rest.length - 1] : null;
    const shape = ref ? ref.type.shape.slice(0, -1) : staticShape(x.type.shape, this.attrs.spec);
    return new Apply(this, [x, ...rest], [new TensorType(x.dtype, shape)]);
  }
  /** The output shape from the values of x and the bounds. */
  dataSizes([x, ...bounds]: readonly NDArray[]): number[] {
    const values = bounds.slice(0, symCount(this.attrs.spec)).map((b) => b.data[0]);
    return regionShape(resolveRegion('slice', x.shape, substitute(this.attrs.spec, values)));
  }
  withSizes(inputs: readonly Variable[], ref: Variable): Variable {
    return this.makeNode(inputs[0], ...inputs.slice(1), ref).outputs[0];
  }
  // d x[idx] = zeros like x with g added at idx; the bounds and the size ref get none
  override grad([x, ...rest]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    const scalars = rest.slice(0, symCount(this.attrs.spec));
    return [g ? new IncSubtensorOp(this.attrs.spec, false).makeNode(zerosLike(x), g, ...scalars).outputs[0] : null, ...rest.map(() => null)];
  }
  override format([x, ...rest]: readonly string[]): string {
    return `${x}${formatSpec(this.attrs.spec, rest)}`;
  }
}

/** Copies the region from X into O (contiguous, region order). */
function gather(X: TypedArray, O: TypedArray, w: ReturnType<typeof regionWalker>, idx: Int32Array): void {
  const { base, len, stride, size } = w;
  const r = len.length;
  if (size === 0) return;
  if (r === 0) {
    O[0] = X[base];
    return;
  }
  const inner = len[r - 1];
  const si = stride[r - 1];
  idx.fill(0);
  let off = base;
  for (let o = 0; o < size; ) {
    for (let j = 0; j < inner; j++, o++) O[o] = X[off + j * si];
    for (let d = r - 2; d >= 0; d--) {
      off += stride[d];
      if (++idx[d] < len[d]) break;
      off -= stride[d] * len[d];
      idx[d] = 0;
    }
  }
}

registerKernel('Subtensor', {
  nativeAttrs: (a) => ({ ints: a.spec as number[] }),
  inferShape: ([x, ...rest], attrs) => {
    const spec = attrs.spec as number[];
    const nSym = symCount(spec);
    if (rest.length > nSym) return [rest[nSym].slice(0, -1)];
    if (symSlice(spec)) throw new ShapeError('slice: a symbolic slice bound makes the length depend on values, so this step can only run inside a compiled function');
    return [regionShape(resolveRegion('slice', x, substitute(spec, null)))];
  },
  prepareJs: ({ inShapes: [x], outShapes: [os], attrs }) => {
    const spec = attrs.spec as number[];
    const nSym = symCount(spec);
    const idx = new Int32Array(x.length);
    if (nSym === 0) {
      const w = regionWalker(x, resolveRegion('slice', x, spec));
      return (ins, outs) => gather(ins[0], outs[0], w, idx);
    }
    const values = new Array<number>(nSym);
    return (ins, outs) => {
      for (let j = 0; j < nSym; j++) values[j] = ins[1 + j][0];
      const reg = resolveRegion('slice', x, substitute(spec, values));
      checkPlanned('slice', regionShape(reg), os);
      gather(ins[0], outs[0], regionWalker(x, reg), idx);
    };
  },
});

/**
 * Basic indexing, Theano/NumPy `x[0:5, :, -1]`: per axis `[start, stop, step]`, null for the whole axis, or an
 * integer that drops the axis; missing trailing axes are kept whole. Bounds and indices may be int32 scalars.
 * @example T.slice(x, [0, 5], null, -1); X.slice([i.mul(bs), i.add(1).mul(bs)]) // a minibatch
 */
export function slice(x: unknown, ...specs: SliceSpec[]): Variable {
  const v = asVariable(x, 'slice', 'x');
  const { spec, scalars } = parseSpec('slice', v, specs);
  if (spec.every((s, i) => (i % 4 === 0 ? s === 1 : i % 4 === 3 ? s === 1 : s === NULL_BOUND))) return v;
  return new SubtensorOp(spec).makeNode(v, ...scalars).outputs[0];
}
