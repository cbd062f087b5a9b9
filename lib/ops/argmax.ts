import { showValue } from '../ndarray';
import { ArgumentError } from '../errors';
import { DType } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { JsKernel, KernelSpec, registerKernel } from '../graph/kernel-registry';
import { Variable } from '../graph/variable';
import { checkNotEmpty, normalizeAxes, reducedShape, ReduceLoop } from './reduce-kernel';
import { checkKeepdims, reduceKernelBase, ReduceOp, ReduceOptions } from './reduce-op';

/**
 * The int32 index of the largest (or smallest) element over one axis, or over all axes as the flat (row-major)
 * index; the first one wins a tie, and the first NaN wins over any number, as NumPy.
 */
export class ArgReduceOp extends ReduceOp {
  readonly name: string;
  readonly kernel: string;
  constructor(smallest: boolean, axes: readonly number[], keepdims: boolean) {
    super(axes, keepdims);
    this.name = smallest ? 'argmin' : 'argmax';
    this.kernel = smallest ? 'Argmin' : 'Argmax';
  }
  protected outDtype(_dt: DType): DType {
    return 'int32';
  }
  protected override check(x: Variable): void {
    checkNotEmpty(this.name, x.type.shape, this.attrs.axes, String(x.type));
  }
  // an index is piecewise constant in x and an integer: no gradient flows back
  override grad(): (Variable | null)[] {
    return [null];
  }
}

function argKernel(inShape: readonly number[], axes: readonly number[], smallest: boolean): JsKernel {
  const loop = new ReduceLoop(inShape, axes);
  const { rows, inner, innerStride: st } = loop;
  const best = new Float64Array(loop.outSize);
  // row-major order visits each group's elements in the order of their index within the group, so a running count
  // per group is that index
  const seen = new Int32Array(loop.outSize);
  const sgn = smallest ? -1 : 1;
  return (ins, outs) => {
    const X = ins[0];
    const O = outs[0];
    best.fill(-Infinity);
    seen.fill(0);
    O.fill(0);
    let o = loop.first();
    for (let row = 0, i = 0; row < rows; row++, o = loop.next()) {
      for (let j = 0; j < inner; j++, i++) {
        const k = o + j * st;
        const v = sgn * X[i];
        const b = best[k];
        if (b === b && (v > b || v !== v)) {
          best[k] = v;
          O[k] = seen[k];
        }
        seen[k]++;
      }
    }
  };
}

export function argKernelSpec(smallest: boolean): KernelSpec {
  const name = smallest ? 'argmin' : 'argmax';
  return {
    nativeAttrs: reduceKernelBase.nativeAttrs,
    inferShape: ([x], attrs) => {
      checkNotEmpty(name, x, attrs.axes as number[], `shape [${x.join(', ')}]`);
      return [reducedShape(x, attrs.axes as number[], attrs.keepdims as boolean, 1)];
    },
    prepareJs: ({ inShapes: [x], attrs }) => argKernel(x, attrs.axes as number[], smallest),
  };
}

registerKernel('Argmax', argKernelSpec(false));

/** The public function of argmax or argmin: one axis (a number) or undefined for the flat index over all axes. */
export function argReduction(smallest: boolean) {
  const name = smallest ? 'argmin' : 'argmax';
  return (x: unknown, axis?: number, opts?: ReduceOptions | boolean): Variable => {
    const v = asVariable(x, name, 'x');
    if (axis !== undefined && axis !== null && typeof axis !== 'number') {
      throw new ArgumentError(`${name}: axis must be a single integer or undefined (the flat index over all axes), got ${showValue(axis)}`);
    }
    return new ArgReduceOp(smallest, normalizeAxes(name, axis, v.ndim), checkKeepdims(name, opts)).makeNode(v).outputs[0];
  };
}

/**
 * Index of the largest element along `axis` (int32), or the flat index over all axes when `axis` is undefined.
 * @example T.argmax(logits, -1) // predicted class per row
 */
export const argmax = argReduction(false);
