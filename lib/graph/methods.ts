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
    sum(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    mean(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    transpose(axes?: number[]): Variable;
    cast(dtype: DType): Variable;
    /** The transpose (axes reversed). */
    readonly T: Variable;
  }
}

const binary = ['add', 'sub', 'mul', 'div', 'pow', 'dot'] as const;
const unary = ['neg', 'sqr', 'sqrt', 'exp', 'log', 'abs', 'tanh', 'sigmoid'] as const;
const proto = Variable.prototype as unknown as Record<string, unknown>;
for (const m of binary) proto[m] = function (this: Variable, other: unknown) {
  return ops[m](this, other);
};
for (const m of unary) proto[m] = function (this: Variable) {
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
