import { DType } from '../dtype';
import * as ops from '../ops';
import { ReduceOptions } from '../ops/reduce-op';
import { Variable } from './variable';

declare module './variable' {
  interface Variable {
    add(other: unknown): Variable;
    sub(other: unknown): Variable;
    mul(other: unknown): Variable;
    div(other: unknown): Variable;
    pow(other: unknown): Variable;
    dot(other: unknown): Variable;
    neg(): Variable;
    sqr(): Variable;
    sqrt(): Variable;
    exp(): Variable;
    log(): Variable;
    abs(): Variable;
    tanh(): Variable;
    sigmoid(): Variable;
    exp2(): Variable;
    expm1(): Variable;
    log2(): Variable;
    log10(): Variable;
    log1p(): Variable;
    sin(): Variable;
    cos(): Variable;
    tan(): Variable;
    arcsin(): Variable;
    arccos(): Variable;
    arctan(): Variable;
    sinh(): Variable;
    cosh(): Variable;
    erf(): Variable;
    softplus(): Variable;
    floor(): Variable;
    ceil(): Variable;
    round(): Variable;
    maximum(other: unknown): Variable;
    minimum(other: unknown): Variable;
    arctan2(other: unknown): Variable;
    sum(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    mean(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    transpose(axes?: number[]): Variable;
    cast(dtype: DType): Variable;
    /** The transpose (axes reversed). */
    readonly T: Variable;
  }
}

const binary = ['add', 'sub', 'mul', 'div', 'pow', 'dot'] as const;
const binaryMore = ['maximum', 'minimum', 'arctan2'] as const;
const unary = ['neg', 'sqr', 'sqrt', 'exp', 'log', 'abs', 'tanh', 'sigmoid'] as const;
const unaryMore = [
  'exp2', 'expm1', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'arcsin', 'arccos', 'arctan', 'sinh', 'cosh', 'erf', 'softplus', 'floor', 'ceil', 'round',
] as const;
const proto = Variable.prototype as unknown as Record<string, unknown>;
for (const m of binary) proto[m] = function (this: Variable, other: unknown) {
  return ops[m](this, other);
};
for (const m of unary) proto[m] = function (this: Variable) {
  return ops[m](this);
};
for (const m of binaryMore) proto[m] = function (this: Variable, other: unknown) {
  return ops[m](this, other);
};
for (const m of unaryMore) proto[m] = function (this: Variable) {
  return ops[m](this);
};
proto.sum = function (this: Variable, axis?: number | number[], opts?: ReduceOptions | boolean) {
  return ops.sum(this, axis, opts);
};
proto.mean = function (this: Variable, axis?: number | number[], opts?: ReduceOptions | boolean) {
  return ops.mean(this, axis, opts);
};
proto.transpose = function (this: Variable, axes?: number[]) {
  return ops.transpose(this, axes);
};
proto.cast = function (this: Variable, dtype: DType) {
  return ops.cast(this, dtype);
};
Object.defineProperty(Variable.prototype, 'T', {
  get(this: Variable) {
    return ops.transpose(this);
  },
});
