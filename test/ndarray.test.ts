import { describe, expect, it } from 'vitest';
import * as T from '../lib';
import { isDetached } from '../lib/dtype';
import { expectError } from './helpers';

describe('NDArray: bad input', () => {
  it('rejects ragged nested arrays, non-numbers, bad shapes and dtypes', () => {
    expectError(() => T.array([[1, 2], [3]]), T.ShapeError, 'element [1] must be an array of length 2');
    expectError(() => T.array([1, 'a'] as never), T.ArgumentError, 'element [1] must be a number');
    expectError(() => T.array([1, 2, 3], { shape: [2, 2] }), T.ShapeError, 'shape [2, 2] must have 3 elements');
    expectError(() => T.array([1.5], { dtype: 'int32' }), T.DTypeError, 'must be integers for dtype int32');
    expectError(() => T.array({} as never), T.ArgumentError, 'array: value must be');
    expectError(() => T.zeros([2, 1.5]), T.ShapeError, 'full: shape[1] must be an integer in [0, 2147483647], got 1.5');
    expectError(() => new T.NDArray(new Float32Array(3), [2]), T.ShapeError, 'data length must equal');
    expectError(() => new T.NDArray(new Float32Array(0), [0, 2 ** 31]), T.ShapeError, 'NDArray: shape[1] must be an integer in [0, 2147483647], got 2147483648');
    // eslint-disable-next-line no-sparse-arrays
    expectError(() => T.ones([, 2] as never), T.ShapeError, 'full: shape[0] must be an integer in [0, 2147483647], got undefined');
    expectError(() => T.zeros([2 ** 40]), T.ShapeError, 'full: shape[0] must be an integer in [0, 2147483647], got 1099511627776');
    expectError(() => T.ones([2 ** 20, 2 ** 20]), T.ShapeError, 'full: shape [1048576, 1048576] must have at most 2147483647 elements, got 1099511627776');
    expectError(() => T.array([1, 2]).get(2), T.ArgumentError, 'index 0 must be an integer in [-2, 2), got 2');
    expectError(() => T.array([[1]]).get(0), T.ArgumentError, 'must have 2 indices');
  });
});

describe('NDArray', () => {
  it('builds from nested arrays, typed arrays and numbers with floatX by default', () => {
    const a = T.array([[1, 2, 3], [4, 5, 6]]);
    expect(a.shape).toEqual([2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.size).toBe(6);
    expect(a.get(1, -1)).toBe(6);
    expect(T.array(new Int32Array([1, 2]), { shape: [2, 1] }).dtype).toBe('int32');
    expect(T.array(3).shape).toEqual([]);
    expect(T.array([true, false]).dtype).toBe('bool');
    expect(T.full([2], 7, 'int32').toArray()).toEqual([7, 7]);
  });
  it('round-trips through toArray and prints like NumPy', () => {
    const a = T.array([[1, 2], [3, 4]], { dtype: 'float64' });
    expect(a.toArray()).toEqual([[1, 2], [3, 4]]);
    expect(a.toString()).toBe('[[1., 2.],\n [3., 4.]]');
    expect(T.array([1, 2], { dtype: 'int32' }).toString()).toBe('[1, 2]');
    expect(T.array([0.5, NaN, -Infinity], { dtype: 'float64' }).toString()).toBe('[ 0.5,  nan, -inf]');
  });
  it('copies on T.array and astype, shares on reshape', () => {
    const a = T.array([1, 2, 3, 4], { dtype: 'float64' });
    const b = T.array(a);
    b.data[0] = 9;
    expect(a.data[0]).toBe(1);
    const r = a.reshape([2, 2]);
    r.data[0] = 5;
    expect(a.data[0]).toBe(5);
    expect(a.astype('int32').dtype).toBe('int32');
  });
});

describe('NDArray: plain numbers never wrap into integer dtypes', () => {
  it('rejects out-of-range, non-integer and NaN values for int32 and NaN for bool', () => {
    expectError(() => T.array([2 ** 40, 3e9], { dtype: 'int32' }), T.DTypeError, 'int32 range', 'got 1099511627776 at element 0');
    expectError(() => T.array(2 ** 31, { dtype: 'int32' }), T.DTypeError, 'got 2147483648');
    expectError(() => T.array([NaN], { dtype: 'int32' }), T.DTypeError, 'must be integers for dtype int32', 'NaN');
    expectError(() => T.array([1, NaN], { dtype: 'bool' }), T.DTypeError, 'dtype bool', 'NaN at element 1');
    expectError(() => T.full([2], 3e9, 'int32'), T.DTypeError, 'full: values must be integers in the int32 range');
    expect(T.array([-(2 ** 31), 2 ** 31 - 1], { dtype: 'int32' }).toArray()).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(T.array([0, 2, -1], { dtype: 'bool' }).toArray()).toEqual([false, true, true]);
  });
  it('rejects an out-of-range plain number passed to an int32 function input', () => {
    const v = T.vector('v');
    const i = T.scalar('i', 'int32');
    const f = T.function([v, i], T.take(v, i));
    expect(f(T.array([10, 20, 30]), 1)).toBeDefined();
    expectError(() => f(T.array([10, 20, 30]), 2 ** 32 + 1), T.InputError, 'int32 range', 'got 4294967297');
  });
  it('infers floatX rather than int32 for integer constants beyond int32', () => {
    expect(T.constant(3e9).dtype).toBe(T.config.floatX);
    expect(T.constant([1, 2 ** 40]).dtype).toBe(T.config.floatX);
    expect(T.constant(7).dtype).toBe('int32');
  });
});

function detach(a: T.NDArray): T.NDArray {
  structuredClone(a.data.buffer, { transfer: [a.data.buffer as ArrayBuffer] });
  return a;
}

describe('NDArray: detached buffers', () => {
  it('isDetached tells a transferred buffer from an empty one', () => {
    expect(isDetached(new Float32Array(0))).toBe(false);
    expect(isDetached(new Float32Array(3))).toBe(false);
    expect(isDetached(detach(T.array([1, 2])).data)).toBe(true);
  });
  it('T.array, the constructor, astype paths and setValue give an ArgumentError naming the detached buffer', () => {
    const a = detach(T.array([1, 2, 3]));
    expectError(() => T.array(a), T.ArgumentError, 'array: value must be readable', 'buffer was detached');
    expectError(() => T.array(a.data), T.ArgumentError, 'array: value must be readable', 'Float32Array(detached buffer)');
    expectError(() => T.array(a, { dtype: 'float64' }), T.ArgumentError, 'buffer was detached');
    expectError(() => new T.NDArray(a.data, [0]), T.ArgumentError, 'NDArray: data must be readable');
    const s = T.shared(T.array([0, 0, 0]), 's');
    expectError(() => s.setValue(a), T.ArgumentError, 's.setValue: value must be readable', 'buffer was detached');
    expectError(() => s.setValue(a.data), T.ArgumentError, 'buffer was detached');
    expect(s.getValue().toArray()).toEqual([0, 0, 0]);
  });
});

describe('NDArray: odd JS values give typed errors', () => {
  it('BigInt and Symbol axes, revoked Proxies, deep nesting and unknown astype dtypes', () => {
    const x = T.matrix('x');
    expectError(() => T.sum(x, 1n as never), T.ArgumentError, 'sum: axis must be an integer', 'got 1n');
    expectError(() => T.sum(x, Symbol('a') as never), T.ArgumentError, 'got Symbol(a)');
    const { proxy, revoke } = Proxy.revocable([1, 2], {});
    revoke();
    expectError(() => T.array(proxy as never), T.ArgumentError, 'array: value must be a readable value, got a revoked Proxy');
    expectError(() => T.constant(proxy as never), T.ArgumentError, 'revoked Proxy');
    expectError(() => T.sum(x, proxy as never), T.ArgumentError, 'sum: axis must be a readable value');
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = [deep];
    expectError(() => T.constant(deep as never), T.ShapeError, 'at most 64 levels');
    expectError(() => T.array([1]).astype('float16' as never), T.DTypeError, 'NDArray.astype: dtype must be one of');
  });
});

describe('op arguments that JSON cannot print', () => {
  it('report a BigInt or Symbol axis or index as a typed error', () => {
    const x = T.matrix('x');
    for (const bad of [1n, Symbol('axis')]) {
      expect(() => T.take(x, T.ivector('i'), bad as never)).toThrow(T.NodeanoError);
      expect(() => T.concatenate([x, x], bad as never)).toThrow(T.NodeanoError);
      expect(() => T.stack([x, x], bad as never)).toThrow(T.NodeanoError);
      expect(() => T.argmax(x, bad as never)).toThrow(T.NodeanoError);
      expect(() => T.trace(x, bad as never)).toThrow(T.NodeanoError);
    }
  });
});
