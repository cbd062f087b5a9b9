import { BackendError, CompileError } from '../errors';
import { config } from '../config';
import { findKernel } from '../graph/kernel-registry';
import { Program } from '../compile/program';
import { Executor } from '../runtime/executor';
import { JsExecutor } from './js';
import { missingKernels, NativeExecutor } from './native';
import { loadNative } from './native-loader';

let warned = false;
const warnedKernels = new Set<string>();

/** The executor for a program: the requested backend, or with 'auto' native when it loads and covers every kernel. */
export function selectExecutor(program: Program, requested: 'js' | 'native' | undefined, where: string): Executor {
  checkKernels(program, where);
  const choice = requested ?? config.backend;
  if (choice === 'js') return new JsExecutor(program);
  const { addon, reason } = loadNative();
  if (!addon) {
    if (choice === 'native') throw new BackendError(`${where}: backend "native" is not available: ${reason}`);
    if (!warned) {
      warned = true;
      process.emitWarning(`nodeano: using the TypeScript backend because ${reason}`);
    }
    return new JsExecutor(program);
  }
  const missing = missingKernels(program, addon);
  if (missing.length) {
    if (choice === 'native') {
      // an op the user defined with only a JS kernel cannot run here by construction: a compile error, not a backend one
      const custom = stepsOf(program, missing).filter((step) => findKernel(step.kernel)?.customOp !== undefined);
      if (custom.length) {
        const info = program.nodes[custom[0].node];
        const at = (step: Program['steps'][number]) => (custom.length > 1 ? ` (created at ${program.nodes[step.node].createdAt})` : '');
        const ops = custom.map((step) => `kernel "${step.kernel}" for op ${program.nodes[step.node].opName}${at(step)}`);
        throw new CompileError(
          `${where}: backend "native" has no ${ops.join(', ')}: an op from T.defineOp or T.asOp without a nativeKernel runs on the js backend only; use backend "js" (or "auto") for this function`,
          { node: info.label, createdAt: info.createdAt },
        );
      }
      throw new BackendError(`${where}: backend "native" has no kernel for ${missing.join(', ')}; use backend "js" for this function`);
    }
    const key = missing.join(', ');
    if (!warnedKernels.has(key)) {
      warnedKernels.add(key);
      process.emitWarning(`nodeano: ${where} runs on the TypeScript backend because the native backend has no kernel for ${key}`);
    }
    return new JsExecutor(program);
  }
  return new NativeExecutor(program, addon);
}

/** The first step of each of these kernels, in program order. */
function stepsOf(program: Program, kernels: readonly string[]): Program['steps'] {
  return kernels.map((k) => program.steps.find((step) => step.kernel === k)!);
}

/**
 * Every step's kernel is registered (its shape rule and JS reference kernel; the native backend needs the shape rule
 * too): an op whose kernel no backend has is a CompileError at T.function, naming the op, its creation site and the
 * kernel, instead of an error at the first call.
 */
function checkKernels(program: Program, where: string): void {
  program.subprograms.forEach((body) => checkKernels(body, where));
  const unknown = [...new Set(program.steps.map((step) => step.kernel))].filter((k) => findKernel(k) === undefined);
  if (!unknown.length) return;
  const steps = stepsOf(program, unknown);
  const ops = steps.map((step) => {
    const info = program.nodes[step.node];
    const at = steps.length > 1 ? ` (created at ${info.createdAt})` : '';
    return `op ${info.opName}${at} must have a kernel that some backend has, got kernel "${step.kernel}", which none has`;
  });
  const info = program.nodes[steps[0].node];
  throw new CompileError(`${where}: ${ops.join('; ')} (define the op with T.defineOp or T.asOp, which register its kernel)`, { node: info.label, createdAt: info.createdAt });
}

/** Which backend compiled functions use by default, and why. @example console.log(T.backend().reason) */
export function backend(): { name: 'native' | 'js'; reason: string } {
  if (config.backend === 'js') return { name: 'js', reason: 'T.config.backend is "js"' };
  const { addon, reason } = loadNative();
  return { name: addon ? 'native' : 'js', reason };
}
