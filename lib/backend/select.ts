import { BackendError } from '../errors';
import { config } from '../config';
import { Program } from '../compile/program';
import { Executor } from '../runtime/executor';
import { JsExecutor } from './js';
import { missingKernels, NativeExecutor } from './native';
import { loadNative } from './native-loader';

let warned = false;
const warnedKernels = new Set<string>();

/** The executor for a program: the requested backend, or with 'auto' native when it loads and covers every kernel. */
export function selectExecutor(program: Program, requested: 'js' | 'native' | undefined, where: string): Executor {
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
    if (choice === 'native') throw new BackendError(`${where}: backend "native" has no kernel for ${missing.join(', ')}; use backend "js" for this function`);
    const key = missing.join(', ');
    if (!warnedKernels.has(key)) {
      warnedKernels.add(key);
      process.emitWarning(`nodeano: ${where} runs on the TypeScript backend because the native backend has no kernel for ${key}`);
    }
    return new JsExecutor(program);
  }
  return new NativeExecutor(program, addon);
}

/** Which backend compiled functions use by default, and why. @example console.log(T.backend().reason) */
export function backend(): { name: 'native' | 'js'; reason: string } {
  if (config.backend === 'js') return { name: 'js', reason: 'T.config.backend is "js"' };
  const { addon, reason } = loadNative();
  return { name: addon ? 'native' : 'js', reason };
}
