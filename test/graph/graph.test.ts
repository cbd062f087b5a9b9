import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { expectError } from '../helpers';

describe('graph construction: bad input', () => {
  it('rejects bad tensor constructors with typed errors', () => {
    expectError(() => T.tensor('float16' as T.DType, [2]), T.DTypeError, 'tensor: dtype must be one of float32, float64, int32, bool, got "float16"');
    expectError(() => T.tensor('float32', [2, -1]), T.ArgumentError, 'shape must be an array of non-negative integers or null');
    // no array could ever be passed for these
    expectError(() => T.tensor('float32', [2 ** 31]), T.ArgumentError, 'tensor: shape must have known dims of at most 2147483647 and at most 2147483647 elements in them, got [2147483648]');
    expectError(() => T.tensor('float32', [2 ** 20, null, 2 ** 20]), T.ArgumentError, 'got [1048576, ?, 1048576]');
    expectError(() => T.matrix('m', 'complex' as T.DType), T.DTypeError, 'dtype must be one of');
    expectError(() => T.shared('abc'), T.ArgumentError, 'shared: value must be');
    expectError(() => T.constant(T.vector('v')), T.ArgumentError, 'constant: value must be');
  });
  it('catches static shape mismatches when the node is built, naming op, arguments and shapes', () => {
    const a = T.tensor('float32', [2, 3], 'a');
    const b = T.tensor('float32', [4, 3], 'b');
    expectError(() => a.add(b), T.ShapeError, 'add: a and b must have broadcast-compatible shapes, got a [2, 3] and b [4, 3]');
    expectError(() => T.dot(a, b), T.ShapeError, 'dot: b must have shape [3, *] to match a [2, 3], got [4, 3]');
  });
});

describe('graph', () => {
  it('types: constructors give dtype and static shape, defaulting to floatX', () => {
    expect(T.matrix().type.toString()).toBe('float32[?, ?]');
    expect(T.row().type.toString()).toBe('float32[1, ?]');
    expect(T.col('c', 'float64').type.toString()).toBe('float64[?, 1]');
    expect(T.tensor4().ndim).toBe(4);
    expect(T.iscalar().dtype).toBe('int32');
    const old = T.config.floatX;
    T.config.floatX = 'float64';
    try {
      expect(T.vector().dtype).toBe('float64');
    } finally {
      T.config.floatX = old;
    }
    expectError(() => (T.config.floatX = 'float16' as T.FloatX), T.ArgumentError, 'floatX must be "float32" or "float64"');
  });

  it('infers static shapes through broadcasting and dot', () => {
    const a = T.tensor('float32', [2, 1, 3], 'a');
    const b = T.tensor('float32', [4, 1], 'b');
    expect(a.add(b).staticShape).toEqual([2, 4, 3]);
    expect(T.dot(T.tensor('float32', [5, 3]), T.tensor('float32', [3, 7])).staticShape).toEqual([5, 7]);
    expect(T.tensor('float32', [5, 3]).T.staticShape).toEqual([3, 5]);
  });

  it('records where each node was created in the user code', () => {
    const x = T.vector('x');
    const y = x.exp();
    expect(String(y.site)).toMatch(/test\/graph\/graph\.test\.ts:\d+:\d+/);
  });

  it('compilation clones the graph: the user graph is never mutated', () => {
    const x = T.vector('x');
    const y = T.sigmoid(x.mul(2));
    const owner = y.owner!;
    const inputsBefore = [...owner.inputs];
    const f = T.function([x], y, { givens: [[x, T.shared(T.ones([3]))]], onUnusedInput: 'ignore' });
    f(T.ones([1]));
    expect(y.owner).toBe(owner);
    expect(owner.inputs).toEqual(inputsBefore);
    expect(T.pp(y)).toBe('sigmoid((x * 2))');
  });

  it('FunctionGraph clones applies but keeps leaves, and substitutes givens', () => {
    const x = T.vector('x');
    const z = T.vector('z');
    const y = x.add(1).exp();
    const fg = new T.FunctionGraph([z], [y], new Map([[x, z]]));
    expect(fg.outputs[0]).not.toBe(y);
    expect(fg.outputs[0].owner!.op).toBe(y.owner!.op);
    expect(T.pp(fg.outputs[0])).toBe('exp((z + 1))');
    expect(fg.missingInputs()).toEqual([]);
    expect(new T.FunctionGraph([], [y]).missingInputs()).toEqual([x]);
  });

  // about 1 s on an idle machine: the timeout leaves room for a loaded one, while quadratic work on 20,000 nodes
  // takes tens of seconds (test/rewrite/compile-work.test.ts checks linear growth by counting, not timing)
  it('handles very deep graphs without overflowing the stack', () => {
    const x = T.dscalar('x');
    let y = x;
    for (let i = 0; i < 20000; i++) y = y.add(1);
    const f = T.function([x], y);
    expect((f(0) as T.NDArray).data[0]).toBe(20000);
  }, 20_000);

  it('pp prints expressions and debugprint prints trees with shared subtrees once', () => {
    const X = T.shared(T.zeros([4, 2]), { name: 'X' });
    const W1 = T.shared(T.zeros([2, 5]), { name: 'W1' });
    const h = T.sigmoid(T.dot(X, W1));
    expect(T.pp(h)).toBe('sigmoid(dot(X, W1))');
    const tree = T.debugprint(h.mul(h));
    expect(tree.split('\n')[0]).toMatch(/^mul \[id A\] float32\[\?, \?\]$/);
    expect(tree).toContain('(see above)');
    expectError(() => T.pp(3 as never), T.ArgumentError, 'pp: v must be a Variable');
    expectError(() => T.debugprint({} as never), T.ArgumentError, 'debugprint: x must be');
  });
});
