import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TypedArray } from '../dtype';
import { config, onThreadsChange } from '../config';
import { setStorageAllocator, setStorageProvider } from '../graph/variable';

/** An opaque program or plan handle of the addon. */
export type NativeHandle = object;

/** createProgram's descriptor (native/addon.cc documents the layout of each array). */
export interface ProgramDescriptor {
  slots: Int32Array;
  steps: Int32Array;
  floats: Float64Array;
  kernelNames: string[];
  constants: ArrayBufferView[];
  updates: Int32Array;
  nInputs: number;
  nShared: number;
  /** The program's output slots (a loop copies a body's outputs that are not computed in place). */
  outputs?: Int32Array;
  /** Nested programs (loop bodies), in the same format; they have no shared values and no updates. */
  subprograms?: ProgramDescriptor[];
  /** [step, subprogram] pairs: the bodies each step with bodies runs, in order (Scan one; IfElse then, else). */
  bodies?: Int32Array;
}

/** createPlan's descriptor: the memory plan's decisions (lib/compile/memory-plan.ts), which the addon only checks. */
export interface PlanDescriptor {
  shapes: Int32Array;
  offsets: Float64Array;
  arenaBytes: number;
  skip?: Uint8Array;
  inPlace?: Uint8Array;
  sharedAlias?: Int32Array;
  resized?: Int32Array;
  /** Direct outputs: temp slots (offset -1) that each call computes straight into the array the caller gets. */
  outputs?: Int32Array;
  /**
   * Per body of a step (`body`: which of the step's bodies, default 0): its plan for its input shapes and the
   * iteration count it is planned for. An IfElse branch that could not be planned for these shapes is left out.
   */
  bodies?: { step: number; body?: number; iterations: number; plan: PlanDescriptor }[];
}

/** The N-API surface of native/addon.cc: exactly its exports (ADDON_EXPORTS, checked by test/backend/addon-exports). */
export interface Addon {
  info(): { version: number; avx2: boolean; fma: boolean; threads: number; blas: string };
  /** The given names that have a native kernel, in order; without names, every registered kernel. */
  kernels(names?: readonly string[]): string[];
  createProgram(desc: ProgramDescriptor): NativeHandle;
  /** `run`: run(plan, ...) bound to this plan (no handle checked per call); absent in older builds. */
  createPlan(program: NativeHandle, desc: PlanDescriptor): { plan: NativeHandle; arena: ArrayBuffer; run?: (...arrays: (TypedArray | null)[]) => number | undefined };
  /**
   * Runs every step, then lands the updates not listed in resized: the program's inputs, then its shared values, then
   * one array per direct output, which its values are computed into. A shared value may be null for an alloc() array
   * the last run of the plan was given there (kept bound); returns the bit mask of shared values the next run may
   * pass as null, or undefined when all of them were null.
   */
  run(plan: NativeHandle, ...arrays: (TypedArray | null)[]): number | undefined;
  /**
   * The same off the main thread, reading and writing every array in place; the updates land when the promise
   * settles. Without the direct outputs it allocates them on the worker thread and resolves with them; with them it
   * resolves undefined. Never throws: errors reject.
   */
  runAsync(plan: NativeHandle, ...arrays: TypedArray[]): Promise<ArrayBuffer[] | undefined>;
  /** Zeroed, 64-byte aligned native memory. */
  alloc(bytes: number): ArrayBuffer;
  /** Detaches an alloc() buffer or a plan arena and releases its memory now (once no run in flight reads it). */
  free(buffer: ArrayBuffer): void;
  setThreads(n: number): void;
  getThreads(): number;
  dispose(handle: NativeHandle): void;
  /** Benchmarks only: c = op(a) op(b) by cblas_sgemm on the caller's buffers. */
  rawSgemm(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean): void;
}

/** The interface version info() reports (native/addon.cc kInterfaceVersion): a build of other sources is refused. */
export const ADDON_VERSION = 5;

/** The names of the addon's exports, at run time. */
export const ADDON_EXPORTS = [
  'info', 'kernels', 'createProgram', 'createPlan', 'run', 'runAsync', 'alloc', 'free', 'setThreads', 'getThreads', 'dispose', 'rawSgemm',
] as const satisfies readonly (keyof Addon)[];
// every member of Addon is listed (the `satisfies` above checks the other direction)
const allListed: Exclude<keyof Addon, (typeof ADDON_EXPORTS)[number]> extends never ? true : false = true;
void allListed;

export interface NativeStatus {
  addon: Addon | null;
  /** Why the addon is or is not in use, in one sentence. */
  reason: string;
  path: string | null;
}

let status: NativeStatus | undefined;

/** The package root: the folder holding nodeano's package.json, above lib/ or dist/cjs/. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try {
        if (JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'nodeano') return dir;
      } catch {
        // not ours; keep looking
      }
    }
    dir = path.dirname(dir);
  }
  return path.resolve(__dirname, '..', '..');
}

/** Loads the addon once: NODEANO_NATIVE_PATH, else build/Release/nodeano.node under the package root. */
export function loadNative(): NativeStatus {
  if (status) return status;
  if (process.env.NODEANO_DISABLE_NATIVE === '1') {
    return (status = { addon: null, reason: 'disabled by NODEANO_DISABLE_NATIVE=1', path: null });
  }
  const file = process.env.NODEANO_NATIVE_PATH || path.join(packageRoot(), 'build', 'Release', 'nodeano.node');
  if (!fs.existsSync(file)) {
    return (status = {
      addon: null,
      reason: `the native addon was not built (${file} is missing); install libopenblas-dev, cmake and g++, then run npm run build:native`,
      path: null,
    });
  }
  try {
    // OpenBLAS's idle threads spin for 2^28 cycles after every call before they sleep, taking the cores our own pool
    // needs for the im2col, pooling and elementwise work between gemms (a convnet step ran 25% slower); 2^4 lets them
    // sleep at once. Read by OpenBLAS when the addon loads it, so set before require; a value the user set is kept.
    process.env.OPENBLAS_THREAD_TIMEOUT ??= '4';
    const addon = require(file) as Addon;
    const info = addon.info();
    if (info.version !== ADDON_VERSION) {
      return (status = { addon: null, reason: `the native addon at ${file} is out of date (interface version ${info.version}, this library needs ${ADDON_VERSION}); run npm run build:native`, path: file });
    }
    const threads = (n: number) => addon.setThreads(n > 0 ? n : Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    threads(config.threads);
    onThreadsChange(threads);
    setStorageAllocator({ alloc: (bytes) => addon.alloc(bytes), release: (buf) => addon.free(buf) });
    return (status = { addon, reason: `native addon loaded from ${file} (BLAS: ${info.blas}; AVX2: ${info.avx2 ? 'yes' : 'no'})`, path: file });
  } catch (e) {
    return (status = { addon: null, reason: `the native addon failed to load: ${(e as Error).message.split('\n')[0]}`, path: file });
  }
}

/** Loads the addon (if the backend may be native) so shared values are allocated in its aligned memory. True once settled. */
export function useNativeStorage(): boolean {
  if (!status && config.backend !== 'js') loadNative();
  return status !== undefined;
}

// shared values made while this module is loaded go to the addon's aligned memory (loaded on the first one)
setStorageProvider(useNativeStorage);
