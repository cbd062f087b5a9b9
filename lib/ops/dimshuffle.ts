import { ArgumentError, ShapeError } from '../errors';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { shapeStr, showValue } from '../ndarray';
import { expandDims } from './expand-dims';
import { squeeze } from './squeeze';
import { transpose } from './transpose';

/**
 * Theano's dimshuffle: output axis k is input axis pattern[k], or a new size-1 axis for 'x'; input axes left out
 * must have size 1 and are dropped. Built from squeeze, transpose and expandDims (their gradients compose).
 * @example x.dimshuffle('x', 0, 1) // [a, b] -> [1, a, b];  x.dimshuffle(1, 0) // transpose
 */
export function dimshuffle(x: unknown, ...pattern: unknown[]): Variable {
  const v = asVariable(x, 'dimshuffle', 'x');
  const pat = pattern.length === 1 && Array.isArray(pattern[0]) ? (pattern[0] as unknown[]) : pattern;
  const r = v.ndim;
  const show = showValue(pat);
  const ok = pat.every((p) => p === 'x' || (Number.isInteger(p) && (p as number) >= 0 && (p as number) < r));
  if (!ok) throw new ArgumentError(`dimshuffle: pattern must hold 'x' or integers in [0, ${r}) for x of rank ${r}, got ${show}`);
  const axes = pat.filter((p): p is number => p !== 'x');
  if (new Set(axes).size !== axes.length) throw new ArgumentError(`dimshuffle: pattern must not repeat an axis, got ${show}`);
  const dropped = v.type.shape.map((_, i) => i).filter((i) => !axes.includes(i));
  const big = dropped.filter((i) => v.type.shape[i] !== null && v.type.shape[i] !== 1);
  if (big.length) {
    throw new ShapeError(`dimshuffle: axes left out of the pattern must have size 1, got axes ${big.join(', ')} of x of shape ${shapeStr(v.type.shape)} (pattern ${show})`);
  }
  // drop, then permute what is left (renumbered), then insert the 'x' axes at their output positions
  const kept = v.type.shape.map((_, i) => i).filter((i) => axes.includes(i));
  const perm = axes.map((a) => kept.indexOf(a));
  const newAxes = pat.flatMap((p, k) => (p === 'x' ? [k] : []));
  let out = squeeze(v, dropped);
  out = transpose(out, perm);
  return newAxes.length ? expandDims(out, newAxes) : out;
}
