import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { TypedArray } from '../dtype';
import { config, onThreadsChange } from '../config';
import { setStorageAllocator, setStorageProvider } from '../graph/variable';

/** The N-API surface of native/addon.cc. */
export interface Addon {
  info(): { version: string; avx2: boolean; fma: boolean; threads: number; blas: string };
  kernels(names: readonly string[]): string[];
  createProgram(desc: object): object;
  createPlan(program: object, desc: object): { plan: object; arena: ArrayBuffer };
  run(plan: object, inputs: readonly TypedArray[], shared: readonly TypedArray[]): void;
  runAsync(plan: object, inputs: readonly TypedArray[], shared: readonly TypedArray[]): Promise<void>;
  alloc(bytes: number): ArrayBuffer;
  setThreads(n: number): void;
  getThreads(): number;
  dispose(handle: object): void;
  [name: string]: unknown;
}

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
    const addon = require(file) as Addon;
    const info = addon.info();
    const threads = (n: number) => addon.setThreads(n > 0 ? n : Math.max(1, os.availableParallelism?.() ?? os.cpus().length));
    threads(config.threads);
    onThreadsChange(threads);
    setStorageAllocator({
      alloc: (bytes) => addon.alloc(bytes),
      release: typeof addon.free === 'function' ? (buf) => (addon.free as (b: ArrayBuffer) => void)(buf) : undefined,
    });
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
