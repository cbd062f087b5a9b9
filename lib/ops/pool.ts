import { ArgumentError, DTypeError, ShapeError } from '../errors';
import { floatOf, isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { shapeStr, showValue, sizeOf } from '../ndarray';
import { zerosLike } from './broadcast-to';
import { cast } from './cast';

export const POOL_MODES = ['max', 'sum', 'average_inc_pad', 'average_exc_pad'] as const;
export type PoolMode = (typeof POOL_MODES)[number];

/** The options of pool2d, as Theano's pool_2d names them (ws, ignore_border, stride, pad, mode). */
export interface Pool2dOptions {
  /** Window [rows, cols]. */
  ws: readonly [number, number] | readonly number[];
  /** false (Theano 1.0's default): partial windows at the bottom and right edges count; true: they are dropped. */
  ignoreBorder?: boolean;
  /** Step between windows, default ws (no overlap). */
  stride?: readonly number[];
  /** Zeros added on each side [rows, cols], each < its window; needs ignoreBorder: true (as Theano). Default [0, 0]. */
  pad?: readonly number[];
  /** 'max' (default), 'sum', 'average_inc_pad' (padding counts in the divisor) or 'average_exc_pad'. */
  mode?: PoolMode;
}

type PoolAttrs = { ws: readonly number[]; stride: readonly number[]; pad: readonly number[]; ignoreBorder: boolean; mode: PoolMode };

/** Theano's output length of one pooled axis of length v (pad included in ignoreBorder mode only). */
export function poolOutDim(v: number, ws: number, st: number, pad: number, ignoreBorder: boolean): number {
  if (ignoreBorder) return Math.max(0, Math.floor((v + 2 * pad - ws) / st) + 1);
  if (v === 0) return 0; // Theano's formula gives 1 window of nothing when st < ws; an empty image pools to nothing
  return st >= ws ? Math.floor((v - 1) / st) + 1 : Math.max(0, Math.floor((v - 1 - ws + st) / st)) + 1;
}

/**
 * The windows along one axis in input coordinates: output i reads [lo[i], hi[i]) (padding left out), and `inc[i]` is
 * the window's length inside the padded axis (the divisor of average_inc_pad).
 */
function axisWindows(v: number, n: number, ws: number, st: number, pad: number) {
  const lo = new Int32Array(n), hi = new Int32Array(n), inc = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const s = i * st, e = Math.min(s + ws, v + 2 * pad);
    inc[i] = e - s;
    lo[i] = Math.max(s, pad) - pad;
    hi[i] = Math.min(e, v + pad) - pad;
  }
  return { lo, hi, inc };
}

/** Plane geometry of a pooling step for input shape x: planes of h × w pooled to oh × ow. */
function geometry(x: readonly number[], a: PoolAttrs) {
  const h = x[x.length - 2], w = x[x.length - 1];
  const oh = poolOutDim(h, a.ws[0], a.stride[0], a.pad[0], a.ignoreBorder);
  const ow = poolOutDim(w, a.ws[1], a.stride[1], a.pad[1], a.ignoreBorder);
  const planes = h * w === 0 ? sizeOf(x.slice(0, -2)) : sizeOf(x) / (h * w);
  return { h, w, oh, ow, planes, rows: axisWindows(h, oh, a.ws[0], a.stride[0], a.pad[0]), cols: axisWindows(w, ow, a.ws[1], a.stride[1], a.pad[1]) };
}

const MODE_CODE: Record<PoolMode, number> = { max: 0, sum: 1, average_inc_pad: 2, average_exc_pad: 3 };
// ints [wsH, wsW, strideH, strideW, padH, padW, ignoreBorder, mode (max 0, sum 1, average_inc_pad 2, average_exc_pad 3)]
const nativeAttrs = (a: Record<string, unknown>) => {
  const p = a as unknown as PoolAttrs;
  return { ints: [...p.ws, ...p.stride, ...p.pad, p.ignoreBorder ? 1 : 0, MODE_CODE[p.mode]] };
};

function outShape(x: readonly number[], a: PoolAttrs): number[] {
  const g = geometry(x, a);
  return [...x.slice(0, -2), g.oh, g.ow];
}

function checkSame(op: string, what: string, got: readonly number[], want: readonly number[], x: readonly number[]): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new ShapeError(`${op}: ${what} must have shape ${shapeStr(want)} (the pooled shape of x ${shapeStr(x)}), got ${shapeStr(got)}`);
  }
}

/** Pooling over the last two axes (Theano's Pool): inputs (x), output x's leading axes then [oh, ow]. */
export class PoolOp extends Op {
  readonly name = 'pool2d';
  readonly kernel = 'Pool';
  constructor(override readonly attrs: PoolAttrs) {
    super();
  }
  makeNode(x: Variable): Apply {
    const s = x.type.shape;
    const a = this.attrs;
    const dim = (v: number | null, k: number) => (v === null ? null : poolOutDim(v, a.ws[k], a.stride[k], a.pad[k], a.ignoreBorder));
    return new Apply(this, [x], [new TensorType(x.dtype, [...s.slice(0, -2), dim(s[s.length - 2], 0), dim(s[s.length - 1], 1)])]);
  }
  // max: the window's gradient goes to every position holding its max (ties each get all of it, as Theano);
  // sum / averages: spread over the window (divided by the window's count for averages)
  override grad([x]: readonly Variable[], [out]: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null];
    return [this.attrs.mode === 'max' ? new MaxPoolGradOp(this.attrs).makeNode(x, out, g).outputs[0] : new AveragePoolGradOp(this.attrs).makeNode(x, g).outputs[0]];
  }
}

/** d pool(x) / dx for max pooling (Theano's MaxPoolGrad): inputs (x, maxout, gz), output x's shape. */
export class MaxPoolGradOp extends Op {
  readonly name = 'maxPoolGrad';
  readonly kernel = 'MaxPoolGrad';
  constructor(override readonly attrs: PoolAttrs) {
    super();
  }
  makeNode(x: Variable, maxout: Variable, gz: Variable): Apply {
    return new Apply(this, [x, maxout, gz], [new TensorType(x.dtype, x.type.shape)]);
  }
  // linear in gz: its transpose sums ggx over each window's max positions (MaxPoolGradGrad); piecewise constant in x
  override grad([x, maxout]: readonly Variable[], _o: readonly Variable[], [gg]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!gg) return [null, null, null];
    return [zerosLike(x), zerosLike(maxout), new MaxPoolGradGradOp(this.attrs).makeNode(x, maxout, gg).outputs[0]];
  }
}

/** d pool(x) / dx for sum and average pooling (Theano's AveragePoolGrad): inputs (x, read for its shape; gz). */
export class AveragePoolGradOp extends Op {
  readonly name = 'averagePoolGrad';
  readonly kernel = 'AveragePoolGrad';
  constructor(override readonly attrs: PoolAttrs) {
    super();
  }
  makeNode(x: Variable, gz: Variable): Apply {
    return new Apply(this, [x, gz], [new TensorType(x.dtype, x.type.shape)]);
  }
  // the gradient is the transpose of the (linear) pooling, so its own gradient w.r.t. gz is the pooling of ggx
  override grad([x]: readonly Variable[], _o: readonly Variable[], [gg]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!gg) return [null, null];
    return [zerosLike(x), new PoolOp(this.attrs).makeNode(gg).outputs[0]];
  }
}

/**
 * The gradient of MaxPoolGrad w.r.t. gz (Theano's DownsampleFactorMaxGradGrad): inputs (x, maxout, ggx), output
 * maxout's shape: per window the sum of ggx over the positions holding the max. Theano assigns one of them instead;
 * the sum is the exact transpose of MaxPoolGrad, so both agree without ties.
 */
export class MaxPoolGradGradOp extends Op {
  readonly name = 'maxPoolGradGrad';
  readonly kernel = 'MaxPoolGradGrad';
  constructor(override readonly attrs: PoolAttrs) {
    super();
  }
  makeNode(x: Variable, maxout: Variable, ggx: Variable): Apply {
    return new Apply(this, [x, maxout, ggx], [new TensorType(x.dtype, maxout.type.shape)]);
  }
  // linear in ggx with transpose MaxPoolGrad; piecewise constant in x
  override grad([x, maxout]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null, null];
    return [zerosLike(x), zerosLike(maxout), new MaxPoolGradOp(this.attrs).makeNode(x, maxout, g).outputs[0]];
  }
}

type Visit = (plane: number, r: number, c: number, i0: number, i1: number, j0: number, j1: number, incCount: number) => void;

/** Calls `visit` for every window of every plane, in row-major order. */
function eachWindow(g: ReturnType<typeof geometry>, visit: Visit): void {
  const { rows, cols } = g;
  for (let p = 0; p < g.planes; p++) {
    for (let r = 0; r < g.oh; r++) {
      for (let c = 0; c < g.ow; c++) visit(p, r, c, rows.lo[r], rows.hi[r], cols.lo[c], cols.hi[c], rows.inc[r] * cols.inc[c]);
    }
  }
}

registerKernel('Pool', {
  nativeAttrs,
  inferShape: ([x], attrs) => [outShape(x, attrs as PoolAttrs)],
  prepareJs: ({ inShapes: [x], attrs }) => {
    const a = attrs as PoolAttrs;
    const g = geometry(x, a);
    const { h, w, oh, ow } = g;
    return ([X], [O]) => {
      eachWindow(g, (p, r, c, i0, i1, j0, j1, inc) => {
        const base = p * h * w;
        let acc = a.mode === 'max' ? -Infinity : 0;
        for (let i = i0; i < i1; i++) {
          for (let j = j0; j < j1; j++) {
            const v = X[base + i * w + j];
            if (a.mode !== 'max') acc += v;
            else if (v > acc || v !== v) acc = v; // a NaN sticks: nothing compares greater than it
          }
        }
        const n = a.mode === 'average_inc_pad' ? inc : (i1 - i0) * (j1 - j0);
        O[(p * oh + r) * ow + c] = a.mode === 'max' || a.mode === 'sum' ? acc : acc / n;
      });
    };
  },
});

registerKernel('MaxPoolGrad', {
  nativeAttrs,
  inferShape: ([x, m, gz], attrs) => {
    const want = outShape(x, attrs as PoolAttrs);
    checkSame('maxPoolGrad', 'maxout', m, want, x);
    checkSame('maxPoolGrad', 'gz', gz, want, x);
    return [x.slice()];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const g = geometry(x, attrs as PoolAttrs);
    const { h, w, oh, ow } = g;
    const acc = new Float64Array(h * w);
    return ([X, M, G], [O]) => {
      for (let p = 0; p < g.planes; p++) {
        acc.fill(0);
        const base = p * h * w;
        for (let r = 0; r < oh; r++) {
          for (let c = 0; c < ow; c++) {
            const o = (p * oh + r) * ow + c, m = M[o];
            for (let i = g.rows.lo[r]; i < g.rows.hi[r]; i++) {
              for (let j = g.cols.lo[c]; j < g.cols.hi[c]; j++) if (X[base + i * w + j] === m) acc[i * w + j] += G[o];
            }
          }
        }
        for (let k = 0; k < h * w; k++) O[base + k] = acc[k];
      }
    };
  },
});

registerKernel('AveragePoolGrad', {
  nativeAttrs,
  inferShape: ([x, gz], attrs) => {
    checkSame('averagePoolGrad', 'gz', gz, outShape(x, attrs as PoolAttrs), x);
    return [x.slice()];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const a = attrs as PoolAttrs;
    const g = geometry(x, a);
    const { h, w, oh, ow } = g;
    const acc = new Float64Array(h * w);
    return ([, G], [O]) => {
      for (let p = 0; p < g.planes; p++) {
        acc.fill(0);
        for (let r = 0; r < oh; r++) {
          for (let c = 0; c < ow; c++) {
            const i0 = g.rows.lo[r], i1 = g.rows.hi[r], j0 = g.cols.lo[c], j1 = g.cols.hi[c];
            const n = a.mode === 'sum' ? 1 : a.mode === 'average_inc_pad' ? g.rows.inc[r] * g.cols.inc[c] : (i1 - i0) * (j1 - j0);
            const v = G[(p * oh + r) * ow + c] / n;
            for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) acc[i * w + j] += v;
          }
        }
        for (let k = 0; k < h * w; k++) O[p * h * w + k] = acc[k];
      }
    };
  },
});

registerKernel('MaxPoolGradGrad', {
  nativeAttrs,
  inferShape: ([x, m, ggx], attrs) => {
    checkSame('maxPoolGradGrad', 'maxout', m, outShape(x, attrs as PoolAttrs), x);
    if (ggx.length !== x.length || ggx.some((d, i) => d !== x[i])) throw new ShapeError(`maxPoolGradGrad: ggx must have x's shape ${shapeStr(x)}, got ${shapeStr(ggx)}`);
    return [m.slice()];
  },
  prepareJs: ({ inShapes: [x], attrs }) => {
    const g = geometry(x, attrs as PoolAttrs);
    const { h, w, oh, ow } = g;
    return ([X, M, GG], [O]) => {
      eachWindow(g, (p, r, c, i0, i1, j0, j1) => {
        const o = (p * oh + r) * ow + c, m = M[o], base = p * h * w;
        let s = 0;
        for (let i = i0; i < i1; i++) for (let j = j0; j < j1; j++) if (X[base + i * w + j] === m) s += GG[base + i * w + j];
        O[o] = s;
      });
    };
  },
});

const show = (v: unknown) => (Array.isArray(v) ? `[${v.map((d) => showValue(d)).join(', ')}]` : showValue(v));
const pair = (v: unknown) => Array.isArray(v) && v.length === 2 && v.every((d) => Number.isInteger(d));

/**
 * Theano's pool_2d: pools the last two axes of a tensor of rank >= 2 (NCHW images: each [H, W] plane) with windows
 * `ws`, stepping `stride` (default ws), over an input padded by `pad` zeros (excluded from max and sum; average_inc_pad
 * counts them in its divisor). ignoreBorder false (Theano 1.0's default) keeps the partial windows at the far edges.
 * Gradients: MaxPoolGrad / AveragePoolGrad, and their gradients (MaxPoolGradGrad; a pooling of ggx).
 * @example const h = T.signal.pool2d(x, { ws: [2, 2], ignoreBorder: true })  // [N, C, 28, 28] -> [N, C, 14, 14]
 */
export function pool2d(input: unknown, options: Pool2dOptions): Variable {
  const op = 'pool2d';
  let x = asVariable(input, op, 'input');
  const o = (options ?? {}) as Partial<Pool2dOptions>;
  const bad: string[] = [];
  let Err: typeof ShapeError | typeof ArgumentError | typeof DTypeError = ArgumentError;
  const ws = o.ws, stride = o.stride ?? o.ws, pad = o.pad ?? [0, 0], mode = o.mode ?? 'max', ignoreBorder = o.ignoreBorder ?? false;
  const wsOk = pair(ws) && !(ws as number[]).some((d) => d < 1);
  if (!wsOk) bad.push(`ws must be two integers >= 1, got ${show(ws)}`);
  if (o.stride !== undefined && (!pair(stride) || (stride as number[]).some((d) => d < 1))) bad.push(`stride must be two integers >= 1, got ${show(stride)}`);
  if (!pair(pad) || (pad as number[]).some((d) => d < 0)) bad.push(`pad must be two integers >= 0, got ${show(pad)}`);
  else if (wsOk && pad.some((d, i) => d >= (ws as number[])[i])) bad.push(`pad must be smaller than ws ${show(ws)} on each axis, got ${show(pad)}`);
  if (pair(pad) && pad.some((d) => d !== 0) && !ignoreBorder) bad.push(`pad ${show(pad)} needs ignoreBorder: true (as in Theano), got ignoreBorder: false`);
  if (typeof ignoreBorder !== 'boolean') bad.push(`ignoreBorder must be a boolean, got ${showValue(ignoreBorder)}`);
  if (!(POOL_MODES as readonly string[]).includes(mode as string)) bad.push(`mode must be one of ${POOL_MODES.map((m) => `'${m}'`).join(', ')}, got ${showValue(mode)}`);
  if (x.ndim < 2) {
    bad.push(`input must have rank >= 2 (pooling its last two axes), got ${x.type}`);
    if (bad.length === 1) Err = ShapeError;
  }
  if (x.dtype === 'bool') {
    bad.push(`input must have a numeric dtype, got ${x.type}`);
    if (bad.length === 1) Err = DTypeError;
  }
  if (bad.length) throw new Err(`${op}: ${bad.join('; ')}`);
  if (!isFloat(x.dtype)) x = cast(x, floatOf(x.dtype));
  const attrs: PoolAttrs = { ws: [...(ws as number[])], stride: [...(stride as number[])], pad: [...pad], ignoreBorder, mode };
  return new PoolOp(attrs).makeNode(x).outputs[0];
}
