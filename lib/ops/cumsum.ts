import { ArgumentError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { KernelSpec, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue, sizeOf } from '../ndarray';
import { normalizeAxes } from './reduce-kernel';

/**
 * A running sum or product along `axis` (from the end when `reverse`); integers and booleans give int32. With `flat`
 * it runs over the flattened x in row-major order and the result is 1-D, or has the shape of the optional second
 * input `like` (same size, values unread): that is how the gradient of a flattened scan gets x's shape back.
 */
export abstract class CumOp extends Op {
  override readonly attrs: { axis: number; reverse: boolean; flat: boolean };
  constructor(axis: number, reverse: boolean, flat = false) {
    super();
    this.attrs = { axis: flat ? 0 : axis, reverse, flat };
  }
  makeNode(x: Variable, like?: Variable): Apply {
    const dt = isFloat(x.dtype) ? x.dtype : 'int32';
    if (!this.attrs.flat) return new Apply(this, [x], [new TensorType(dt, x.type.shape)]);
    const s = x.type.shape;
    const n = s.every((d) => d !== null) ? sizeOf(s as number[]) : null;
    if (!like) return new Apply(this, [x], [new TensorType(dt, [n])]);
    const m = like.type.shape.every((d) => d !== null) ? sizeOf(like.type.shape as number[]) : null;
    if (n !== null && m !== null && n !== m) throw new ShapeError(`${this.name}: like must have ${n} elements to match x ${x.type}, got ${like.type}`);
    return new Apply(this, [x, like], [new TensorType(dt, like.type.shape)]);
  }
  /** The reverse running sum of g shaped as x: the common part of both gradients. */
  protected reverseSum(g: Variable, x: Variable): Variable {
    const { axis, reverse, flat } = this.attrs;
    return flat ? new CumsumOp(0, !reverse, true).makeNode(g, x).outputs[0] : new CumsumOp(axis, !reverse).makeNode(g).outputs[0];
  }
}

export class CumsumOp extends CumOp {
  readonly name = 'cumsum';
  readonly kernel = 'Cumsum';
  // y_i = sum_{j<=i} x_j  =>  dx_j = sum_{i>=j} g_i: the running sum of g taken from the other end (in x's shape);
  // `like` only gives a shape: no gradient
  override grad(inputs: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    const dx = g ? this.reverseSum(g, inputs[0]) : null;
    return inputs.length > 1 ? [dx, null] : [dx];
  }
}

/** Shape function and JS kernel of Cumsum or Cumprod: native ints [axis, reverse], axis -1 when flat. */
export function cumKernelSpec(prod: boolean): KernelSpec {
  const name = prod ? 'cumprod' : 'cumsum';
  return {
    nativeAttrs: (a) => ({ ints: [a.flat ? -1 : (a.axis as number), a.reverse ? 1 : 0] }),
    inferShape: ([x, like], a) => {
      if (!a.flat) return [x.slice()];
      if (!like) return [[sizeOf(x)]];
      if (sizeOf(like) !== sizeOf(x)) throw new ShapeError(`${name}: like must have ${sizeOf(x)} elements to match x of shape ${shapeStr(x)}, got ${shapeStr(like)}`);
      return [like.slice()];
    },
    prepareJs: ({ inShapes: [x], attrs, outDtypes: [dt] }) => {
      const flat = attrs.flat as boolean;
      const axis = attrs.axis as number;
      const reverse = attrs.reverse as boolean;
      const len = flat ? sizeOf(x) : x[axis];
      const inner = flat ? 1 : sizeOf(x.slice(axis + 1));
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

/** The input and axis of cumsum or cumprod; an undefined axis flattens (axis null) except for a vector (axis 0). */
export function cumArgs(op: string, x: unknown, axis: unknown): [Variable, number | null] {
  const v = asVariable(x, op, 'x');
  if (axis === undefined || axis === null) return [v, v.ndim === 1 ? 0 : null];
  if (typeof axis !== 'number') throw new ArgumentError(`${op}: axis must be a single integer or undefined, got ${showValue(axis)}`);
  return [v, normalizeAxes(op, axis, v.ndim)[0]];
}

/**
 * Running sum along `axis` (NumPy's cumsum); without `axis` over the flattened x (a 1-D result, shape [1] for a
 * scalar).
 * @example T.cumsum(x, -1) // [[1, 2], [3, 4]] -> [[1, 3], [3, 7]];  T.cumsum(x) -> [1, 3, 6, 10]
 */
export function cumsum(x: unknown, axis?: number): Variable {
  const [v, a] = cumArgs('cumsum', x, axis);
  return new CumsumOp(a ?? 0, false, a === null).makeNode(v).outputs[0];
}
