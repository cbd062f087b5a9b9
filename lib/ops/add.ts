import { applyBinary, defineElemwise } from './elemwise';
import { reduceTo } from './sum-to';

export const AddOp = defineElemwise({
  name: 'add',
  kernel: 'Add',
  arity: 2,
  js: () => 'a + b',
  cpp: 'a + b',
  infix: ['+', 1],
  // d(a+b) = da + db, each summed back over the dims it was broadcast along
  grad: ([a, b], _out, g) => [reduceTo(g, a), reduceTo(g, b)],
});

/** Elementwise a + b with broadcasting. @example T.add(x, 1) */
export const add = (a: unknown, b: unknown) => applyBinary(AddOp, a, b);
