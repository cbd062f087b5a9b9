import { ArgumentError, ShapeError } from '../errors';
import { floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { sizeOf } from '../ndarray';
import { broadcastLike } from './broadcast-to';
import { cast } from './cast';
import { exp } from './exp';
import { mul } from './mul';
import { sub } from './sub';
import { sum } from './sum';

/** softmax or log-softmax along the last axis, stable (the row max is subtracted first). */
export class SoftmaxOp extends Op {
  readonly name: string;
  readonly kernel: string;
  override readonly attrs: { axis: number };
  readonly log: boolean;
  constructor(axis: number, log: boolean) {
    super();
    this.log = log;
    this.name = log ? 'logSoftmax' : 'softmax';
    this.kernel = log ? 'LogSoftmax' : 'Softmax';
    this.attrs = { axis };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType(x.dtype, x.type.shape)]);
  }
  // softmax: dx = s * (g - sum(g*s, axis));  logSoftmax: dx = g - softmax(x) * sum(g, axis)
  override grad(_i: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    const axis = this.attrs.axis;
    const rowSum = (v: Variable) => broadcastLike(sum(v, axis, { keepdims: true }), out);
    if (this.log) return [sub(g, mul(exp(out), rowSum(g)))];
    return [mul(out, sub(g, rowSum(mul(g, out))))];
  }
}

function softmaxKernel(log: boolean) {
  return {
    nativeAttrs: (a: { axis?: unknown }) => ({ ints: [a.axis as number] }),
    inferShape: ([x]: readonly (readonly number[])[]) => [x.slice()],
    prepareJs: ({ inShapes: [x] }: { inShapes: readonly (readonly number[])[] }) => {
      const n = x.length ? x[x.length - 1] : 1;
      const rows = n === 0 ? 0 : sizeOf(x) / n;
      return (ins: readonly ArrayLike<number>[], outs: readonly { [i: number]: number }[]) => {
        const X = ins[0];
        const O = outs[0];
        for (let r = 0; r < rows; r++) {
          const o = r * n;
          let m = -Infinity;
          for (let j = 0; j < n; j++) if (X[o + j] > m) m = X[o + j];
          if (m === -Infinity) m = 0; // a row of -inf stays NaN-free: exp(-inf - 0) = 0
          let s = 0;
          for (let j = 0; j < n; j++) s += Math.exp(X[o + j] - m);
          if (log) {
            const ls = Math.log(s);
            for (let j = 0; j < n; j++) O[o + j] = X[o + j] - m - ls;
          } else for (let j = 0; j < n; j++) O[o + j] = Math.exp(X[o + j] - m) / s;
        }
      };
    },
  };
}
registerKernel('Softmax', softmaxKernel(false) as never);
registerKernel('LogSoftmax', softmaxKernel(true) as never);

function build(x: unknown, axis: number, log: boolean): Variable {
  const name = log ? 'logSoftmax' : 'softmax';
  let v = asVariable(x, name, 'x');
  if (!Number.isInteger(axis)) throw new ArgumentError(`${name}: axis must be an integer, got ${JSON.stringify(axis)}`);
  if (v.ndim < 1) throw new ShapeError(`${name}: x must have rank >= 1, got a scalar ${v.type}`);
  if (axis !== -1 && axis !== v.ndim - 1) {
    throw new ArgumentError(`${name}: axis must be the last axis (-1 or ${v.ndim - 1}) in this version, got ${axis}; transpose first`);
  }
  if (v.dtype !== floatOf(v.dtype)) v = cast(v, floatOf(v.dtype));
  return new SoftmaxOp(-1, log).makeNode(v).outputs[0];
}

/** Softmax over the last axis, computed stably. @example T.nnet.softmax(T.dot(h, W).add(b)) */
export function softmax(x: unknown, axis = -1): Variable {
  return build(x, axis, false);
}

/** log(softmax(x)) over the last axis without overflow or log(0). @example T.nnet.logSoftmax(logits) */
export function logSoftmax(x: unknown, axis = -1): Variable {
  return build(x, axis, true);
}
