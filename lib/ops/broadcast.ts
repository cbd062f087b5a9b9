import { ShapeError } from '../errors';
import { shapeStr } from '../ndarray';
import type { Dim } from '../graph/type';

/**
 * NumPy broadcasting of static shapes (right-aligned; a dim of 1 stretches). Throws a ShapeError naming every
 * conflicting dim when the shapes can never broadcast; unknown dims stay unknown unless the other side fixes them.
 */
export function broadcastStatic(op: string, names: readonly string[], shapes: readonly (readonly Dim[])[]): Dim[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  const problems: string[] = [];
  for (let k = 0; k < rank; k++) {
    let known: number | null = null;
    let anyUnknown = false;
    let conflict = false;
    for (const s of shapes) {
      const d = k < rank - s.length ? 1 : s[k - (rank - s.length)];
      if (d === null) anyUnknown = true;
      else if (d !== 1) {
        if (known !== null && known !== d) conflict = true;
        known = d;
      }
    }
    if (conflict) problems.push(`dim ${k - rank} differs`);
    out.push(known !== null ? known : anyUnknown ? null : 1);
  }
  if (problems.length) {
    const args = names.map((n, i) => `${n} ${shapeStr(shapes[i])}`).join(' and ');
    throw new ShapeError(`${op}: ${names.join(' and ')} must have broadcast-compatible shapes, got ${args} (${problems.join(', ')})`);
  }
  return out;
}

/** NumPy broadcasting of run-time shapes; the caller adds node context to the error. */
export function broadcastShapes(op: string, shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = new Array(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const k = rank - s.length + i;
      const d = s[i];
      if (d === 1) continue;
      if (out[k] !== 1 && out[k] !== d) {
        throw new ShapeError(`${op}: inputs must have broadcast-compatible shapes, got ${shapes.map(shapeStr).join(' and ')}`);
      }
      out[k] = d;
    }
  }
  return out;
}

/** Strides of a C-ordered shape, with 0 for dims that broadcast against `outShape` (right-aligned). */
export function broadcastStrides(shape: readonly number[], outShape: readonly number[]): number[] {
  const r = outShape.length;
  const strides = new Array(r).fill(0);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const k = r - shape.length + i;
    strides[k] = shape[i] === 1 && outShape[k] !== 1 ? 0 : s;
    s *= shape[i];
  }
  return strides;
}

/** Whether a value of static shape `inShape` provably equals `outShape` at run time (so no broadcast happened). */
export function provablySameShape(inShape: readonly Dim[], outShape: readonly Dim[]): boolean {
  if (inShape.length !== outShape.length) return false;
  return inShape.every((d, i) => d !== null && d === outShape[i]);
}
