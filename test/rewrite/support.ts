import * as T from '../../lib';
import { backends } from '../helpers';

export const kernels = (f: T.CompiledFunction) => f.program.steps.map((s) => s.kernel);

/**
 * The expression compiled on every backend present with the given rewrites; a backend whose addon lacks a kernel of
 * the program is left out (it would run on the TypeScript kernels anyway).
 */
export function compileEach(inputs: T.Variable[], out: T.Variable | T.Variable[], rewrites: T.FunctionOptions['rewrites']): [string, T.CompiledFunction][] {
  return backends.flatMap((backend) => {
    const f = compileOn(backend, inputs, out, rewrites);
    return f ? [[backend, f] as [string, T.CompiledFunction]] : [];
  });
}

/** The expression compiled on one backend, or null when the addon lacks one of the program's kernels. */
export function compileOn(backend: 'js' | 'native', inputs: T.Variable[], out: T.Variable | T.Variable[], rewrites: T.FunctionOptions['rewrites']): T.CompiledFunction | null {
  try {
    return T.function(inputs, out, { backend, rewrites, onUnusedInput: 'ignore' });
  } catch (e) {
    if (backend === 'native' && e instanceof T.BackendError && /has no kernel/.test(e.message)) return null;
    throw e;
  }
}
