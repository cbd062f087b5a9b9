import { ArgumentError } from '../errors';
import { Variable } from '../graph/variable';
import { debugprintVariables, pp } from '../graph/printing';

/**
 * A Theano-style tree of a variable's graph, or of a compiled function's graph after compilation.
 * @example console.log(T.debugprint(train))
 */
export function debugprint(x: Variable | readonly Variable[] | { debugprint(): string }): string {
  if (x instanceof Variable) return debugprintVariables([x]);
  if (Array.isArray(x) && x.every((v) => v instanceof Variable)) return debugprintVariables(x);
  if (typeof x === 'function' && typeof (x as { debugprint?: unknown }).debugprint === 'function') return (x as { debugprint(): string }).debugprint();
  throw new ArgumentError(`debugprint: x must be a Variable, a list of Variables or a compiled function, got ${typeof x}`);
}

export { pp };
