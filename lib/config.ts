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

/** The public settings; anything else read or written on `T.config` is an ArgumentError (a typo such as
 * `T.config.floatx = ...` would otherwise silently do nothing). */
const SETTINGS: readonly string[] = ['floatX', 'backend', 'threads'];
/** Keys that inspection tools (console.log, test matchers, `await`) probe on any object; reading them gives undefined. */
const PROBES = new Set(['then', 'toJSON', 'asymmetricMatch', '$$typeof', 'nodeType', 'tagName', 'constructor', 'toString', 'valueOf', 'inspect']);

function unknownSetting(key: string): ArgumentError {
  const near = SETTINGS.find((k) => k.toLowerCase() === key.toLowerCase());
  return new ArgumentError(
    `config: setting must be one of ${SETTINGS.join(', ')}, got ${JSON.stringify(key)}${near ? ` (did you mean ${near}?)` : ''}`,
  );
}

/** Global settings, Theano style: `T.config.floatX = "float64"`. */
export const config: Config = new Proxy(new Config(), {
  get(target, key) {
    if (typeof key === 'string' && !(key in target) && !PROBES.has(key)) throw unknownSetting(key);
    return Reflect.get(target, key, target);
  },
  set(target, key, value) {
    if (typeof key !== 'string' || !SETTINGS.includes(key)) throw unknownSetting(String(key));
    return Reflect.set(target, key, value, target);
  },
  defineProperty(_target, key) {
    throw unknownSetting(String(key));
  },
  deleteProperty(_target, key) {
    throw new ArgumentError(`config: settings cannot be deleted, got delete of ${JSON.stringify(String(key))}`);
  },
});
