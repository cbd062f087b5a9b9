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
