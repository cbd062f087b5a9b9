import type { DType, TypedArray } from '../dtype';
import type { Attrs } from './op';

/** A kernel prepared for fixed shapes: reads `ins`, writes `outs` (preallocated, never aliasing the inputs). */
export type JsKernel = (ins: readonly TypedArray[], outs: readonly TypedArray[]) => void;

export interface KernelSpec {
  /**
   * Run-time output shapes from input shapes; throws ShapeError (without node context) on a mismatch. `host` is given
   * to kernels with bodies; `inputLabel(k)` names input k as the user wrote it (`a`, `exp(b)`, `argument 1`) where the
   * caller knows it (the memory planner).
   */
  inferShape(inShapes: readonly (readonly number[])[], attrs: Attrs, host?: BodyHost, inputLabel?: (k: number) => string | null): number[][];
  /** The TypeScript reference kernel, specialized to the shapes and dtypes of one memory plan. */
  prepareJs(ctx: KernelContext): JsKernel;
  /**
   * Whether the kernel may write its output over input `input` (of the output's shape and dtype) on both backends:
   * every element read before it is written. The `inplace` rewrite phase offers only these positions to the memory
   * planner; omitted means never.
   */
  inPlace?: (input: number) => boolean;
  /** The attributes as the native kernel reads them (its comment in native/kernels/ gives the order); none if omitted. */
  nativeAttrs?(attrs: Attrs): NativeAttrs;
  /**
   * Kernels with nested programs (scan, ifelse): per body in the step's `bodies` order, its input shapes for these
   * step input shapes and the iteration count the native loop is planned for, or null for a body that cannot be
   * planned for them and runs only if taken (an ifelse branch: taking it fails then). The native executor plans each
   * body from this; `host` infers a body's shapes.
   */
  bodyShapes?(inShapes: readonly (readonly number[])[], attrs: Attrs, host: BodyHost): (BodyShapes | null)[];
  /** The user-facing name of the op, for kernels registered by T.defineOp / T.asOp (their messages name it). */
  customOp?: string;
}

export interface BodyShapes {
  inShapes: number[][];
  iterations: number;
}

export interface NativeAttrs {
  ints: readonly number[];
  floats?: readonly number[];
}

const DTYPE_CODES: Record<string, number> = { float32: 0, float64: 1, int32: 2, bool: 3 };
/** DType codes shared with native/kernels/kernel.h. */
export function dtypeCode(dtype: string): number {
  return DTYPE_CODES[dtype];
}

/**
 * What a kernel with nested programs (scan's loop body) gets from the layer running it: the bodies are programs of
 * their own (indexed by the step's `bodies` attribute), shape-inferred and run by the same backend as the step.
 */
export interface BodyHost {
  /** Output shapes of body `k` for these input shapes; throws the body's own shape error. */
  inferBody(k: number, inShapes: readonly (readonly number[])[]): number[][];
  /** Body `k` prepared for fixed input shapes (available to prepareJs only). */
  prepareBody?(k: number, inShapes: readonly (readonly number[])[]): BodyInstance;
}

/** A body program bound to one set of input shapes: `run` reads `ins` and writes every output into `outs[k]`. */
export interface BodyInstance {
  readonly outShapes: readonly (readonly number[])[];
  run(ins: readonly TypedArray[], outs: readonly TypedArray[]): void;
}

export interface KernelContext {
  attrs: Attrs;
  /** For kernels with nested programs only. */
  host?: BodyHost;
  inShapes: readonly (readonly number[])[];
  outShapes: readonly (readonly number[])[];
  inDtypes: readonly DType[];
  outDtypes: readonly DType[];
}

const kernels = new Map<string, KernelSpec>();

/** Registers the shape function and JS kernel of a kernel id; each op file calls this for its kernels. */
export function registerKernel(id: string, spec: KernelSpec): void {
  if (kernels.has(id)) throw new Error(`kernel ${id} registered twice`);
  kernels.set(id, spec);
}

export function getKernel(id: string): KernelSpec {
  const k = kernels.get(id);
  if (!k) throw new Error(`unknown kernel id ${JSON.stringify(id)}`);
  return k;
}

/** The kernel registered under `id`, or undefined: T.function checks every step with it before picking a backend. */
export function findKernel(id: string): KernelSpec | undefined {
  return kernels.get(id);
}

export function kernelIds(): string[] {
  return [...kernels.keys()].sort();
}
