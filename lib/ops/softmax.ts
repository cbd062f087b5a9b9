import { ArgumentError, ShapeError } from '../errors';
import { floatOf } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { showValue, sizeOf } from '../ndarray';
import { broadcastLike } from './broadcast-to';
import { cast } from './cast';
import { exp } from './exp';
import { mul } from './mul';
import { normalizeAxes } from './reduce-kernel';
import { sub } from './sub';
import { sum } from './sum';
import { transpose } from './transpose';

/** softmax or log-softmax along `axis` (-1 for the last, or a non-negative axis), stable (the line's max is subtracted first). */
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
    prepareJs: ({ inShapes: [x], attrs }: { inShapes: readonly (readonly number[])[]; attrs: { axis?: unknown } }) => {
      // lines of n elements, `inner` apart: x viewed as [outer, n, inner]
      const axis = x.length ? ((attrs.axis as number) + x.length) % x.length : 0;
      const n = x.length ? x[axis] : 1;
      const inner = sizeOf(x.slice(axis + 1));
      const lines = n === 0 ? 0 : sizeOf(x) / n;
      return (ins: readonly ArrayLike<number>[], outs: readonly { [i: number]: number }[]) => {
        const X = ins[0];
        const O = outs[0];
        for (let l = 0; l < lines; l++) {
          const o = Math.floor(l / inner) * n * inner + (l % inner);
          const end = o + n * inner;
          let m = -Infinity;
          for (let j = o; j < end; j += inner) if (X[j] > m) m = X[j];
          if (m === -Infinity) m = 0; // a line of -inf: exp(-inf - 0) = 0, then 0 / 0 gives NaN as NumPy
          let s = 0;
          for (let j = o; j < end; j += inner) s += Math.exp(X[j] - m);
          if (log) {
            const ls = Math.log(s);
            for (let j = o; j < end; j += inner) O[j] = X[j] - m - ls;
          } else for (let j = o; j < end; j += inner) O[j] = Math.exp(X[j] - m) / s;
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
  if (!Number.isInteger(axis)) throw new ArgumentError(`${name}: axis must be an integer, got ${showValue(axis)}`);
  if (v.ndim < 1) throw new ShapeError(`${name}: x must have rank >= 1, got a scalar ${v.type}`);
  const a = normalizeAxes(name, axis, v.ndim)[0];
  if (v.dtype !== floatOf(v.dtype)) v = cast(v, floatOf(v.dtype));
  if (a === v.ndim - 1) return new SoftmaxOp(-1, log).makeNode(v).outputs[0];
  // Another axis is swapped to the end and back: the crossentropy rewrites (rewrite/stabilize.ts) take any SoftmaxOp
  // for one over the last axis, so a SoftmaxOp(axis) here would be fused wrongly; both kernels handle any axis.
  const perm = Array.from({ length: v.ndim }, (_, i) => (i === a ? v.ndim - 1 : i === v.ndim - 1 ? a : i));
  return transpose(new SoftmaxOp(-1, log).makeNode(transpose(v, perm)).outputs[0], perm);
}

/** Softmax along `axis` (default the last), computed stably. @example T.nnet.softmax(T.dot(h, W).add(b)) */
export function softmax(x: unknown, axis = -1): Variable {
  return build(x, axis, false);
}

/** log(softmax(x)) along `axis` (default the last) without overflow or log(0). @example T.nnet.logSoftmax(logits, 1) */
export function logSoftmax(x: unknown, axis = -1): Variable {
  return build(x, axis, true);
}
