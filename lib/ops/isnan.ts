import { applyBoolUnary, defineBoolOp } from './compare';

// NaN is the only value unequal to itself; integer and bool inputs are never NaN or infinite
export const IsNanOp = defineBoolOp({ name: 'isnan', kernel: 'IsNan', arity: 1, common: false, js: '(a !== a ? 1 : 0)', cpp: '(a != a ? 1.0 : 0.0)' });
export const IsInfOp = defineBoolOp({ name: 'isinf', kernel: 'IsInf', arity: 1, common: false, js: '(a === Infinity || a === -Infinity ? 1 : 0)', cpp: '(std::isinf(a) ? 1.0 : 0.0)' });

/** Elementwise test for NaN, as a bool tensor. @example T.sum(T.isnan(x))   // how many NaNs, int32 */
export const isnan = (x: unknown) => applyBoolUnary(IsNanOp, x);
/** Elementwise test for +inf or -inf (not NaN), as a bool tensor. @example T.where(T.isinf(x), 0, x) */
export const isinf = (x: unknown) => applyBoolUnary(IsInfOp, x);
