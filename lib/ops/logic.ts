import { applyBoolBinary, applyBoolUnary, defineBoolOp } from './compare';

// truth tests read any dtype as it is: nonzero is true, NaN included (as NumPy's bool(nan)), so no cast is needed
export const AndOp = defineBoolOp({ name: 'logicalAnd', kernel: 'And', arity: 2, common: false, infix: '&', js: '(a !== 0 && b !== 0 ? 1 : 0)', cpp: '(a != 0 && b != 0 ? 1.0 : 0.0)' });
export const OrOp = defineBoolOp({ name: 'logicalOr', kernel: 'Or', arity: 2, common: false, infix: '|', js: '(a !== 0 || b !== 0 ? 1 : 0)', cpp: '(a != 0 || b != 0 ? 1.0 : 0.0)' });
export const XorOp = defineBoolOp({ name: 'logicalXor', kernel: 'Xor', arity: 2, common: false, infix: '^', js: '((a !== 0) !== (b !== 0) ? 1 : 0)', cpp: '((a != 0) != (b != 0) ? 1.0 : 0.0)' });
export const NotOp = defineBoolOp({ name: 'logicalNot', kernel: 'Not', arity: 1, common: false, js: '(a === 0 ? 1 : 0)', cpp: '(a == 0 ? 1.0 : 0.0)' });

/** Elementwise logical and with broadcasting; any dtype, nonzero is true; bool result. @example T.logicalAnd(x.gt(0), x.lt(1)) */
export const logicalAnd = (a: unknown, b: unknown) => applyBoolBinary(AndOp, a, b);
/** Elementwise logical or with broadcasting; any dtype, nonzero is true; bool result. @example T.logicalOr(T.isnan(x), T.isinf(x)) */
export const logicalOr = (a: unknown, b: unknown) => applyBoolBinary(OrOp, a, b);
/** Elementwise logical exclusive or with broadcasting; any dtype, nonzero is true; bool result. @example T.logicalXor(a, b) */
export const logicalXor = (a: unknown, b: unknown) => applyBoolBinary(XorOp, a, b);
/** Elementwise logical not; any dtype, zero becomes true and everything else (NaN too) false. @example T.logicalNot(mask) */
export const logicalNot = (x: unknown) => applyBoolUnary(NotOp, x);
