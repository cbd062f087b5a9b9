import type { TypedArray } from '../dtype';
import type { MemoryPlan } from '../compile/memory-plan';
import type { Program } from '../compile/program';
import type { SharedVariable } from '../graph/variable';
import { NDArray } from '../ndarray';

/**
 * How an update lands, the whole story in one place. Theano's rule: every update of a call reads the values from
 * before the call, and all of them land after the outputs are computed.
 *
 * 1. Compiling (compile/program.ts `linearize`): an output that is itself an updated shared variable, and an update
 *    whose value is a leaf (a shared variable, an input, a constant), is staged into a temp by a Copy step, so that
 *    no update can overwrite what another output or update still has to read.
 * 2. Planning (compile/memory-plan.ts, once per signature of shapes), each update gets exactly one landing:
 *    - aliased (`plan.sharedAlias`): the step producing the value writes it straight into the shared variable's
 *      buffer, because nothing reads the old value after that step (or that step reads it elementwise, at an input
 *      position the inplace phase offered). Nothing is left to do after the steps.
 *    - copied (`plan.copied`): same shape as the shared value now; the executor copies the temp into the shared
 *      buffer after all steps ran (the TypeScript backend in `JsExecutor.run`, the native one in C++ before the call
 *      returns), so a `getValue({ borrow: true })` view sees the new value.
 *    - resized (`plan.resized`): another shape; `landResized` below gives the shared variable new storage.
 * 3. Running (runtime/runner.ts): after the executor returns, `landResized`, then the outputs go to the caller.
 */
export function landResized(program: Program, plan: MemoryPlan, bufs: readonly TypedArray[], sharedVars: readonly SharedVariable[]): void {
  for (let r = 0; r < plan.resized.length; r++) {
    const u = program.updates[plan.resized[r]];
    const sv = sharedVars[u.shared];
    sv.setStorage(new NDArray(bufs[u.slot].slice() as TypedArray, plan.shapes[u.slot], sv.dtype));
  }
}
