import { ArgumentError, listProblems } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';
import { broadcastShapes, broadcastStatic } from './broadcast';
import { zerosLike } from './broadcast-to';
import { cast } from './cast';
import { commonDType } from './compare';
import { declareNativeElemwise, elemwiseKernel, elemwiseOpcode } from './elemwise';
import { reduceTo } from './sum-to';

/** Elementwise selection: a where cond is nonzero, else b; cond, a and b broadcast together. */
export class WhereOp extends Op {
  readonly name = 'where';
  readonly kernel = 'Where';
  makeNode(cond: Variable, a: Variable, b: Variable): Apply {
    const dt = commonDType(a.dtype, b.dtype);
    const [ca, cb] = [a, b].map((v) => (v.dtype === dt ? v : cast(v, dt)));
    const shape = broadcastStatic('where', ['cond', 'a', 'b'], [cond, ca, cb].map((v) => v.type.shape));
    return new Apply(this, [cond, ca, cb], [new TensorType(dt, shape)]);
  }
  // d where(c, a, b) = where(c, g, 0) da + where(c, 0, g) db, each summed back to its input's shape. A selection, not
  // a product with a 0/1 mask, so an inf or NaN in g at the other branch's positions never leaks (0 * inf is NaN).
  // cond is piecewise constant: zero gradient when it is float (connected, as sign), none when it is bool or int.
  override grad([c, a, b]: readonly Variable[], _o: readonly Variable[], [g]: readonly (Variable | null)[]): (Variable | null)[] {
    if (!g) return [null, null, null];
    return [
      isFloat(c.dtype) ? zerosLike(c) : null,
      isFloat(a.dtype) ? reduceTo(where(c, g, 0), a) : null,
      isFloat(b.dtype) ? reduceTo(where(c, 0, g), b) : null,
    ];
  }
}

const WHERE = new WhereOp();

// inputs are read as cond, a, b; NaN is nonzero, so a NaN cond takes a (as NumPy)
declareNativeElemwise({ kernel: 'Where', arity: 3, heavy: false, params: [], cpp: '(a != 0 ? b : c)' });
const WHERE_OPCODE = elemwiseOpcode('Where');
registerKernel('Where', {
  inferShape: (shapes) => [broadcastShapes('where', shapes)],
  prepareJs: (ctx) => elemwiseKernel('(a !== 0 ? b : c)', ctx.inShapes, ctx.outShapes[0]),
  // ints [opcode] (checked by the native generic path)
  nativeAttrs: () => ({ ints: WHERE_OPCODE === undefined ? [] : [WHERE_OPCODE] }),
});

/**
 * Elementwise `cond ? a : b` with NumPy broadcasting of all three (Theano's `switch`, NumPy's `where`). cond may have
 * any dtype (nonzero is true); a and b are cast to a common dtype, a plain JS number taking the other's dtype.
 *
 * The gradient reaches only the branch taken, without NaN from the other: `T.where(x.gt(0), T.sqrt(x), 0)` has
 * gradient 0 at x < 0, although sqrt's own rule there is 0 / NaN (T.grad keeps the selection through the elementwise
 * rules of each branch). A branch that is not elementwise all the way down (a dot, a reduction) can still make a
 * NaN from the zeros; a second where on its input keeps it finite: `T.where(c, f(T.where(c, x, 1)), 0)`.
 * @example T.where(x.gt(0), x, x.mul(0.01))   // leaky relu
 */
export function where(cond: unknown, a: unknown, b: unknown): Variable {
  const problems: string[] = [];
  const convert = (x: unknown, arg: string, other: unknown): Variable | null => {
    try {
      return asVariable(x, 'where', arg, other instanceof Variable ? other.dtype : undefined);
    } catch (e) {
      if (!(e instanceof ArgumentError)) throw e;
      problems.push(e.message.replace(/^where: /, ''));
      return null;
    }
  };
  const vc = convert(cond, 'cond', undefined);
  const va = convert(a, 'a', b);
  const vb = convert(b, 'b', a);
  if (!vc || !va || !vb) throw new ArgumentError(listProblems('where', problems));
  return WHERE.makeNode(vc, va, vb).outputs[0];
}
