import { ArgumentError } from './errors';

export type FloatX = 'float32' | 'float64';
export type BackendChoice = 'auto' | 'native' | 'js';

class Config {
  private _floatX: FloatX = 'float32';
  /** The dtype of float variables, constants and shared values when none is given. */
  get floatX(): FloatX {
    return this._floatX;
  }
  set floatX(v: FloatX) {
    if (v !== 'float32' && v !== 'float64') {
      throw new ArgumentError(`config: floatX must be "float32" or "float64", got ${JSON.stringify(v)}`);
    }
    this._floatX = v;
  }

  private _backend: BackendChoice = 'auto';
  /** Where compiled functions run: 'native' (an error if the addon is unavailable), 'js', or 'auto' (native if it loads). */
  get backend(): BackendChoice {
    return this._backend;
  }
  set backend(v: BackendChoice) {
    if (v !== 'auto' && v !== 'native' && v !== 'js') {
      throw new ArgumentError(`config: backend must be "auto", "native" or "js", got ${JSON.stringify(v)}`);
    }
    this._backend = v;
  }

  private _threads = 0;
  /** Threads for BLAS and large kernels (0: one per core). Applies to the native backend. */
  get threads(): number {
    return this._threads;
  }
  set threads(n: number) {
    if (!Number.isInteger(n) || n < 0 || n > 256) throw new ArgumentError(`config: threads must be an integer in [0, 256] (0: one per core), got ${JSON.stringify(n)}`);
    this._threads = n;
    for (const l of threadListeners) l(n);
  }
}

const threadListeners: ((n: number) => void)[] = [];
/** Lets the native backend follow T.config.threads without config importing it. */
export function onThreadsChange(l: (n: number) => void): void {
  threadListeners.push(l);
}

/** Global settings, Theano style: `T.config.floatX = "float64"`. */
export const config = new Config();
