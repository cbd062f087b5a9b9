import { describe, expect, it } from 'vitest';
import * as T from '../lib';
import { expectError, nativeAvailable } from './helpers';

describe('config: bad input', () => {
  it('rejects unknown floatX, backend and thread counts with the accepted values', () => {
    expectError(() => (T.config.floatX = 'float16' as T.FloatX), T.ArgumentError, 'config: floatX must be "float32" or "float64", got "float16"');
    expectError(() => (T.config.backend = 'gpu' as 'js'), T.ArgumentError, 'config: backend must be "auto", "native" or "js", got "gpu"');
    expectError(() => (T.config.threads = -1), T.ArgumentError, 'config: threads must be an integer in [0, 256]');
    expectError(() => (T.config.threads = 1.5), T.ArgumentError, 'got 1.5');
  });
});

describe('config', () => {
  it('backend "js" makes compiled functions run on the TypeScript backend and T.backend() says why', () => {
    const old = T.config.backend;
    try {
      T.config.backend = 'js';
      const x = T.vector('x');
      expect(T.function([x], x.mul(2)).info().backend).toBe('js');
      expect(T.backend()).toEqual({ name: 'js', reason: 'T.config.backend is "js"' });
    } finally {
      T.config.backend = old;
    }
    expect(T.backend().name).toBe(nativeAvailable ? 'native' : 'js');
  });
  it('threads changes how many threads native kernels use, and results do not depend on it', () => {
    const old = T.config.threads;
    const x = T.fvector('x');
    const f = T.function([x], T.sum(T.sigmoid(x)));
    const xs = new T.RandomState(5).uniform(-4, 4, [300000], 'float32');
    try {
      T.config.threads = 1;
      const one = (f(xs) as T.NDArray).data[0];
      T.config.threads = 2;
      const two = (f(xs) as T.NDArray).data[0];
      expect(two).toBe(one);
    } finally {
      T.config.threads = old;
    }
  });
});

describe('config: unknown settings', () => {
  it('setting or reading a misspelt or unknown key is an ArgumentError naming the settings', () => {
    const cfg = T.config as unknown as Record<string, unknown>;
    const old = T.config.floatX;
    expectError(() => (cfg.floatx = 'float64'), T.ArgumentError, 'config: setting must be one of floatX, backend, threads, got "floatx" (did you mean floatX?)');
    expect(T.config.floatX).toBe(old);
    expectError(() => (cfg.computeTestValue = 'raise'), T.ArgumentError, 'got "computeTestValue"');
    expectError(() => cfg.floatx, T.ArgumentError, 'config: setting must be one of floatX, backend, threads, got "floatx"');
    expectError(() => Object.defineProperty(T.config, 'mode', { value: 1 }), T.ArgumentError, 'got "mode"');
    expectError(() => (cfg._floatX = 'float16'), T.ArgumentError, 'got "_floatX"');
    expect(T.config.floatX).toBe(old);
  });
  it('valid settings still read back, and the object can still be inspected', () => {
    const old = T.config.threads;
    try {
      T.config.threads = 2;
      expect(T.config.threads).toBe(2);
    } finally {
      T.config.threads = old;
    }
    expect(String(T.config)).toBe('[object Object]');
    expect(() => JSON.stringify(T.config)).not.toThrow();
  });
});
