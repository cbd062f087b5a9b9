import { describe, NDArray } from '../ndarray';
import { withoutSiteCapture } from '../graph/trace';
import { debugprintVariables, labelOf } from '../graph/printing';
import type { Variable } from '../graph/variable';
import { compileGraph, FunctionOptions } from '../compile/compile';
import type { Program } from '../compile/program';
import type { RewriteLogEntry } from '../rewrite';
import { Runner } from '../runtime/runner';
import { hasDataDependentNodes, SegmentedRunner } from '../runtime/segments';
import { selectExecutor } from '../backend/select';
import { In, Out, Signature } from './in-out';
import { InputError } from '../errors';

export type { FunctionOptions, UpdatesLike, GivensLike } from '../compile/compile';

export interface FunctionInfo {
  /** The backend the function runs on. */
  backend: 'js' | 'native';
  /** How many memory plans have been made (one per distinct signature of input and shared shapes). */
  plans: number;
  /** Bytes of the arena of the most recent plan, and what the temps would take without reuse. */
  arenaBytes: number;
  unsharedBytes: number;
  steps: number;
  calls: number;
}

/** A compiled function: call it with values for its inputs. */
export interface CompiledFunction {
  (...args: unknown[]): NDArray | NDArray[] | undefined;
  readonly fnName: string;
  readonly program: Program;
  readonly inputs: readonly Variable[];
  /** The graph after compilation, as a Theano-style tree. */
  debugprint(): string;
  /** Runs the call off the main thread (native backend); calls are queued, never interleaved. */
  async(...args: unknown[]): Promise<NDArray | NDArray[] | undefined>;
  /**
   * Writes the outputs into arrays the caller owns (`out`: one NDArray for a single output, else one NDArray or
   * null per output) and returns them. Every `out` is checked before anything runs.
   */
  into(out: NDArray | readonly (NDArray | null)[], ...args: unknown[]): NDArray | NDArray[] | undefined;
  /** `into` off the main thread. */
  asyncInto(out: NDArray | readonly (NDArray | null)[], ...args: unknown[]): Promise<NDArray | NDArray[] | undefined>;
  /** Releases the function's native memory now; later calls throw. */
  dispose(): void;
  /** Which rewrites fired during compilation, how often, and how long each took. */
  rewriteLog(): RewriteLogEntry[];
  info(): FunctionInfo;
}

/**
 * Compiles a function from inputs to outputs, with shared-variable updates applied after every call.
 * @example const train = T.function([], cost, { updates: [[W, W.sub(T.grad(cost, W).mul(0.1))]] });
 */
export function compileFunction(
  inputList: readonly (Variable | In)[],
  outputs?: Variable | Out | readonly (Variable | Out)[] | null,
  opts: FunctionOptions = {},
): CompiledFunction {
  const sig = new Signature(`function${opts && typeof opts.name === 'string' ? ` ${opts.name}` : ''}`, inputList);
  const inputs = Array.isArray(inputList) ? sig.variables : (inputList as unknown as Variable[]);
  const outArr = Array.isArray(outputs) ? outputs : null;
  const borrow = outArr ? outArr.map((o) => o instanceof Out && o.borrow) : [outputs instanceof Out && outputs.borrow];
  const unwrap = (o: unknown) => (o instanceof Out ? o.variable : o);
  const outVars = (outArr ? outArr.map(unwrap) : unwrap(outputs)) as Variable | Variable[] | null | undefined;
  const g = compileGraph(inputs, outVars, opts);
  const { name, where, program, optimized, updated, log, single } = g;
  const outList = g.outputs;
  const makeExecutor = (p: Program) => selectExecutor(p, opts.backend, where);
  // an output shape that depends on values (booleanMask) splits the function into programs run one after another
  const runner = hasDataDependentNodes(optimized)
    ? withoutSiteCapture(() => new SegmentedRunner(name, optimized, outList.length, updated, makeExecutor, opts.allowInputDowncast === true))
    : new Runner(name, inputs, g.sharedVars, makeExecutor(program), opts.allowInputDowncast === true, borrow);
  const shape = (outs: NDArray[]) => (single ? outs[0] : g.returnsNothing ? undefined : outs);
  // `out` as one entry per output (a single-output function may take the array alone)
  const outEntries = (out: unknown): unknown[] => {
    if (Array.isArray(out)) return out;
    if (single) return [out];
    throw new InputError(`${name}: out must be an array of ${outList.length} NDArray or null entries (one per output), got ${describe(out)}`);
  };
  // argument errors of an async call reject its promise instead of throwing
  const settle = (f: () => Promise<NDArray[]>) => {
    try {
      return f().then(shape);
    } catch (e) {
      return Promise.reject(e);
    }
  };

  const call = function (...args: unknown[]): NDArray | NDArray[] | undefined {
    return shape(runner.runSync(sig.resolve(name, args)));
  } as CompiledFunction;
  call.async = (...args: unknown[]) => settle(() => runner.runAsync(sig.resolve(name, args)));
  call.into = (out, ...args) => shape(runner.runSync(sig.resolve(name, args), outEntries(out)));
  call.asyncInto = (out, ...args) => settle(() => runner.runAsync(sig.resolve(name, args), outEntries(out)));
  call.dispose = () => runner.dispose();

  Object.defineProperties(call, {
    fnName: { value: name },
    program: { value: program },
    inputs: { value: Array.isArray(inputs) ? inputs.slice() : inputs },
  });
  call.debugprint = () => {
    const labels = [...outList.map((_, i) => `output ${i}:`), ...updated.map((s) => `update of ${labelOf(s)}:`)];
    return debugprintVariables(optimized.outputs, labels);
  };
  call.rewriteLog = () => log.map((e) => ({ ...e }));
  call.info = () => ({
    backend: runner.backend,
    plans: runner.planCount,
    arenaBytes: runner.lastPlan?.arenaBytes ?? 0,
    unsharedBytes: runner.lastPlan?.unsharedBytes ?? 0,
    steps: program.steps.length,
    calls: runner.calls,
  });
  return call;
}

