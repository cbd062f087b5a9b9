import { DType } from '../dtype';
import * as ops from '../ops';
import { ReduceOptions } from '../ops/reduce-op';
import { shapeOf } from '../ops/shape';
import { Variable } from '../graph/variable';

declare module '../graph/variable' {
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

declare module '../graph/variable' {
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

declare module '../graph/variable' {
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

declare module '../graph/variable' {
  interface Variable {
    /** Basic indexing, `x[0:5, :, -1]` as `x.slice([0, 5], null, -1)`. */
    slice(...specs: import('../ops/subtensor').SliceSpec[]): Variable;
    /** Integer-array indexing along one axis. */
    take(indices: unknown, axis?: number): Variable;
    /** Rows at integer indices: `W.get(ids)` is `W.take(ids, 0)` (an embedding lookup). */
    get(indices: unknown): Variable;
  }
}
proto.slice = function (this: Variable, ...specs: import('../ops/subtensor').SliceSpec[]) {
  return ops.slice(this, ...specs);
};
proto.take = function (this: Variable, indices: unknown, axis?: number) {
  return ops.take(this, indices, axis);
};
proto.get = function (this: Variable, indices: unknown) {
  return ops.take(this, indices, 0);
};

declare module '../graph/variable' {
  interface Variable {
    /** The run-time shape as a symbolic int32 vector; `x.shape[i]` is T.shapeI(x, i). The static shape is `staticShape`. */
    readonly shape: import('../ops/shape').ShapeVariable;
    reshape(shape: unknown): Variable;
    flatten(ndim?: number): Variable;
    squeeze(axes?: number | number[]): Variable;
    dimshuffle(...pattern: (number | 'x')[] | [(number | 'x')[]]): Variable;
    repeat(repeats: number | Variable | number[], axis?: number): Variable;
    tile(reps: number | Variable | (number | Variable)[]): Variable;
  }
}
Object.defineProperty(Variable.prototype, 'shape', {
  get(this: Variable) {
    return shapeOf(this);
  },
});
proto.reshape = function (this: Variable, shape: unknown) {
  return ops.reshape(this, shape);
};
proto.flatten = function (this: Variable, ndim?: number) {
  return ops.flatten(this, ndim);
};
proto.squeeze = function (this: Variable, axes?: number | number[]) {
  return ops.squeeze(this, axes);
};
proto.dimshuffle = function (this: Variable, ...pattern: unknown[]) {
  return ops.dimshuffle(this, ...pattern);
};
proto.repeat = function (this: Variable, repeats: unknown, axis?: number) {
  return ops.repeat(this, repeats, axis);
};
proto.tile = function (this: Variable, reps: unknown) {
  return ops.tile(this, reps);
};

declare module '../graph/variable' {
  interface Variable {
    /** Sum of the k-th diagonal of a matrix. */
    trace(k?: number): Variable;
    /** The k-th diagonal of a matrix (a vector gives the matrix with it on that diagonal, as T.diag). */
    diagonal(k?: number): Variable;
  }
}
proto.trace = function (this: Variable, k?: number) {
  return ops.trace(this, k);
};
proto.diagonal = function (this: Variable, k?: number) {
  return ops.diag(this, k);
};

declare module '../graph/variable' {
  interface Variable {
    /** NumPy `x[m]` for a bool mask m of x's shape or its leading dims (the length depends on m's values). */
    mask(m: unknown): Variable;
  }
}
proto.mask = function (this: Variable, m: unknown) {
  return ops.booleanMask(this, m);
};

declare module '../graph/variable' {
  interface Variable {
    /** Floor division, NumPy's `//`. */
    intDiv(other: unknown): Variable;
    /** Remainder with the divisor's sign, NumPy's `%`. */
    mod(other: unknown): Variable;
    /** x limited to [lo, hi]. */
    clip(lo: unknown, hi: unknown): Variable;
    /** max(x, 0), leaky with alpha. */
    relu(alpha?: number): Variable;
  }
}
proto.intDiv = function (this: Variable, other: unknown) {
  return ops.intDiv(this, other);
};
proto.mod = function (this: Variable, other: unknown) {
  return ops.mod(this, other);
};
proto.clip = function (this: Variable, lo: unknown, hi: unknown) {
  return ops.clip(this, lo, hi);
};
proto.relu = function (this: Variable, alpha?: number) {
  return ops.relu(this, alpha);
};
