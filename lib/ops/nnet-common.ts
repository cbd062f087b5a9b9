import { ShapeError } from '../errors';
import { Dim } from '../graph/type';
import { shapeStr } from '../ndarray';

/** A problem when two static shapes provably differ (same rank required; unknown dims pass until run time). */
export function sameShapeProblem(op: string, a: string, as: readonly Dim[], b: string, bs: readonly Dim[]): string | null {
  const differ = as.length !== bs.length || as.some((d, i) => d !== null && bs[i] !== null && d !== bs[i]);
  return differ ? `${op}: ${b} must have the shape of ${a} ${shapeStr(as)}, got ${shapeStr(bs)}` : null;
}

/** The run-time check of the same: a ShapeError naming the op. */
export function checkSameShape(op: string, a: string, as: readonly number[], b: string, bs: readonly number[]): void {
  if (as.length !== bs.length || as.some((d, i) => d !== bs[i])) {
    throw new ShapeError(`${op}: ${b} must have the shape of ${a} ${shapeStr(as)}, got ${shapeStr(bs)}`);
  }
}
