import { ge, gt, le, lt } from './compare';
import { applyTernary, defineElemwise } from './elemwise';
import { logicalAnd } from './logic';
import { reduceTo } from './sum-to';
import { where } from './where';

export const ClipOp = defineElemwise({
  name: 'clip',
  kernel: 'Clip',
  arity: 3,
  args: ['x', 'lo', 'hi'],
  // minimum(maximum(x, lo), hi) as NumPy: NaN anywhere gives NaN, and lo > hi gives hi
  js: () => 'Math.min(Math.max(a, b), c)',
  cpp: 'ewf::js_min(ewf::js_max(a, b), c)',
  // d clip(x, lo, hi) = [lo <= x <= hi] dx + [x < lo] dlo + [x > hi] dhi, each a selection (no NaN from 0 * inf)
  grad: ([x, lo, hi], _out, g) => [
    reduceTo(where(logicalAnd(ge(x, lo), le(x, hi)), g, 0), x),
    reduceTo(where(lt(x, lo), g, 0), lo),
    reduceTo(where(gt(x, hi), g, 0), hi),
  ],
});

/**
 * Elementwise x limited to [lo, hi] (NumPy's clip); lo and hi may be numbers or tensors that broadcast with x. The
 * gradient is 1 inside the closed interval and 0 outside. @example T.clip(p, 1e-7, 1 - 1e-7)
 */
export const clip = (x: unknown, lo: unknown, hi: unknown) => applyTernary(ClipOp, x, lo, hi);
