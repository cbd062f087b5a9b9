import { ArgumentError } from '../errors';
import { DType, upcast } from '../dtype';
import { asVariable, asVariablePair } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastShapes, broadcastStatic } from './broadcast';
import { cast } from './cast';
import { declareNativeElemwise, elemwiseKernel, elemwiseOpcode } from './elemwise';

/** What an elementwise op with a bool result declares: its 0/1 formula over `a` (and `b`) and how inputs are typed. */
export interface BoolOpSpec {
  name: string;
  kernel: string;
  arity: 1 | 2;
  /** A JS expression over `a` (and `b`), read in double precision, giving 1 or 0. */
  js: string;
  /** The same as a C++ expression in double giving 1.0 or 0.0 (the native generic path runs it; npm run gen). */
  cpp: string;
  /** Whether the inputs are cast to one common dtype first (comparisons); truth tests read any dtype as it is. */
  common: boolean;
  /** Infix operator for printing (`>`). */
  infix?: string;
}

/**
 * The dtype two operands are compared in: their own if they agree (bool == bool stays bool), else `upcast`'s.
 * Shared by the comparisons and `where`.
 */
export function commonDType(a: DType, b: DType): DType {
  return a === b ? a : upcast(a, b);
}

/** An elementwise op whose result is a bool tensor (0/1 in a Uint8Array), with NumPy broadcasting. */
export class BoolOp extends Op {
  readonly name: string;
  readonly kernel: string;
  readonly spec: BoolOpSpec;
  constructor(spec: BoolOpSpec) {
    super();
    this.spec = spec;
    this.name = spec.name;
    this.kernel = spec.kernel;
  }
  makeNode(...inputs: Variable[]): Apply {
    const { arity, name } = this.spec;
    if (inputs.length !== arity) throw new ArgumentError(`${name}: must have ${arity} input(s), got ${inputs.length}`);
    let ins = inputs;
    if (this.spec.common && arity === 2) {
      const dt = commonDType(inputs[0].dtype, inputs[1].dtype);
      ins = inputs.map((v) => (v.dtype === dt ? v : cast(v, dt)));
    }
    const names = arity === 1 ? ['x'] : ['a', 'b'];
    const shape = broadcastStatic(name, names, ins.map((v) => v.type.shape));
    return new Apply(this, ins, [new TensorType('bool', shape)]);
  }
  // a bool result is piecewise constant in the inputs and not differentiable: no gradient flows back through it
  override grad(inputs: readonly Variable[]): (Variable | null)[] {
    return inputs.map(() => null);
  }
  override format(inputs: readonly string[]): string {
    if (this.spec.infix && inputs.length === 2) return `(${inputs[0]} ${this.spec.infix} ${inputs[1]})`;
    return super.format(inputs);
  }
}

/** Defines a bool-valued elementwise op: registers its kernel and returns the op instance. */
export function defineBoolOp(spec: BoolOpSpec): BoolOp {
  declareNativeElemwise({ kernel: spec.kernel, arity: spec.arity, heavy: false, params: [], cpp: spec.cpp });
  const opcode = elemwiseOpcode(spec.kernel);
  registerKernel(spec.kernel, {
    inferShape: (shapes) => [broadcastShapes(spec.name, shapes)],
    prepareJs: (ctx) => elemwiseKernel(spec.js, ctx.inShapes, ctx.outShapes[0]),
    // ints [opcode] (checked by the native generic path)
    nativeAttrs: () => ({ ints: opcode === undefined ? [] : [opcode] }),
  });
  return new BoolOp(spec);
}

/** Applies a unary bool op to anything tensor-like. */
export function applyBoolUnary(op: BoolOp, x: unknown): Variable {
  return op.makeNode(asVariable(x, op.name, 'x')).outputs[0];
}

/** Applies a binary bool op; plain numbers take the dtype of the symbolic operand. */
export function applyBoolBinary(op: BoolOp, a: unknown, b: unknown): Variable {
  return op.makeNode(...asVariablePair(a, b, op.name)).outputs[0];
}

// IEEE comparisons: NaN is unequal to everything, itself included, so only neq is true where a NaN is involved
export const EqOp = defineBoolOp({ name: 'eq', kernel: 'Eq', arity: 2, common: true, infix: '==', js: '(a === b ? 1 : 0)', cpp: '(a == b ? 1.0 : 0.0)' });
export const NeqOp = defineBoolOp({ name: 'neq', kernel: 'Neq', arity: 2, common: true, infix: '!=', js: '(a !== b ? 1 : 0)', cpp: '(a != b ? 1.0 : 0.0)' });
export const LtOp = defineBoolOp({ name: 'lt', kernel: 'Lt', arity: 2, common: true, infix: '<', js: '(a < b ? 1 : 0)', cpp: '(a < b ? 1.0 : 0.0)' });
export const LeOp = defineBoolOp({ name: 'le', kernel: 'Le', arity: 2, common: true, infix: '<=', js: '(a <= b ? 1 : 0)', cpp: '(a <= b ? 1.0 : 0.0)' });
export const GtOp = defineBoolOp({ name: 'gt', kernel: 'Gt', arity: 2, common: true, infix: '>', js: '(a > b ? 1 : 0)', cpp: '(a > b ? 1.0 : 0.0)' });
export const GeOp = defineBoolOp({ name: 'ge', kernel: 'Ge', arity: 2, common: true, infix: '>=', js: '(a >= b ? 1 : 0)', cpp: '(a >= b ? 1.0 : 0.0)' });

/** Elementwise a == b as a bool tensor, with broadcasting (false wherever a NaN is involved). @example T.eq(labels, 3) */
export const eq = (a: unknown, b: unknown) => applyBoolBinary(EqOp, a, b);
/** Elementwise a != b as a bool tensor, with broadcasting (true wherever a NaN is involved). @example T.neq(x, 0) */
export const neq = (a: unknown, b: unknown) => applyBoolBinary(NeqOp, a, b);
/** Elementwise a < b as a bool tensor, with broadcasting (false with NaN). @example T.lt(x, 0) */
export const lt = (a: unknown, b: unknown) => applyBoolBinary(LtOp, a, b);
/** Elementwise a <= b as a bool tensor, with broadcasting (false with NaN). @example T.le(x, 1) */
export const le = (a: unknown, b: unknown) => applyBoolBinary(LeOp, a, b);
/** Elementwise a > b as a bool tensor, with broadcasting (false with NaN). @example T.where(T.gt(x, 0), x, 0) */
export const gt = (a: unknown, b: unknown) => applyBoolBinary(GtOp, a, b);
/** Elementwise a >= b as a bool tensor, with broadcasting (false with NaN). @example T.ge(x, y) */
export const ge = (a: unknown, b: unknown) => applyBoolBinary(GeOp, a, b);
