import { ArgumentError, NodeanoError } from '../errors';
import { DType, dtypeOfTypedArray, isFloat } from '../dtype';
import { array, checkReadable, describe, isUnreadable, NDArray } from '../ndarray';
import { config } from '../config';
import { Constant, Variable } from './variable';

/** What ops accept wherever a Variable is expected. */
export type TensorLike = Variable | NDArray | number | boolean | readonly unknown[] | ArrayLike<number>;

/** A constant from a user value; plain numbers are int32 when integral, else floatX. */
export function constant(value: unknown, dtype?: DType, name?: string): Constant {
  checkReadable(value, 'constant', 'value');
  if (value instanceof Variable) throw new ArgumentError(`constant: value must be a number, array or NDArray, got a Variable (${value})`);
  if (dtype === undefined && typeof value === 'number') dtype = allIntegral(value) ? 'int32' : config.floatX;
  if (dtype === undefined && Array.isArray(value) && allIntegral(value)) dtype = 'int32';
  return new Constant(array(value, dtype === undefined ? {} : { dtype }), name);
}

/** Whether every leaf is an integer in the int32 range (iterative: deep nesting must reach array()'s own check). */
function allIntegral(v: unknown): boolean {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (isUnreadable(x)) return false;
    if (Array.isArray(x)) {
      for (const e of x) stack.push(e);
      continue;
    }
    // integers beyond int32 are not inferred as int32 (they would not fit): they take floatX like fractions
    if (!(typeof x === 'number' && Number.isInteger(x) && x >= -2147483648 && x <= 2147483647)) return false;
  }
  return true;
}

/**
 * Converts an op argument to a Variable. `like` is the dtype of the other operand: plain JS numbers are weakly typed
 * and take it (2 * float32 stays float32; 0.5 * int32 becomes floatX), as Theano does with Python scalars.
 */
export function asVariable(x: unknown, op: string, arg: string, like?: DType): Variable {
  checkReadable(x, op, arg);
  if (x instanceof Variable) return x;
  try {
    return convert(x, op, arg, like);
  } catch (e) {
    // name the op and argument rather than the internal array() call
    if (e instanceof NodeanoError && e.message.startsWith('array: ')) {
      const Cls = e.constructor as new (m: string) => NodeanoError;
      throw new Cls(`${op}: ${arg}: ${e.message.slice('array: '.length)}`);
    }
    throw e;
  }
}

function convert(x: unknown, op: string, arg: string, like?: DType): Variable {
  if (typeof x === 'number' || typeof x === 'boolean' || (Array.isArray(x) && !(x[0] instanceof Variable))) {
    if (like === undefined) return constant(x);
    // with a float partner the number takes its dtype; with an integer partner integral numbers stay integers
    // (bool only for booleans: 2 + a bool tensor is int32) and fractional ones become floatX
    const integral = allIntegral(typeof x === 'boolean' ? Number(x) : x);
    let dt: DType;
    if (isFloat(like)) dt = like;
    else if (!integral) dt = config.floatX;
    else dt = like === 'bool' && typeof x !== 'boolean' ? 'int32' : like;
    return new Constant(array(x, { dtype: dt }));
  }
  if (x instanceof NDArray) return new Constant(x.copy());
  if (dtypeOfTypedArray(x)) return new Constant(array(x));
  throw new ArgumentError(`${op}: ${arg} must be a Variable, number, nested array or NDArray, got ${describe(x)}`);
}

/** Converts the operands of a binary op, letting plain numbers take the dtype of the symbolic side. */
export function asVariablePair(a: unknown, b: unknown, op: string): [Variable, Variable] {
  if (a instanceof Variable && !(b instanceof Variable)) return [a, asVariable(b, op, 'b', a.dtype)];
  if (b instanceof Variable && !(a instanceof Variable)) return [asVariable(a, op, 'a', b.dtype), b];
  return [asVariable(a, op, 'a'), asVariable(b, op, 'b')];
}
