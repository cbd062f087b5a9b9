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

declare module './variable' {
  interface Variable {
    eq(other: unknown): Variable;
    neq(other: unknown): Variable;
    lt(other: unknown): Variable;
    le(other: unknown): Variable;
    gt(other: unknown): Variable;
    ge(other: unknown): Variable;
    and(other: unknown): Variable;
    or(other: unknown): Variable;
    xor(other: unknown): Variable;
    not(): Variable;
    isnan(): Variable;
    isinf(): Variable;
  }
}
const boolBinary = { eq: ops.eq, neq: ops.neq, lt: ops.lt, le: ops.le, gt: ops.gt, ge: ops.ge, and: ops.logicalAnd, or: ops.logicalOr, xor: ops.logicalXor };
const boolUnary = { not: ops.logicalNot, isnan: ops.isnan, isinf: ops.isinf };
for (const [m, f] of Object.entries(boolBinary)) proto[m] = function (this: Variable, other: unknown) {
  return f(this, other);
};
for (const [m, f] of Object.entries(boolUnary)) proto[m] = function (this: Variable) {
  return f(this);
};

declare module './variable' {
  interface Variable {
    max(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    min(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    prod(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    all(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    any(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    logsumexp(axis?: number | number[], opts?: ReduceOptions | boolean): Variable;
    var(axis?: number | number[], opts?: import('../ops/var').VarOptions | boolean): Variable;
    std(axis?: number | number[], opts?: import('../ops/var').VarOptions | boolean): Variable;
    argmax(axis?: number, opts?: ReduceOptions | boolean): Variable;
    argmin(axis?: number, opts?: ReduceOptions | boolean): Variable;
    cumsum(axis?: number): Variable;
    cumprod(axis?: number): Variable;
  }
}
const reductions = { max: ops.max, min: ops.min, prod: ops.prod, all: ops.all, any: ops.any, logsumexp: ops.logsumexp, var: ops.var, std: ops.std, argmax: ops.argmax, argmin: ops.argmin };
for (const [m, f] of Object.entries(reductions)) proto[m] = function (this: Variable, axis?: number | number[], opts?: ReduceOptions | boolean) {
  return (f as (x: unknown, axis?: number | number[], opts?: ReduceOptions | boolean) => Variable)(this, axis, opts);
};
const cumulative = { cumsum: ops.cumsum, cumprod: ops.cumprod };
for (const [m, f] of Object.entries(cumulative)) proto[m] = function (this: Variable, axis?: number) {
  return f(this, axis);
};
