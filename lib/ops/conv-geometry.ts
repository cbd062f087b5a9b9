import { ArgumentError, ShapeError } from '../errors';
import type { Attrs } from '../graph/op';
import type { Dim } from '../graph/type';
import { describe, shapeStr, showValue } from '../ndarray';

/**
 * The options of conv2d and of its two gradient ops, as Theano's `conv2d` / `conv2d_grad_wrt_inputs` /
 * `conv2d_grad_wrt_weights` take them (NCHW input, [K, C / numGroups, kh, kw] filters).
 */
export interface Conv2dOptions {
  /** Hint of the input's shape [N, C, H, W] (entries may be null); checked against the input's static shape and used to refine it. */
  inputShape?: readonly (number | null)[];
  /** Hint of the filters' shape [K, C / numGroups, kh, kw] (entries may be null), likewise. */
  filterShape?: readonly (number | null)[];
  /** 'valid' (no padding, the default), 'full' (pad dil*(k-1)), 'half' (pad floor((dil*(k-1)+1)/2)), n, or [padH, padW]. */
  borderMode?: 'valid' | 'full' | 'half' | number | readonly [number, number];
  /** Strides [sh, sw], default [1, 1]. */
  subsample?: readonly [number, number];
  /** true (the default) flips the filters: a true convolution; false is cross-correlation. */
  filterFlip?: boolean;
  /** Spacing between filter taps [dh, dw], default [1, 1]. */
  filterDilation?: readonly [number, number];
  /** Channel groups: input and output channels split into this many independent convolutions (default 1). */
  numGroups?: number;
}

/** The geometry attributes every conv kernel carries; `size` is only for the gradient ops (see their files). */
export interface ConvAttrs {
  /** 0: explicit pad, 1: full, 2: half. */
  mode: number;
  pad: readonly number[];
  subsample: readonly number[];
  dilation: readonly number[];
  groups: number;
  flip: boolean;
}

const OPTION_KEYS = ['inputShape', 'filterShape', 'borderMode', 'subsample', 'filterFlip', 'filterDilation', 'numGroups'];
const isNat = (v: unknown, min: number): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isPair = (v: unknown, min: number): v is readonly [number, number] => Array.isArray(v) && v.length === 2 && v.every((x) => isNat(x, min));

/** Validates conv options, listing every bad one; `allowed` names the option keys this function takes. */
export function parseConvOptions(op: string, opts: unknown, allowed = OPTION_KEYS): { attrs: ConvAttrs; inputShape?: readonly Dim[]; filterShape?: readonly Dim[] } {
  if (opts === undefined) opts = {};
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ArgumentError(`${op}: options must be an object, got ${describe(opts)}`);
  const o = opts as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(o)) if (!allowed.includes(k) && o[k] !== undefined) problems.push(`unknown option ${JSON.stringify(k)} (known: ${allowed.join(', ')})`);
  let mode = 0;
  let pad: readonly number[] = [0, 0];
  const bm = o.borderMode ?? 'valid';
  if (bm === 'full') mode = 1;
  else if (bm === 'half') mode = 2;
  else if (bm === 'valid') pad = [0, 0];
  else if (isNat(bm, 0)) pad = [bm, bm];
  else if (isPair(bm, 0)) pad = [bm[0], bm[1]];
  else problems.push(`borderMode must be 'valid', 'full', 'half', a padding n >= 0 or [padH, padW], got ${showValue(bm)}`);
  const pair = (key: string, min: number, what: string): readonly number[] => {
    const v = o[key];
    if (v === undefined) return [1, 1];
    if (isPair(v, min)) return [v[0], v[1]];
    problems.push(`${key} must be ${what}, got ${showValue(v)}`);
    return [1, 1];
  };
  const subsample = pair('subsample', 1, 'a pair of integer strides >= 1 [sh, sw]');
  const dilation = pair('filterDilation', 1, 'a pair of integer dilations >= 1 [dh, dw]');
  const flip = o.filterFlip ?? true;
  if (typeof flip !== 'boolean') problems.push(`filterFlip must be a boolean, got ${showValue(flip)}`);
  const groups = o.numGroups ?? 1;
  if (!isNat(groups, 1)) problems.push(`numGroups must be an integer >= 1, got ${showValue(groups)}`);
  const hint = (key: string): readonly Dim[] | undefined => {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (Array.isArray(v) && v.length === 4 && v.every((d) => d === null || isNat(d, 0))) return v as Dim[];
    problems.push(`${key} must be 4 sizes (integers >= 0 or null), got ${showValue(v)}`);
    return undefined;
  };
  const inputShape = hint('inputShape');
  const filterShape = hint('filterShape');
  if (problems.length) throw new ArgumentError(`${op}: ${problems.join('; ')}`);
  return { attrs: { mode, pad, subsample, dilation, groups: groups as number, flip: flip as boolean }, inputShape, filterShape };
}

/** A variable's static shape refined by a shape hint (4 entries, null = unknown); problems when they disagree. */
export function refineShape(op: string, arg: string, shape: readonly Dim[], hint: readonly Dim[] | undefined, problems: string[]): Dim[] {
  if (!hint) return shape.slice();
  if (shape.length !== 4) return shape.slice();
  const bad = hint.some((d, i) => d !== null && shape[i] !== null && d !== shape[i]);
  if (bad) problems.push(`${arg} must match its shape hint ${shapeStr(hint)}, got ${shapeStr(shape)}`);
  return shape.map((d, i) => d ?? hint[i]);
}

export interface ConvGeometry {
  n: Dim;
  c: Dim;
  h: Dim;
  w: Dim;
  k: Dim;
  kh: Dim;
  kw: Dim;
  oh: Dim;
  ow: Dim;
  padH: Dim;
  padW: Dim;
}

/** The padding of one axis for a filter of `k` taps: Theano's dilated kernel size dk = dil (k - 1) + 1, full pads dk - 1, half dk // 2. */
function padOf(mode: number, explicit: number, k: Dim, dil: number): Dim {
  if (mode === 0) return explicit;
  if (k === null) return null;
  const dk = dil * (k - 1) + 1;
  return mode === 1 ? dk - 1 : Math.floor(dk / 2);
}

/**
 * The forward geometry from the input shape [N, C, H, W] and the filter shape [K, C / groups, kh, kw] (static dims
 * may be null), every problem pushed to `problems`: out = (H + 2 pad - dk) // stride + 1 as Theano and torch.
 */
export function convGeometry(xs: readonly Dim[], ws: readonly Dim[], a: ConvAttrs, names: { x: string; w: string }, problems: string[]): ConvGeometry | null {
  const before = problems.length;
  if (xs.length !== 4) problems.push(`${names.x} must have rank 4 [N, C, H, W], got rank ${xs.length} ${shapeStr(xs)}`);
  if (ws.length !== 4) problems.push(`${names.w} must have rank 4 [K, C / numGroups, kh, kw], got rank ${ws.length} ${shapeStr(ws)}`);
  if (problems.length > before) return null;
  const [n, c, h, w] = xs;
  const [k, cg, kh, kw] = ws;
  const g = a.groups;
  if (c !== null && c % g !== 0) problems.push(`numGroups ${g} must divide the input channels of ${names.x} ${shapeStr(xs)}`);
  if (k !== null && k % g !== 0) problems.push(`numGroups ${g} must divide the output channels (filters' dim 0) of ${names.w} ${shapeStr(ws)}`);
  if (c !== null && cg !== null && c % g === 0 && cg !== c / g) {
    const want = g === 1 ? `${c} input channels` : `${c / g} input channels per group (C / numGroups = ${c} / ${g})`;
    problems.push(`${names.w} must have ${want} in dim 1 to match ${names.x} ${shapeStr(xs)}, got ${names.w} ${shapeStr(ws)}`);
  }
  const padH = padOf(a.mode, a.pad[0], kh, a.dilation[0]);
  const padW = padOf(a.mode, a.pad[1], kw, a.dilation[1]);
  const axis = (size: Dim, kk: Dim, pad: Dim, dil: number, s: number, which: string): Dim => {
    if (size === null || kk === null || pad === null) return null;
    const dk = dil * (kk - 1) + 1;
    if (kk < 1 || size + 2 * pad < dk) {
      const dilated = dil > 1 ? ` (dilated to ${dk})` : '';
      problems.push(`the filter's ${which} ${kk}${dilated} must fit the padded input ${which} ${size} + 2 * ${pad} = ${size + 2 * pad}, got ${names.x} ${shapeStr(xs)} and ${names.w} ${shapeStr(ws)}`);
      return null;
    }
    return Math.floor((size + 2 * pad - dk) / s) + 1;
  };
  const oh = axis(h, kh, padH, a.dilation[0], a.subsample[0], 'height');
  const ow = axis(w, kw, padW, a.dilation[1], a.subsample[1], 'width');
  if (problems.length > before) return null;
  return { n, c, h, w, k, kh, kw, oh, ow, padH, padW };
}

/** The run-time geometry: all dims known, a ShapeError (the runtime adds the node) listing every problem. */
export function convGeometryOrThrow(op: string, xs: readonly number[], ws: readonly number[], a: ConvAttrs, names: { x: string; w: string }): Required<{ [K in keyof ConvGeometry]: number }> {
  const problems: string[] = [];
  const g = convGeometry(xs, ws, a, names, problems);
  if (!g) throw new ShapeError(`${op}: ${problems.join('; ')}`);
  return g as Required<{ [K in keyof ConvGeometry]: number }>;
}

/** ConvAttrs back from an op's attribute record. */
export function convAttrsOf(attrs: Attrs): ConvAttrs {
  return {
    mode: attrs.mode as number,
    pad: attrs.pad as readonly number[],
    subsample: attrs.subsample as readonly number[],
    dilation: attrs.dilation as readonly number[],
    groups: attrs.groups as number,
    flip: attrs.flip as boolean,
  };
}

/** Native ints: [mode, padH, padW, sh, sw, dh, dw, groups, flip, sizeA, sizeB] (native/kernels/conv.cc). */
export function convNativeAttrs(attrs: Attrs): { ints: number[] } {
  const a = convAttrsOf(attrs);
  const size = (attrs.size as readonly number[] | undefined) ?? [-1, -1];
  return { ints: [a.mode, a.pad[0], a.pad[1], a.subsample[0], a.subsample[1], a.dilation[0], a.dilation[1], a.groups, a.flip ? 1 : 0, size[0], size[1]] };
}

/** How a conv node prints: its inputs and the options that differ from conv2d's defaults. */
export function formatConv(name: string, inputs: readonly string[], attrs: Attrs): string {
  const a = convAttrsOf(attrs);
  const parts = [...inputs];
  const pair = (v: readonly number[]) => `[${v.join(', ')}]`;
  if (a.mode) parts.push(`borderMode=${a.mode === 1 ? 'full' : 'half'}`);
  else if (a.pad[0] || a.pad[1]) parts.push(`borderMode=${pair(a.pad)}`);
  if (a.subsample[0] !== 1 || a.subsample[1] !== 1) parts.push(`subsample=${pair(a.subsample)}`);
  if (a.dilation[0] !== 1 || a.dilation[1] !== 1) parts.push(`filterDilation=${pair(a.dilation)}`);
  if (a.groups !== 1) parts.push(`numGroups=${a.groups}`);
  if (!a.flip) parts.push('filterFlip=false');
  return `${name}(${parts.join(', ')})`;
}
