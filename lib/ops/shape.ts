import { showValue } from '../ndarray';
import { ArgumentError } from '../errors';
import { asVariable, constant } from '../graph/as-variable';
import { registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { TensorType } from '../graph/type';
import { Apply, Variable } from '../graph/variable';

/** The run-time shape of x as an int32 vector (x's data is not read). */
export class ShapeOp extends Op {
  readonly name = 'shape';
  readonly kernel = 'Shape';
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType('int32', [x.ndim])]);
  }
  // an integer function of the shape only: no gradient reaches x
  override grad(): (Variable | null)[] {
    return [null];
  }
}

/** Dim `axis` of x's run-time shape as an int32 scalar (x's data is not read). */
export class ShapeIOp extends Op {
  readonly name = 'shapeI';
  readonly kernel = 'ShapeI';
  override readonly attrs: { axis: number };
  constructor(axis: number) {
    super();
    this.attrs = { axis };
  }
  makeNode(x: Variable): Apply {
    return new Apply(this, [x], [new TensorType('int32', [])]);
  }
  override grad(): (Variable | null)[] {
    return [null];
  }
  override format(inputs: readonly string[]): string {
    return `${inputs[0]}.shape[${this.attrs.axis}]`;
  }
}

registerKernel('Shape', {
  inferShape: ([x]) => [[x.length]],
  prepareJs: ({ inShapes: [x] }) => (_ins, outs) => outs[0].set(x),
});

registerKernel('ShapeI', {
  nativeAttrs: (a) => ({ ints: [a.axis as number] }),
  inferShape: () => [[]],
  prepareJs: ({ inShapes: [x], attrs }) => (_ins, outs) => {
    outs[0][0] = x[attrs.axis as number];
  },
});

const SHAPE = new ShapeOp();

/** The run-time shape of x as a symbolic int32 vector. @example T.shape(x) // int32[ndim] */
export function shape(x: unknown): Variable {
  return SHAPE.makeNode(asVariable(x, 'shape', 'x')).outputs[0];
}

/**
 * Dim i of x's run-time shape as a symbolic int32 scalar (Theano's shape_i); usable as a size in reshape, arange,
 * eye and split. @example x.reshape([T.shapeI(x, 0), -1])
 */
export function shapeI(x: unknown, i: number): Variable {
  const v = asVariable(x, 'shapeI', 'x');
  if (!Number.isInteger(i) || i < -v.ndim || i >= v.ndim) {
    throw new ArgumentError(`shapeI: i must be an integer in [${-v.ndim}, ${v.ndim}) for x of rank ${v.ndim}, got ${showValue(i)}`);
  }
  const axis = i < 0 ? i + v.ndim : i;
  // a static dim is known now: a constant lets sizes built from it stay static and folds arithmetic on it
  const d = v.type.shape[axis];
  if (d !== null) return constant(d, 'int32');
  return new ShapeIOp(axis).makeNode(v).outputs[0];
}

/** `x.shape`: T.shape(x) whose numeric properties are the dims, so `x.shape[0]` is T.shapeI(x, 0) (also `x.shape[-1]`). */
export type ShapeVariable = Variable & { readonly [i: number]: Variable };

const shapeCache = new WeakMap<Variable, ShapeVariable>();

/** T.shape(x) with index properties for its dims, as the `x.shape` accessor returns it. */
export function shapeOf(x: Variable): ShapeVariable {
  const hit = shapeCache.get(x);
  if (hit) return hit;
  const s = shape(x) as ShapeVariable;
  const dims: Variable[] = [];
  for (let i = 0; i < x.ndim; i++) {
    const get = () => (dims[i] ??= shapeI(x, i));
    Object.defineProperty(s, String(i), { get });
    Object.defineProperty(s, String(i - x.ndim), { get });
  }
  shapeCache.set(x, s);
  return s;
}
