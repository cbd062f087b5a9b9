import { expect } from 'vitest';
import * as T from '../lib';
import { loadNative } from '../lib/backend/native-loader';

/** Whether the native addon loaded; native tests skip cleanly without it. */
export const nativeAvailable = T.backend().name === 'native';

/** Whether the native addon is loaded and implements every one of these kernels. */
export function nativeHas(...kernels: string[]): boolean {
  return nativeAvailable && loadNative().addon!.kernels(kernels).length === kernels.length;
}

/** Backends every op test runs on: the TypeScript reference always, native where the addon loads. */
export const backends: ('js' | 'native')[] = nativeAvailable ? ['js', 'native'] : ['js'];

export function close(actual: T.NDArray | number, expected: T.NestedArray, tol = 1e-5): void {
  const a = actual instanceof T.NDArray ? actual : T.array(actual, { dtype: 'float64' });
  const e = T.array(expected, { dtype: 'float64' });
  expect(a.shape).toEqual(e.shape);
  for (let i = 0; i < e.size; i++) {
    const x = a.data[i];
    const y = e.data[i];
    if (Number.isNaN(y)) expect(x, `element ${i}`).toBeNaN();
    else if (!Number.isFinite(y)) expect(x, `element ${i}`).toBe(y);
    else expect(Math.abs(x - y), `element ${i}: ${x} vs ${y}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(y)));
  }
}

export interface CheckOpCase {
  /** Builds the expression from symbolic inputs. */
  fn: (...xs: T.Variable[]) => T.Variable;
  /** Input values (nested arrays are float64 unless `dtype` says otherwise). */
  inputs: unknown[];
  /** Hand-checked expected output. */
  expected: T.NestedArray;
  dtype?: T.DType;
  tol?: number;
  /** Skip the finite-difference check (non-differentiable points, integer ops). */
  noGrad?: boolean;
}

/**
 * The expression compiled on every backend present that has all its kernels (a program that needs a kernel the
 * addon lacks runs on the TypeScript backend under "auto", so native has nothing to check there).
 */
export function compileOnBackends(inputs: T.Variable[], out: T.Variable): [string, T.CompiledFunction][] {
  const fns: [string, T.CompiledFunction][] = [];
  for (const backend of backends) {
    try {
      fns.push([backend, T.function(inputs, out, { backend, onUnusedInput: 'ignore' })]);
    } catch (e) {
      if (!(backend === 'native' && e instanceof T.BackendError && /has no kernel/.test(e.message))) throw e;
    }
  }
  return fns;
}

/**
 * One-line op test: forward against expected values on every backend, then the symbolic gradient against finite
 * differences.
 */
export function checkOp(c: CheckOpCase): void {
  const values = c.inputs.map((v) => (v instanceof T.NDArray ? v : T.array(v, { dtype: c.dtype ?? 'float64' })));
  const vars = values.map((v, i) => T.tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = c.fn(...vars);
  for (const [, f] of compileOnBackends(vars, out)) close(f(...values) as T.NDArray, c.expected, c.tol ?? 1e-6);
  if (!c.noGrad) T.verifyGrad(c.fn, values);
}

/** Expects `fn` to throw an error of class `cls` whose message contains every fragment. */
export function expectError(fn: () => unknown, cls: new (...a: never[]) => Error, ...fragments: string[]): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').toBeInstanceOf(cls);
  for (const f of fragments) expect((err as Error).message).toContain(f);
}
