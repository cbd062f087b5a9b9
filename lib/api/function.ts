import { NDArray } from '../ndarray';
import { withoutSiteCapture } from '../graph/trace';
import { debugprintVariables, labelOf } from '../graph/printing';
import type { Variable } from '../graph/variable';
import { compileGraph, FunctionOptions } from '../compile/compile';
import type { Program } from '../compile/program';
import type { RewriteLogEntry } from '../rewrite';
import { Runner } from '../runtime/runner';
import { hasDataDependentNodes, SegmentedRunner } from '../runtime/segments';
import { selectExecutor } from '../backend/select';

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
export function compileFunction(inputs: readonly Variable[], outputs?: Variable | readonly Variable[] | null, opts: FunctionOptions = {}): CompiledFunction {
  const g = compileGraph(inputs, outputs, opts);
  const { name, where, program, optimized, updated, log, single } = g;
  const outList = g.outputs;
  const makeExecutor = (p: Program) => selectExecutor(p, opts.backend, where);
  // an output shape that depends on values (booleanMask) splits the function into programs run one after another
  const runner = hasDataDependentNodes(optimized)
    ? withoutSiteCapture(() => new SegmentedRunner(name, optimized, outList.length, updated, makeExecutor, opts.allowInputDowncast === true))
    : new Runner(name, inputs, g.sharedVars, makeExecutor(program), opts.allowInputDowncast === true);
  const shape = (outs: NDArray[]) => (single ? outs[0] : g.returnsNothing ? undefined : outs);

  const call = function (...args: unknown[]): NDArray | NDArray[] | undefined {
    return shape(runner.runSync(args));
  } as CompiledFunction;
  call.async = (...args: unknown[]) => runner.runAsync(args).then(shape);
  call.dispose = () => runner.dispose();

  Object.defineProperties(call, {
    fnName: { value: name },
    program: { value: program },
    inputs: { value: inputs.slice() },
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

