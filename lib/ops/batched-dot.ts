import { ShapeError } from '../errors';
import { asVariablePair } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { shapeStr } from '../ndarray';
import { dot } from './dot';
import { expandDims } from './expand-dims';
import { sum } from './sum';

/**
 * Theano's `batched_dot`: one product per index of axis 0, out[i] = dot(a[i], b[i]), for batches of matrices
 * ([B, n, k] x [B, k, m] -> [B, n, m]) or vectors ([B, k] stands for B vectors). A vector operand becomes a
 * one-row (a) or one-column (b) matrix for a batched `dot` whose size-1 axis is then summed away; as in `dot`, a
 * batch of size 1 broadcasts against the other's.
 * @example T.batchedDot(x, y)   // [B, n, k] x [B, k] -> [B, n]
 */
export function batchedDot(a: unknown, b: unknown): Variable {
  const [va, vb] = asVariablePair(a, b, 'batchedDot');
  const problems: string[] = [];
  if (va.ndim !== 2 && va.ndim !== 3) problems.push(`a must be a batch of vectors or matrices (rank 2 or 3), got rank ${va.ndim} ${shapeStr(va.type.shape)}`);
  if (vb.ndim !== 2 && vb.ndim !== 3) problems.push(`b must be a batch of vectors or matrices (rank 2 or 3), got rank ${vb.ndim} ${shapeStr(vb.type.shape)}`);
  if (!problems.length) {
    const [na, nb] = [va.type.shape[0], vb.type.shape[0]];
    if (na !== null && nb !== null && na !== nb) problems.push(`b must have ${na} entries along axis 0 to match a ${shapeStr(va.type.shape)}, got ${shapeStr(vb.type.shape)}`);
    const [ka, kb] = [va.type.shape[va.ndim - 1], vb.type.shape[1]];
    if (ka !== null && kb !== null && ka !== kb) problems.push(`b must have ${ka} entries along axis 1 to match a ${shapeStr(va.type.shape)}, got ${shapeStr(vb.type.shape)}`);
  }
  if (problems.length) throw new ShapeError(`batchedDot: ${problems.join('; ')}`);
  const A = va.ndim === 2 ? expandDims(va, [1]) : va;
  const B = vb.ndim === 2 ? expandDims(vb, [2]) : vb;
  const out = dot(A, B);
  const drop = [...(va.ndim === 2 ? [1] : []), ...(vb.ndim === 2 ? [2] : [])];
  return drop.length ? sum(out, drop) : out;
}
