import type { TypedArray } from '../dtype';
import type { MemoryPlan } from '../compile/memory-plan';
import type { Program } from '../compile/program';

/** A program bound to one memory plan on some backend. */
export interface Prepared {
  plan: MemoryPlan;
  /** A view of every slot's buffer after `run` (temps view the arena; inputs, shared values and direct outputs as bound). */
  bufs: TypedArray[];
  /** The buffer every temp of the plan views. */
  arena: ArrayBuffer;
}

/**
 * Runs one program. `run` executes every step and then copies the updates of `plan.copied` into the shared
 * variables' buffers; the runtime lands the resized ones (see updates.ts for the whole story).
 */
export interface Executor {
  readonly backend: 'js' | 'native';
  readonly program: Program;
  prepare(plan: MemoryPlan): Prepared;
  /** `outs`: one buffer per `plan.direct` slot (the arrays the caller gets), of its dtype and size. */
  run(p: Prepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): void;
  /**
   * The same as run, off the main thread where the backend can (the native one reads and writes every array in place
   * on a worker thread); updates land on the main thread.
   */
  runAsync(p: Prepared, inputs: readonly TypedArray[], shared: readonly TypedArray[], outs: readonly TypedArray[]): Promise<void>;
  /** Releases native memory now instead of at garbage collection. */
  dispose(p?: Prepared): void;
}
