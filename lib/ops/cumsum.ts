import { ArgumentError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { KernelSpec, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { expandDims } from './expand-dims';
import { normalizeAxes } from './reduce-kernel';

/** A running sum or product along `axis` (from the end when `reverse`); integers and booleans give int32. */
export abstract class CumOp extends Op {
  override readonly attrs: { axis: number; reverse: boolean };
  constructor(axis: number, reverse: boolean) {
    super();
    this.attrs = { axis, reverse };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(isFloat(x.dtype) ? x.dtype : 'int32', x.type.shape)]);
  }
}

export class CumsumOp extends CumOp {
  readonly name = 'cumsum';
  readonly kernel = 'Cumsum';
  // y_i = sum_{j<=i} x_j  =>  dx_j = sum_{i>=j} g_i: the running sum of g taken from the other end
  override grad(_i: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? new CumsumOp(this.attrs.axis, !this.attrs.reverse).makeNode(g).outputs[0] : null];
  }
}

/** Shape function and JS kernel of Cumsum or Cumprod: native ints [axis, reverse]. */
export function cumKernelSpec(prod: boolean): KernelSpec {
  return {
    nativeAttrs: (a) => ({ ints: [a.axis as number, a.reverse ? 1 : 0] }),
    inferShape: ([x]) => [x.slice()],
    prepareJs: ({ inShapes: [x], attrs, outDtypes: [dt] }) => {
      const axis = attrs.axis as number;
      const reverse = attrs.reverse as boolean;
      const len = x[axis];
      const inner = sizeOf(x.slice(axis + 1));
      const outer = len * inner === 0 ? 0 : sizeOf(x) / (len * inner);
      const int = !isFloat(dt);
      const step = prod ? (int ? (a: number, v: number) => Math.imul(a, v) : (a: number, v: number) => a * v) : int ? (a: number, v: number) => (a + v) | 0 : (a: number, v: number) => a + v;
      return (ins, outs) => {
        const X = ins[0];
        const O = outs[0];
        for (let o = 0; o < outer; o++) {
          for (let k = 0; k < inner; k++) {
            const base = o * len * inner + k;
            let acc = prod ? 1 : 0;
            for (let j = 0; j < len; j++) {
              const i = base + (reverse ? len - 1 - j : j) * inner;
              acc = step(acc, X[i]);
              O[i] = acc;
            }
          }
        }
      };
    },
  };
}

registerKernel('Cumsum', cumKernelSpec(false));

/** The input and axis of cumsum or cumprod: an undefined axis flattens, which needs no reshape for rank <= 1 only. */
export function cumArgs(op: string, x: unknown, axis: unknown): [Variable, number] {
  const v = asVariable(x, op, 'x');
  if (axis === undefined || axis === null) {
    if (v.ndim === 0) return [expandDims(v, 0), 0];
    if (v.ndim === 1) return [v, 0];
    throw new ShapeError(`${op}: axis must be given for a tensor of rank ${v.ndim} (flattening needs a reshape, which nodeano lacks), got undefined`);
  }
  if (typeof axis !== 'number') throw new ArgumentError(`${op}: axis must be a single integer or undefined, got ${JSON.stringify(axis)}`);
  return [v, normalizeAxes(op, axis, v.ndim)[0]];
}

/**
 * Running sum along `axis` (NumPy's cumsum); `axis` may be omitted for a vector or a scalar (which gives shape [1]).
 * @example T.cumsum(x, -1) // [[1, 2], [3, 4]] -> [[1, 3], [3, 7]]
 */
export function cumsum(x: unknown, axis?: number): Variable {
  const [v, a] = cumArgs('cumsum', x, axis);
  return new CumsumOp(a, false).makeNode(v).outputs[0];
}
