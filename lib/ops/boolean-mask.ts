import { DTypeError, RuntimeError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { Dim, TensorType } from '../graph/type';
import { Apply, Constant, Variable } from '../graph/variable';
import { NDArray, shapeStr, sizeOf } from '../ndarray';

/**
 * NumPy `x[m]` for a bool mask m over x's leading dims: the rows where m is true, in C order, stacked on one new
 * first axis. Its length depends on m's values, so a function using it runs in segments (lib/compile/segments.ts):
 * the runner counts m's true values on the host and passes the count as the shape of a third, empty input `ref`
 * of shape [count, 0], which is the only way the kernel learns it.
 */
export class BooleanMaskOp extends Op {
  readonly name = 'booleanMask';
  readonly kernel = 'BooleanMask';
  /** Marks the op for the segment compiler: see `dataSizes` and `withSizes`. */
  readonly dataDependent = true;
  readonly dataSizeCount = 1;
  readonly dataInputs = 2;
  makeNode(x: Variable, m: Variable, ref?: Variable): Apply {
    const mr = m.ndim;
    return new Apply(this, ref ? [x, m, ref] : [x, m], [new TensorType(x.dtype, [ref ? ref.type.shape[0] : null, ...x.type.shape.slice(mr)])]);
  }
  /** The output's data-dependent extents, from the node's input values: the number of true values of m. */
  dataSizes([, m]: readonly NDArray[]): number[] {
    let c = 0;
    for (let i = 0; i < m.data.length; i++) if (m.data[i]) c++;
    return [c];
  }
  /** The same selection once the count is known, carried by the shape of `ref` ([count, 0], no data). */
  withSizes([x, m]: readonly Variable[], ref: Variable): Variable {
    return this.makeNode(x, m, ref).outputs[0];
  }
  // d x[m] = zeros like x with g's rows placed where m is true (not data-dependent: it has x's shape)
  override grad([x, m]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    return [g ? new BooleanMaskGradOp().makeNode(g, m, x).outputs[0] : null, null, null];
  }
  override format([x, m]: readonly string[]): string {
    return `${x}[${m}]`;
  }
}

/** The gradient of booleanMask: zeros of `ref`'s shape with g's rows scattered to where m is true. */
export class BooleanMaskGradOp extends Op {
  readonly name = 'booleanMaskGrad';
  readonly kernel = 'BooleanMaskGrad';
  makeNode(g: Variable, m: Variable, ref: Variable): Apply {
    return new Apply(this, [g, m, ref], [new TensorType(g.dtype, ref.type.shape)]);
  }
  // linear in g: d/dg is the selection again; m and ref get none
  override grad([, m]: readonly Variable[], _o: readonly Variable[], [gg]: readonly (Variable | null)[]): (Variable | null)[] {
    return [gg ? select(gg, m) : null, null, null];
  }
}

/** A ShapeError unless m's dims equal x's leading dims (run-time shapes). */
function checkMask(op: string, xs: readonly number[], ms: readonly number[]): void {
  if (ms.length > xs.length || ms.some((d, i) => d !== xs[i])) {
    throw new ShapeError(`${op}: m must have the shape of x's leading dims ${shapeStr(xs.slice(0, ms.length))}, got ${shapeStr(ms)} (x has shape ${shapeStr(xs)})`);
  }
}

function countTrue(M: ArrayLike<number>): number {
  let c = 0;
  for (let i = 0; i < M.length; i++) if (M[i]) c++;
  return c;
}

registerKernel('BooleanMask', {
  inferShape: ([x, m, ref]) => {
    checkMask('booleanMask', x, m);
    if (!ref) throw new ShapeError('booleanMask: the output length depends on the mask values, so this step can only run inside a compiled function');
    return [[ref[0], ...x.slice(m.length)]];
  },
  prepareJs: ({ inShapes: [xs, ms], outShapes: [os] }) => {
    const inner = sizeOf(xs.slice(ms.length));
    return (ins, outs) => {
      const [X, M] = ins;
      const O = outs[0];
      if (countTrue(M) !== os[0]) throw new RuntimeError(`booleanMask: the mask has ${countTrue(M)} true values but the plan was made for ${os[0]}`);
      let o = 0;
      for (let i = 0; i < M.length; i++) {
        if (!M[i]) continue;
        for (let k = 0, s = i * inner; k < inner; k++) O[o++] = X[s + k];
      }
    };
  },
});

registerKernel('BooleanMaskGrad', {
  inferShape: ([g, m, x]) => {
    checkMask('booleanMaskGrad', x, m);
    const rest = x.slice(m.length);
    if (g.length !== rest.length + 1 || rest.some((d, i) => d !== g[i + 1])) {
      throw new ShapeError(`booleanMaskGrad: g must have shape [count, ${rest.join(', ')}], got ${shapeStr(g)}`);
    }
    return [x.slice()];
  },
  prepareJs: ({ inShapes: [gs, ms, xs] }) => {
    const inner = sizeOf(xs.slice(ms.length));
    return (ins, outs) => {
      const [G, M] = ins;
      const O = outs[0];
      const c = countTrue(M);
      if (c !== gs[0]) throw new RuntimeError(`booleanMaskGrad: g must have ${c} rows (the mask's true values), got ${gs[0]}`);
      O.fill(0);
      let j = 0;
      for (let i = 0; i < M.length; i++) {
        if (!M[i]) continue;
        for (let k = 0, d = i * inner; k < inner; k++) O[d + k] = G[j++];
      }
    };
  },
});

/**
 * NumPy `x[m]` with m a bool tensor of x's shape (a 1-D result) or of its leading dims (rows of the rest): the
 * output length depends on m's values. @example T.booleanMask(x, x.gt(0)) // the positive elements
 */
export function booleanMask(x: unknown, m: unknown): Variable {
  const xv = asVariable(x, 'booleanMask', 'x');
  const mv = asVariable(m, 'booleanMask', 'm');
  if (mv.dtype !== 'bool') throw new DTypeError(`booleanMask: m must have dtype bool, got ${mv.dtype} (integer indices select with T.take)`);
  const xs = xv.type.shape;
  const ms = mv.type.shape;
  const fits = ms.length >= 1 && ms.length <= xs.length && ms.every((d: Dim, i) => d === null || xs[i] === null || d === xs[i]);
  if (!fits) {
    throw new ShapeError(`booleanMask: m must have rank 1 to ${xs.length} and the shape of x's leading dims ${shapeStr(xs.slice(0, Math.max(1, ms.length)))}, got ${shapeStr(ms)}`);
  }
  return select(xv, mv);
}

/** x[m]; a constant mask's count is known now, so the node gets its size ref at once and needs no segments. */
function select(x: Variable, m: Variable): Variable {
  const op = new BooleanMaskOp();
  if (m instanceof Constant) return op.withSizes([x, m], new Constant(new NDArray(new Uint8Array(0), [countTrue(m.value.data), 0], 'bool')));
  return op.makeNode(x, m).outputs[0];
}
