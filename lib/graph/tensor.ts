import { ArgumentError } from '../errors';
import { checkDType, DType } from '../dtype';
import { describe, MAX_DIM, MAX_ELEMENTS, NDArray, shapeProblems, shapeStr } from '../ndarray';
import { prepareStorage, toValue, SharedOptions, SharedVariable, Variable } from './variable';
import { Dim, TensorType } from './type';

/**
 * A symbolic input of the given dtype and static shape (null where unknown).
 * @example const images = T.tensor('float32', [null, 28, 28], 'images');
 */
export function tensor(dtype: DType, shape: readonly Dim[], name?: string): Variable {
  const dt = checkDType(dtype, 'tensor');
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
    throw new ArgumentError(`tensor: shape must be an array of non-negative integers or null, got ${describe(shape)}`);
  }
  // no value could ever be passed for a type whose known dims cannot be an array's
  const known = shape.filter((d): d is number => d !== null);
  const tooBig = shapeProblems(known).length > 0;
  if (tooBig) throw new ArgumentError(`tensor: shape must have known dims of at most ${MAX_DIM} and at most ${MAX_ELEMENTS} elements in them, got ${shapeStr(shape)}`);
  if (name !== undefined && typeof name !== 'string') throw new ArgumentError(`tensor: name must be a string, got ${describe(name)}`);
  return new Variable(new TensorType(dt, shape), null, 0, name);
}

const make = (shape: Dim[]) => (name?: string, dtype?: DType) => tensor(checkDType(dtype, 'tensor'), shape, name);
const fixed = (shape: Dim[], dtype: DType) => (name?: string) => tensor(dtype, shape, name);

/** A symbolic 0-d tensor (dtype defaults to floatX). @example const lr = T.scalar('lr') */
export const scalar = make([]);
/** A symbolic 1-d tensor. */
export const vector = make([null]);
/** A symbolic 2-d tensor. @example const X = T.matrix('X') */
export const matrix = make([null, null]);
/** A symbolic 1×n matrix (broadcasts along rows). */
export const row = make([1, null]);
/** A symbolic n×1 matrix (broadcasts along columns). */
export const col = make([null, 1]);
export const tensor3 = make([null, null, null]);
export const tensor4 = make([null, null, null, null]);
export const fscalar = fixed([], 'float32');
export const dscalar = fixed([], 'float64');
export const iscalar = fixed([], 'int32');
export const fvector = fixed([null], 'float32');
export const dvector = fixed([null], 'float64');
export const ivector = fixed([null], 'int32');
export const fmatrix = fixed([null, null], 'float32');
export const dmatrix = fixed([null, null], 'float64');
export const imatrix = fixed([null, null], 'int32');

/**
 * State that compiled functions read and update in place across calls.
 * The second argument is the options, or just the name as in Theano's `shared(value, 'W1')`.
 * @example const W = T.shared(rng.uniform(-1, 1, [2, 5]), { name: 'W1' });
 */
export function shared(value: unknown, nameOrOpts: SharedOptions | string = {}): SharedVariable {
  const opts = typeof nameOrOpts === 'string' ? { name: nameOrOpts } : nameOrOpts;
  if (opts === null || typeof opts !== 'object') throw new ArgumentError(`shared: options must be an object, got ${describe(opts)}`);
  prepareStorage();
  // an explicit dtype is an explicit conversion (float64 values into a float32 shared variable are fine)
  const explicit = opts.dtype !== undefined ? checkDType(opts.dtype, 'shared') : undefined;
  let arr: NDArray;
  if (explicit && value instanceof NDArray) arr = value.dtype === explicit ? value : value.astype(explicit);
  else arr = toValue(value, explicit ?? (value instanceof NDArray ? value.dtype : checkDType(undefined, 'shared')), 'shared');
  const sharesMemory = arr.data === (value instanceof NDArray ? value.data : value);
  return new SharedVariable(arr, opts.name, sharesMemory && opts.borrow === true);
}
