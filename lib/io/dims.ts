import { FormatError } from '../errors';
import { shapeProblems } from '../ndarray';

/**
 * A shape read from a file, checked before anything is sized from it: each dim an integer in [0, 2^31 - 1] and the
 * element count at most 2^31 - 1. A zero dim makes the data empty but does not make a huge dim usable (strides and
 * the native planner still see it). A FormatError naming `where` (the file, and the tensor or entry) lists every
 * bad dim; the caller then checks the byte count against the data the file holds.
 * @example fileShape(entry.shape, 'loadSafetensors("m.safetensors"): tensor "W"')
 */
export function fileShape(dims: readonly unknown[], where: string): number[] {
  const problems = shapeProblems(dims);
  if (problems.length) throw new FormatError(`${where}: ${problems.join('; ')}`);
  return dims.slice() as number[];
}
