import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, expectError, nativeAvailable } from '../helpers';

const vec = (dtype: T.DType = 'float64') => ({ dtype, shape: [null] });
const perform = () => undefined;

// d x^3 = 3 x^2 dx
const cube = T.defineOp({
  name: 'cube',
  outputTypes: ([x]) => [x.type],
  perform: ([x], [out]) => {
    for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] ** 3;
  },
  grad: ([x], _o, [g]) => [g.mul(x.sqr()).mul(3)],
});

// rows of a matrix summed: [n, m] -> [n], with its own shape rule; d sum_j x_ij = g_i for every j
const rowSums = T.defineOp({
  name: 'rowSums',
  itypes: [{ dtype: 'float64', shape: [null, null] }],
  otypes: [vec()],
  inferShape: ([[n]]) => [[n]],
  perform: ([x], [out]) => {
    const [n, m] = x.shape;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += x.data[i * m + j];
      out.data[i] = s;
    }
  },
  grad: ([x], _o, [g]) => [T.expandDims(g, [1]).mul(T.onesLike(x))],
});

// two outputs: the sum and the difference of a and b
const sumDiff = T.defineOp({
  name: 'sumDiff',
  itypes: [vec(), vec()],
  otypes: [vec(), vec()],
  perform: ([a, b], [s, d]) => {
    for (let i = 0; i < a.size; i++) {
      s.data[i] = a.data[i] + b.data[i];
      d.data[i] = a.data[i] - b.data[i];
    }
  },
  grad: (_i, _o, [gs, gd]) => [gs.add(gd), gs.sub(gd)],
});

const flip = T.asOp({ itypes: [vec()], otypes: [vec()], perform: function flip(x) { return x.data.slice().reverse(); } });

describe('T.defineOp and T.asOp: bad definitions', () => {
  it('rejects a definition that is not an object', () => {
    expectError(() => T.defineOp(null as never), T.ArgumentError, 'defineOp: definition must be an object, got null');
    expectError(() => T.asOp([] as never), T.ArgumentError, 'asOp: definition must be an object, got array(0)');
  });

  it('lists every bad field of a definition at once, with what it must be and what it got', () => {
    expectError(
      () => T.defineOp({ name: '1x', perform: 3, otypes: 'a', inferShape: {}, colour: 1 } as never),
      T.ArgumentError,
      'option "colour" is not known',
      'name must be an identifier (letters, digits and _, not starting with a digit), got "1x"',
      'perform must be a function, got number 3',
      'inferShape must be a function, got Object',
      'otypes must be an array of types (T.TensorType or { dtype, shape }), got "a"',
    );
    expectError(() => T.defineOp({ name: 'f', perform } as never), T.ArgumentError, 'otypes or outputTypes must be given, got neither');
    expectError(() => T.defineOp({ name: 'f', perform, otypes: [vec()], outputTypes: () => [vec()] }), T.ArgumentError, 'otypes and outputTypes must not both be given');
    expectError(() => T.defineOp({ name: 'f', perform, otypes: [] }), T.ArgumentError, 'otypes must list at least one output type, got []');
  });

  it('names a bad type by its position, its field and the value it got', () => {
    expectError(
      () => T.defineOp({ name: 'f', perform, itypes: [{ dtype: 'float16', shape: [-1] } as never, T.dvector('v') as never], otypes: [vec()] }),
      T.ArgumentError,
      'itypes[0].dtype must be float32, float64, int32 or bool, got "float16"',
      'itypes[0].shape must be an array of non-negative integers or null, got [-1]',
      'itypes[1] must be a T.TensorType or { dtype, shape }',
      'got the Variable v (use its .type)',
    );
  });

  it('requires a shape rule unless every output has the shape of input 0', () => {
    expectError(
      () => T.asOp({ itypes: [{ dtype: 'float64', shape: [null, null] }], otypes: [vec()], perform: (x) => x }),
      T.ArgumentError,
      'inferShape must be given unless every output has input 0\'s shape, got output 0 has type float64[?], input 0 float64[?, ?]',
    );
    expectError(() => T.defineOp({ name: 'noInputs', perform, otypes: [vec()] })(), T.ArgumentError, 'output 0 has type float64[?] but the op has no input');
  });

  it('takes a nativeKernel only as an id no op has registered', () => {
    expectError(() => T.defineOp({ name: 'f', perform, otypes: [vec()], nativeKernel: 'Sigmoid' }), T.ArgumentError, 'nativeKernel must be an id no other op registered, got "Sigmoid", which is taken');
    expectError(() => T.defineOp({ name: 'f', perform, otypes: [vec()], nativeKernel: 7 as never }), T.ArgumentError, 'nativeKernel must be a kernel id (letters, digits and _), got 7');
  });

  it('asOp needs itypes and otypes (Theano\'s as_op has no default types)', () => {
    expectError(() => T.asOp({ perform: (x: T.NDArray) => x } as never), T.ArgumentError, 'itypes must be an array of input types, got undefined', 'otypes must be an array of output types, got undefined');
  });
});

describe('custom ops: bad inputs when a node is built', () => {
  it('checks the count, the dtype and the type of inputs against itypes, listing each', () => {
    expectError(() => flip(), T.ArgumentError, 'flip: inputs must be 1 tensor, got 0');
    expectError(() => flip(T.fvector('a')), T.DTypeError, 'flip: input 0 (a) must have dtype float64, got float32 (cast it with T.cast)');
    expectError(() => flip(T.dmatrix('m')), T.ShapeError, 'flip: input 0 (m) must have type float64[?], got float64[?, ?]');
    expectError(() => flip({} as never), T.ArgumentError, 'flip: input 0');
  });

  it('converts plain numbers and arrays to the declared dtype', () => {
    expect(flip([1, 2, 3]).dtype).toBe('float64');
    expect(rowSums([[1, 2]]).type.toString()).toBe('float64[?]');
  });

  it('asks for .outputs() when the op has several outputs', () => {
    const a = T.dvector('a');
    expectError(() => sumDiff(a, a), T.ArgumentError, 'sumDiff: the op has 2 outputs: call sumDiff.outputs(...) to get them as a list');
    expect(sumDiff.outputs(a, a)).toHaveLength(2);
  });

  it('rejects an outputTypes result that is not a list of types', () => {
    const f = T.defineOp({ name: 'badTypes', perform, outputTypes: () => 'float64' as never });
    expectError(() => f(T.dvector()), T.ArgumentError, 'badTypes: outputTypes must return a non-empty array of types, got "float64"');
  });
});

describe.each(backends.map((b) => [b]))('custom ops on the %s backend', (backend) => {
  // a JS-only custom op: explicit "native" is a CompileError (tested below), so native runs use "auto"
  const opts = backend === 'js' ? { backend: 'js' as const } : {};

  it('computes perform\'s result, prints by its name and runs on js', () => {
    const x = T.dvector('x');
    const f = T.function([x], cube(x), opts);
    close(f([1, -2, 0.5]) as T.NDArray, [1, -8, 0.125], 1e-12);
    expect(f.info().backend).toBe('js');
    expect(T.pp(cube(x))).toBe('cube(x)');
    close(T.function([x], flip(x), opts)([1, 2, 3]) as T.NDArray, [3, 2, 1], 0);
  });

  it('infers output shapes with inferShape (and with the default rule) before anything runs', () => {
    const m = T.dmatrix('m');
    const out = T.function([m], [rowSums(m), cube(m)], opts)([[1, 2, 3], [4, 5, 6]]) as T.NDArray[];
    expect(out[0].shape).toEqual([2]);
    close(out[0], [6, 15], 0);
    expect(out[1].shape).toEqual([2, 3]);
    // a later op sees the inferred shape
    close(T.function([m], rowSums(m).add(T.ones([2])), opts)([[1, 1], [2, 2]]) as T.NDArray, [3, 5], 0);
  });

  it('computes every output of a multi-output op', () => {
    const a = T.dvector('a');
    const b = T.dvector('b');
    const [s, d] = sumDiff.outputs(a, b);
    const [sv, dv] = T.function([a, b], [s, d], opts)([1, 2], [3, 5]) as T.NDArray[];
    close(sv, [4, 7], 0);
    close(dv, [-2, -3], 0);
  });

  it('has gradients that match finite differences', () => {
    T.verifyGrad((x) => cube(x), [[0.5, -1.5, 2]]);
    T.verifyGrad((x) => rowSums(x).sqr(), [[[1, -2, 0.5], [3, 0.25, -1]]]);
    T.verifyGrad((a, b) => { const [s, d] = sumDiff.outputs(a, b); return s.mul(d.sqr()); }, [[1, 2], [0.5, -3]]);
    // only one output reaches the cost: the other's gradient arrives as zeros
    T.verifyGrad((a, b) => sumDiff.outputs(a, b)[1].sqr(), [[1, 2], [0.5, -3]]);
    const x = T.dvector('x');
    close(T.function([x], T.grad(T.sum(cube(x)), x), opts)([1, 2, -3]) as T.NDArray, [3, 12, 27], 1e-12);
  });

  it('names the op and the node when perform or inferShape fails at run time', () => {
    const x = T.dvector('x');
    const throws = T.defineOp({ name: 'throws', outputTypes: ([v]) => [v.type], perform: () => { throw new Error('boom'); } });
    expectError(() => T.function([x], throws(x), opts)([1]), T.RuntimeError, 'throws: perform threw Error: boom', 'node: throws(x)', 'custom-op.test.ts');
    const returns = T.defineOp({ name: 'returns', outputTypes: ([v]) => [v.type], perform: ([v]) => v as never });
    expectError(() => T.function([x], returns(x), opts)([1]), T.RuntimeError, 'returns: perform must write its results into outputs and return nothing, got NDArray(float64, [1])');
    const badShape = T.defineOp({ name: 'badShape', outputTypes: () => [{ dtype: 'float64', shape: [2] }], inferShape: () => [[3]], perform });
    expectError(() => T.function([x], badShape(x), opts)([1]), T.RuntimeError, 'badShape: inferShape must return an array of 1 shape (float64[2]); output 0 must have a shape that fits float64[2], got [3]', 'node: badShape(x)');
    const notList = T.defineOp({ name: 'notList', outputTypes: ([v]) => [v.type], inferShape: () => 5 as never, perform });
    expectError(() => T.function([x], notList(x), opts)([1]), T.RuntimeError, 'notList: inferShape must return an array of 1 shape (float64[?]), got 5');
  });

  it('checks what an asOp function returns: dtype, shape and kind', () => {
    const x = T.dvector('x');
    const make = (name: string, f: (v: T.NDArray) => unknown, otype = vec()) => T.asOp({ name, itypes: [vec()], otypes: [otype], perform: f });
    expectError(() => T.function([x], make('short', (v) => v.data.slice(1))(x), opts)([1, 2]), T.RuntimeError, 'short: result 0 must have shape [2] (from inferShape), got 1 elements');
    expectError(() => T.function([x], make('lossy', (v) => v.data, vec('float32'))(x), opts)([1]), T.RuntimeError, 'lossy: result 0 must have dtype float32 (or one that casts to it safely), got float64');
    expectError(() => T.function([x], make('what', () => 'a')(x), opts)([1]), T.RuntimeError, 'what: result 0 must be an NDArray, a typed array, a nested array or a number, got "a"');
    // nested arrays and NDArrays are accepted, converted to the output's dtype
    close(T.function([x], make('nested', (v) => Array.from(v.data, (e) => e * 2))(x), opts)([1, 2]) as T.NDArray, [2, 4], 0);
    const two = T.asOp({ itypes: [vec()], otypes: [vec(), vec()], perform: (v) => [v, v.data] });
    const [p, q] = T.function([x], two.outputs(x), opts)([4, 5]) as T.NDArray[];
    close(p, [4, 5], 0);
    close(q, [4, 5], 0);
    const oneResult = T.asOp({ name: 'oneResult', itypes: [vec()], otypes: [vec(), vec()], perform: (v) => v });
    expectError(() => T.function([x], oneResult.outputs(x), opts)([1]), T.RuntimeError, 'oneResult: perform must return an array of 2 results (one per output type), got NDArray(float64, [1])');
  });
});

describe('a custom op without a gradient', () => {
  class NoGrad extends T.Op {
    readonly name = 'noGrad';
    readonly kernel = 'Sigmoid';
    makeNode(x: T.Variable): T.Apply {
      return new T.Apply(this, [x], [x.type]);
    }
  }

  it('makes T.grad a GradError naming the op, the input and where the node was created', () => {
    const x = T.dvector('x');
    expectError(() => T.grad(T.sum(flip(x)), x), T.GradError, 'flip: the op defines no gradient (pass grad to T.defineOp or T.asOp, or cut the path with T.disconnectedGrad or considerConstant); while differentiating flip(x) for input 0 (x)', 'node: flip(x)', 'created at: test/graph/custom-op.test.ts');
    // a T.Op subclass that does not override grad (it was a plain Error)
    const y = new NoGrad().makeNode(x).outputs[0];
    expectError(() => T.grad(T.sum(y.mul(x)), x), T.GradError, 'noGrad: the op defines no gradient (override grad, or cut the path with T.disconnectedGrad or considerConstant); while differentiating noGrad(x) for input 0 (x)', 'created at: test/graph/custom-op.test.ts');
  });

  it('lets T.grad pass where the path through it is cut', () => {
    const x = T.dvector('x');
    const g = T.grad(T.sum(T.disconnectedGrad(flip(x)).mul(x)), x);
    close(T.function([x], g, { backend: 'js' })([1, 2, 3]) as T.NDArray, [3, 2, 1], 0);
  });

  it('checks what a grad rule returns', () => {
    const x = T.dvector('x');
    const rule = (grad: NonNullable<T.OpDefinition['grad']>, name: string) => T.defineOp({ name, outputTypes: ([v]) => [v.type], perform, grad });
    expectError(() => T.grad(T.sum(rule(() => [], 'short')(x)), x), T.GradError, 'short: grad must return an array of 1 gradients (one per input, null for none), got array(0)', 'node: short(x)');
    expectError(() => T.grad(T.sum(rule(() => [T.dmatrix()], 'rank')(x)), x), T.GradError, 'rank: gradient 0 must be a float tensor of rank 1 like input 0 (x: float64[?]), got float64[?, ?]');
    // an unnamed input shows its type once
    const u = T.dvector();
    expectError(() => T.grad(T.sum(rule(() => [T.dmatrix()], 'rank2')(u)), u), T.GradError, 'rank2: gradient 0 must be a float tensor of rank 1 like input 0 (float64[?]), got float64[?, ?]');
    expectError(() => T.grad(T.sum(rule(() => [{} as never], 'kind')(x)), x), T.GradError, 'kind: gradient 0 must be a Variable, a number, an NDArray or null, got Object');
    expectError(() => T.grad(T.sum(rule(() => { throw new TypeError('oops'); }, 'buggy')(x)), x), T.GradError, 'buggy: grad threw TypeError: oops', 'node: buggy(x)');
  });
});

describe('kernels no backend has (a CompileError at T.function, no longer an Error at the first call)', () => {
  class Unknown extends T.Op {
    readonly name = 'mystery';
    readonly kernel = 'NoSuchKernel';
    makeNode(x: T.Variable): T.Apply {
      return new T.Apply(this, [x], [x.type]);
    }
  }

  it.each(backends.map((b) => [b]))('names the op, its creation site and the kernel on %s', (backend) => {
    const x = T.dvector('x');
    const y = new Unknown().makeNode(x).outputs[0];
    expectError(() => T.function([x], y, { backend }), T.CompileError, 'function: op mystery must have a kernel that some backend has, got kernel "NoSuchKernel", which none has', 'node: mystery(x)', 'created at: test/graph/custom-op.test.ts');
    expectError(() => T.function([x], y.add(1)), T.CompileError, 'kernel "NoSuchKernel"');
  });

  it.skipIf(!nativeAvailable)('makes backend "native" a CompileError for a JS-only custom op, and "auto" run it on js', () => {
    const x = T.dvector('x');
    expectError(() => T.function([x], cube(x), { backend: 'native' }), T.CompileError, 'backend "native" has no kernel "custom:cube" for op cube', 'runs on the js backend only', 'node: cube(x)', 'created at: test/graph/custom-op.test.ts');
    expect(T.function([x], cube(x).add(1)).info().backend).toBe('js');
  });

  it.skipIf(!nativeAvailable)('a nativeKernel the addon lacks is the same CompileError on native, and js on auto', () => {
    const withNative = T.defineOp({ name: 'withNative', nativeKernel: 'NodeanoTestNoSuchNative', outputTypes: ([v]) => [v.type], perform: ([v], [o]) => o.data.set(v.data) });
    expect(withNative.kernel).toBe('NodeanoTestNoSuchNative');
    const x = T.dvector('x');
    expectError(() => T.function([x], withNative(x), { backend: 'native' }), T.CompileError, 'no kernel "NodeanoTestNoSuchNative" for op withNative');
    close(T.function([x], withNative(x))([7]) as T.NDArray, [7], 0);
  });

  it('gives each definition its own kernel, also under a name used before', () => {
    const a = T.defineOp({ name: 'twin', outputTypes: ([v]) => [v.type], perform: ([v], [o]) => o.data.set(v.data) });
    const b = T.defineOp({ name: 'twin', outputTypes: ([v]) => [v.type], perform: ([v], [o]) => { for (let i = 0; i < v.size; i++) o.data[i] = -v.data[i]; } });
    expect(a.kernel).not.toBe(b.kernel);
    const x = T.dvector('x');
    const [p, q] = T.function([x], [a(x), b(x)], { backend: 'js' })([2]) as T.NDArray[];
    close(p, [2], 0);
    close(q, [-2], 0);
  });
});
