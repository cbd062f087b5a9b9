// The "Loop" page of Theano's tutorial (doc/tutorial/loop.txt), ported line by line, followed by its exercise and
// the examples of the scan library guide (doc/library/scan.txt) that the page points to. Each block names the Theano
// lines it ports; each prints what the page prints, computed by T.scan and then by the page's NumPy comparison
// (written here as plain loops over the arrays). The random draws differ from the page's (nodeano's streams are
// Philox, not NumPy's Mersenne Twister), so only their structure can match.
//
//   npx tsx examples/scan-tutorial.ts [--backend js|native]
//
// What changes when porting scan code from Theano:
//   theano.scan(fn, sequences=..., outputs_info=..., non_sequences=..., n_steps=...)
//     -> T.scan(fn, { sequences, outputsInfo, nonSequences, nSteps }), returning [results, updates] as well
//   dict(initial=X, taps=[-2, -1])  -> { initial: X, taps: [-2, -1] };  dict(input=X, taps=[-1, 0]) -> { input: X, taps }
//   results[-1], X[i, j], P[::-1]   -> T.slice(results, -1), T.slice(X, i, j), T.slice(P, [null, null, -1])
//   {k: k + 1} returned by fn       -> new Map([[k, k.add(1)]]);  updates[a] -> updates.get(a)
//   theano.function(inputs, outputs, updates=updates) -> T.function(inputs, outputs, { updates })
import * as T from '../lib';

const argv = process.argv.slice(2);
const at = argv.indexOf('--backend');
const backendArg = at >= 0 ? argv[at + 1] : 'auto';
if (!['auto', 'js', 'native'].includes(backendArg)) throw new T.ArgumentError(`--backend must be js, native or auto, got ${backendArg}`);
const backend = backendArg === 'auto' ? undefined : (backendArg as 'js' | 'native');
const fn = (inputs: T.Variable[], outputs: T.Variable | T.Variable[], opts: T.FunctionOptions = {}) => T.function(inputs, outputs, { backend, ...opts });

// Theano's floatX defaults to float64 and the page's test values are float64; nodeano's defaults to float32.
T.config.floatX = 'float64';

type Num = number[] | number[][];
/** The page's test-value builders: numpy.eye, numpy.ones, numpy.zeros, numpy.diag(v, k) and numpy.arange, as nested arrays. */
const np = {
  eye: (n: number, m = n, k = 0): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => (j - i === k ? 1 : 0))),
  full: (shape: number[], v: number): Num => (shape.length === 1 ? new Array(shape[0]).fill(v) : Array.from({ length: shape[0] }, () => new Array(shape[1]).fill(v))),
  diag: (v: number[], k: number): number[][] => np.eye(v.length + k, v.length + k, k).map((row, i) => row.map((e) => (e ? v[i] : 0))),
  arange: (a: number, b?: number): number[] => (b === undefined ? Array.from({ length: a }, (_, i) => i) : Array.from({ length: b - a }, (_, i) => a + i)),
};
const f64 = (v: Num | number) => T.array(v, { dtype: 'float64' });
/** vector.dot(matrix) for the NumPy comparison loops. */
const vdot = (v: number[], M: number[][]) => M[0].map((_, j) => v.reduce((s, vi, i) => s + vi * M[i][j], 0));
const vadd = (...vs: number[][]) => vs[0].map((_, j) => vs.reduce((s, v) => s + v[j], 0));

/** Prints `label:` and the value as NumPy does (eight decimals at most, `1.` for a whole float). */
function show(label: string, value: T.NDArray | Num | number, dtype: T.DType = 'float64'): void {
  const a = value instanceof T.NDArray ? value : T.array(value, { dtype });
  const items = Array.from(a.data, (v) => (a.dtype === 'int32' || a.dtype === 'bool' ? String(v) : v.toFixed(8).replace(/0+$/, '')));
  const width = Math.max(...items.map((s) => s.length));
  let k = 0;
  const rec = (dim: number): string => {
    if (dim === a.shape.length) return items[k++].padStart(width);
    const parts = Array.from({ length: a.shape[dim] }, () => rec(dim + 1));
    return `[${parts.join(dim === a.shape.length - 1 ? ' ' : `\n${' '.repeat(dim + 1)}`)}]`;
  };
  console.log(`${label}:\n${rec(0)}`);
}
const section = (title: string) => console.log(`\n=== ${title}`);

{
  section('Scan Example: Computing tanh(x(t).dot(W) + b) elementwise');
  // X = T.matrix("X"); W = T.matrix("W"); b_sym = T.vector("b_sym")
  const X = T.matrix('X');
  const W = T.matrix('W');
  const b_sym = T.vector('b_sym');
  // results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym), sequences=X)
  const [results] = T.scan((v) => T.tanh(T.dot(v, W).add(b_sym)), { sequences: X });
  // compute_elementwise = theano.function(inputs=[X, W, b_sym], outputs=results)
  const compute_elementwise = fn([X, W, b_sym], results as T.Variable);
  // x = np.eye(2); w = np.ones((2, 2)); b = np.ones((2)); b[1] = 2
  const x = np.eye(2);
  const w = np.full([2, 2], 1) as number[][];
  const b = [1, 2];
  // print(compute_elementwise(x, w, b))
  show('compute_elementwise', compute_elementwise(f64(x), f64(w), f64(b)) as T.NDArray);
  // print(np.tanh(x.dot(w) + b))
  show('np.tanh(x.dot(w) + b)', x.map((row) => vadd(vdot(row, w), b).map(Math.tanh)));
}

{
  section('Scan Example: Computing the sequence x(t) = tanh(x(t - 1).dot(W) + y(t).dot(U) + p(T - t).dot(V))');
  const X = T.vector('X');
  const W = T.matrix('W');
  const U = T.matrix('U');
  const Y = T.matrix('Y');
  const V = T.matrix('V');
  const P = T.matrix('P');
  // results, updates = theano.scan(lambda y, p, x_tm1: T.tanh(T.dot(x_tm1, W) + T.dot(y, U) + T.dot(p, V)),
  //           sequences=[Y, P[::-1]], outputs_info=[X])
  const [results] = T.scan((y, p, x_tm1) => T.tanh(T.dot(x_tm1, W).add(T.dot(y, U)).add(T.dot(p, V))), {
    sequences: [Y, T.slice(P, [null, null, -1])],
    outputsInfo: [X],
  });
  // compute_seq = theano.function(inputs=[X, W, Y, U, P, V], outputs=results)
  const compute_seq = fn([X, W, Y, U, P, V], results as T.Variable);
  // x = np.zeros((2)); x[1] = 1; w = np.ones((2, 2)); y = np.ones((5, 2)); y[0, :] = -3; u = np.ones((2, 2))
  // p = np.ones((5, 2)); p[0, :] = 3; v = np.ones((2, 2))
  const x = [0, 1];
  const w = np.full([2, 2], 1) as number[][];
  const y = np.full([5, 2], 1) as number[][];
  y[0] = [-3, -3];
  const u = np.full([2, 2], 1) as number[][];
  const p = np.full([5, 2], 1) as number[][];
  p[0] = [3, 3];
  const v = np.full([2, 2], 1) as number[][];
  // print(compute_seq(x, w, y, u, p, v))
  show('compute_seq', compute_seq(f64(x), f64(w), f64(y), f64(u), f64(p), f64(v)) as T.NDArray);
  // x_res[0] = np.tanh(x.dot(w) + y[0].dot(u) + p[4].dot(v))
  // for i in range(1, 5): x_res[i] = np.tanh(x_res[i - 1].dot(w) + y[i].dot(u) + p[4-i].dot(v))
  const x_res: number[][] = [vadd(vdot(x, w), vdot(y[0], u), vdot(p[4], v)).map(Math.tanh)];
  for (let i = 1; i < 5; i++) x_res.push(vadd(vdot(x_res[i - 1], w), vdot(y[i], u), vdot(p[4 - i], v)).map(Math.tanh));
  show('x_res', x_res);
}

{
  section('Scan Example: Computing norms of lines of X');
  const X = T.matrix('X');
  // results, updates = theano.scan(lambda x_i: T.sqrt((x_i ** 2).sum()), sequences=[X])
  const [results] = T.scan((x_i) => T.sqrt(x_i.pow(2).sum()), { sequences: [X] });
  const compute_norm_lines = fn([X], results as T.Variable);
  // x = np.diag(np.arange(1, 6, dtype=theano.config.floatX), 1)
  const x = np.diag(np.arange(1, 6), 1);
  show('compute_norm_lines', compute_norm_lines(f64(x)) as T.NDArray);
  // print(np.sqrt((x ** 2).sum(1)))
  show('np.sqrt((x ** 2).sum(1))', x.map((row) => Math.sqrt(row.reduce((s, e) => s + e * e, 0))));
}

{
  section('Scan Example: Computing norms of columns of X');
  const X = T.matrix('X');
  // results, updates = theano.scan(lambda x_i: T.sqrt((x_i ** 2).sum()), sequences=[X.T])
  const [results] = T.scan((x_i) => T.sqrt(x_i.pow(2).sum()), { sequences: [X.T] });
  const compute_norm_cols = fn([X], results as T.Variable);
  const x = np.diag(np.arange(1, 6), 1);
  show('compute_norm_cols', compute_norm_cols(f64(x)) as T.NDArray);
  // print(np.sqrt((x ** 2).sum(0)))
  show('np.sqrt((x ** 2).sum(0))', x[0].map((_, j) => Math.sqrt(x.reduce((s, row) => s + row[j] ** 2, 0))));
}

{
  section('Scan Example: Computing trace of X');
  // floatX = "float32"
  const floatX = 'float32';
  const X = T.matrix('X');
  // results, updates = theano.scan(lambda i, j, t_f: T.cast(X[i, j] + t_f, floatX),
  //                   sequences=[T.arange(X.shape[0]), T.arange(X.shape[1])],
  //                   outputs_info=np.asarray(0., dtype=floatX))
  const [results] = T.scan((i, j, t_f) => T.cast(T.slice(X, i, j).add(t_f), floatX), {
    sequences: [T.arange(X.shape[0]), T.arange(X.shape[1])],
    outputsInfo: T.constant(0, floatX),
  });
  // result = results[-1]
  const result = T.slice(results as T.Variable, -1);
  const compute_trace = fn([X], result);
  // x = np.eye(5); x[0] = np.arange(5)
  const x = np.eye(5);
  x[0] = np.arange(5);
  show('compute_trace', compute_trace(f64(x)) as T.NDArray);
  // print(np.diagonal(x).sum())
  show('np.diagonal(x).sum()', x.reduce((s, row, i) => s + row[i], 0));
}

{
  section('Scan Example: Computing the sequence x(t) = x(t - 2).dot(U) + x(t - 1).dot(V) + tanh(x(t - 1).dot(W) + b)');
  const X = T.matrix('X');
  const W = T.matrix('W');
  const b_sym = T.vector('b_sym');
  const U = T.matrix('U');
  const V = T.matrix('V');
  // n_sym = T.iscalar("n_sym"): the number of steps is a value given at each call
  const n_sym = T.iscalar('n_sym');
  // results, updates = theano.scan(lambda x_tm2, x_tm1: T.dot(x_tm2, U) + T.dot(x_tm1, V) + T.tanh(T.dot(x_tm1, W) + b_sym),
  //                     n_steps=n_sym, outputs_info=[dict(initial=X, taps=[-2, -1])])
  const [results] = T.scan((x_tm2, x_tm1) => T.dot(x_tm2, U).add(T.dot(x_tm1, V)).add(T.tanh(T.dot(x_tm1, W).add(b_sym))), {
    nSteps: n_sym,
    outputsInfo: [{ initial: X, taps: [-2, -1] }],
  });
  // compute_seq2 = theano.function(inputs=[X, U, V, W, b_sym, n_sym], outputs=results)
  const compute_seq2 = fn([X, U, V, W, b_sym, n_sym], results as T.Variable);
  // x = np.zeros((2, 2)); x[1, 1] = 1   # the initial value must be able to return x[-2]
  const x = [[0, 0], [0, 1]];
  const w = np.full([2, 2], 0.5) as number[][];
  const u = np.eye(2).map((row) => row.map((e) => 0.5 * (1 - e)));
  const v = np.full([2, 2], 0.5) as number[][];
  const n = 10;
  const b = [1, 1];
  // print(compute_seq2(x, u, v, w, b, n))
  show('compute_seq2', compute_seq2(f64(x), f64(u), f64(v), f64(w), f64(b), n) as T.NDArray);
  // x_res[0] = x[0].dot(u) + x[1].dot(v) + np.tanh(x[1].dot(w) + b), and so on with x_res[i - 2], x_res[i - 1]
  const prev = [x[0], x[1]];
  const x_res: number[][] = [];
  for (let i = 0; i < 10; i++) {
    const [tm2, tm1] = [prev.at(-2)!, prev.at(-1)!];
    x_res.push(vadd(vdot(tm2, u), vdot(tm1, v), vadd(vdot(tm1, w), b).map(Math.tanh)));
    prev.push(x_res[i]);
  }
  show('x_res', x_res);
}

{
  section('Scan Example: Computing the Jacobian of y = tanh(v.dot(A)) wrt x');
  const v = T.vector();
  const A = T.matrix();
  // y = T.tanh(T.dot(v, A))
  const y = T.tanh(T.dot(v, A));
  // results, updates = theano.scan(lambda i: T.grad(y[i], v), sequences=[T.arange(y.shape[0])])
  // (as on the page, the loop runs over the indices of y, not over y: T.grad needs y[i] to depend on v)
  const [results] = T.scan((i) => T.grad(T.slice(y, i), v), { sequences: [T.arange(y.shape[0])] });
  // compute_jac_t = theano.function([A, v], results, allow_input_downcast=True)  # shape (d_out, d_in)
  const compute_jac_t = fn([A, v], results as T.Variable);
  // x = np.eye(5)[0]; w = np.eye(5, 3); w[2] = np.ones((3))
  const x = np.eye(5)[0];
  const w = np.eye(5, 3);
  w[2] = [1, 1, 1];
  show('compute_jac_t', compute_jac_t(f64(w), f64(x)) as T.NDArray);
  // print(((1 - np.tanh(x.dot(w)) ** 2) * w).T)
  const s = vdot(x, w).map((e) => 1 - Math.tanh(e) ** 2);
  show('((1 - np.tanh(x.dot(w)) ** 2) * w).T', s.map((sj, j) => w.map((row) => sj * row[j])));
}

{
  section('Scan Example: Accumulate number of loop during a scan');
  // k = theano.shared(0); n_sym = T.iscalar("n_sym")
  const k = T.shared(0, { name: 'k', dtype: 'int32' });
  const n_sym = T.iscalar('n_sym');
  // results, updates = theano.scan(lambda:{k:(k + 1)}, n_steps=n_sym)
  const [, updates] = T.scan(() => new Map([[k, k.add(1)]]), { nSteps: n_sym });
  // accumulator = theano.function([n_sym], [], updates=updates, allow_input_downcast=True)
  const accumulator = fn([n_sym], [], { updates });
  // k.get_value(); accumulator(5); k.get_value()
  show('k.get_value()', k.getValue());
  accumulator(5);
  show('k.get_value() after accumulator(5)', k.getValue());
}

{
  section('Scan Example: Computing tanh(v.dot(W) + b) * d where d is binomial');
  const X = T.matrix('X');
  const W = T.matrix('W');
  const b_sym = T.vector('b_sym');
  // trng = T.shared_randomstreams.RandomStreams(1234); d=trng.binomial(size=W[1].shape)
  const trng = new T.random.RandomStreams(1234);
  const d = trng.binomial(T.slice(W, 1));
  // results, updates = theano.scan(lambda v: T.tanh(T.dot(v, W) + b_sym) * d, sequences=X)
  // d is built outside the step but read inside it, so as in Theano it is drawn anew at every step; the stream's
  // state advances through `updates`
  const [results, updates] = T.scan((v) => T.tanh(T.dot(v, W).add(b_sym)).mul(d), { sequences: X });
  // compute_with_bnoise = theano.function(inputs=[X, W, b_sym], outputs=results, updates=updates, allow_input_downcast=True)
  const compute_with_bnoise = fn([X, W, b_sym], results as T.Variable, { updates });
  // x = np.eye(10, 2); w = np.ones((2, 2)); b = np.ones((2))
  const x = np.eye(10, 2);
  const w = np.full([2, 2], 1);
  const b = np.full([2], 1);
  show('compute_with_bnoise', compute_with_bnoise(f64(x), f64(w), f64(b)) as T.NDArray);
  show('compute_with_bnoise, called again', compute_with_bnoise(f64(x), f64(w), f64(b)) as T.NDArray);
  // "if you want to use a random variable d that will not be updated through scan loops, you should pass this
  // variable as a non_sequences arguments": then d is drawn once per call, the same mask for every step
  const [fixed, fixedUpdates] = T.scan((v, d_) => T.tanh(T.dot(v, W).add(b_sym)).mul(d_), { sequences: X, nonSequences: d });
  const compute_with_fixed_noise = fn([X, W, b_sym], fixed as T.Variable, { updates: fixedUpdates });
  for (const call of [1, 2, 3]) show(`with d as a non-sequence, call ${call}`, compute_with_fixed_noise(f64(x), f64(w), f64(b)) as T.NDArray);
}

{
  section('Scan Example: Computing pow(A, k)');
  const k = T.iscalar('k');
  const A = T.vector('A');
  // def inner_fct(prior_result, B): return prior_result * B
  const inner_fct = (prior_result: T.Variable, B: T.Variable) => prior_result.mul(B);
  // result, updates = theano.scan(fn=inner_fct, outputs_info=T.ones_like(A), non_sequences=A, n_steps=k)
  const [result, updates] = T.scan(inner_fct, { outputsInfo: T.onesLike(A), nonSequences: A, nSteps: k });
  // final_result = result[-1]: scan gives A ** 1 through A ** k; keep only the last
  const final_result = T.slice(result as T.Variable, -1);
  // power = theano.function(inputs=[A, k], outputs=final_result, updates=updates)
  const power = fn([A, k], final_result, { updates });
  // print(power(range(10), 2))
  show('power(range(10), 2)', power(f64(np.arange(10)), 2) as T.NDArray);
}

{
  section('Scan Example: Calculating a Polynomial');
  // coefficients = theano.tensor.vector("coefficients"); x = T.scalar("x"); max_coefficients_supported = 10000
  const coefficients = T.vector('coefficients');
  const x = T.scalar('x');
  const max_coefficients_supported = 10000;
  // full_range=theano.tensor.arange(max_coefficients_supported)
  const full_range = T.arange(max_coefficients_supported);
  // components, updates = theano.scan(fn=lambda coeff, power, free_var: coeff * (free_var ** power),
  //                                   outputs_info=None, sequences=[coefficients, full_range], non_sequences=x)
  // (the sequences differ in length: the loop runs over the shortest, here the 3 coefficients)
  const [components] = T.scan((coeff, power, free_var) => coeff.mul(free_var.pow(power)), {
    outputsInfo: null,
    sequences: [coefficients, full_range],
    nonSequences: x,
  });
  // polynomial = components.sum()
  const polynomial = (components as T.Variable).sum();
  const calculate_polynomial = fn([coefficients, x], polynomial);
  // test_coeff = numpy.asarray([1, 0, 2], dtype=numpy.float32); print(calculate_polynomial(test_coeff, 3))
  const test_coeff = T.array([1, 0, 2], { dtype: 'float32' });
  show('calculate_polynomial(test_coeff, 3)', calculate_polynomial(test_coeff.astype('float64'), 3) as T.NDArray);
}

{
  section('Exercise: the polynomial with the reduction done by scan (loop_solution_1.py)');
  const coefficients = T.vector('coefficients');
  const x = T.scalar('x');
  const full_range = T.arange(10000);
  // outputs_info = tt.as_tensor_variable(np.asarray(0, 'float64'))
  const outputs_info = T.constant(0, 'float64');
  // components, updates = theano.scan(fn=lambda coeff, power, prior_value, free_var:
  //                                   prior_value + (coeff * (free_var ** power)), ...)
  const [components, updates] = T.scan((coeff, power, prior_value, free_var) => prior_value.add(coeff.mul(free_var.pow(power))), {
    sequences: [coefficients, full_range],
    outputsInfo: outputs_info,
    nonSequences: x,
  });
  // polynomial = components[-1]
  const polynomial = T.slice(components as T.Variable, -1);
  const calculate_polynomial = fn([coefficients, x], polynomial, { updates });
  show('calculate_polynomial(test_coeff, 3)', calculate_polynomial(f64([1, 0, 2]), 3) as T.NDArray);
}

{
  section('Library guide: Simple accumulation into a scalar, ditching lambda');
  const up_to = T.iscalar('up_to');
  // def accumulate_by_adding(arange_val, sum_to_date): return sum_to_date + arange_val
  const accumulate_by_adding = (arange_val: T.Variable, sum_to_date: T.Variable) => sum_to_date.add(arange_val);
  // seq = T.arange(up_to): nodeano's arange takes a length that follows from shapes, not from a value, so a
  // symbolic-length range is itself a scan: i + 1 from -1, up_to times
  const [seq] = T.scan((i) => i.add(1), { outputsInfo: T.constant(-1, 'int32'), nSteps: up_to }) as [T.Variable, T.ScanUpdates];
  // outputs_info = T.as_tensor_variable(np.asarray(0, seq.dtype)): the initial value must have the step's dtype
  const outputs_info = T.constant(0, seq.dtype);
  const [scan_result, scan_updates] = T.scan(accumulate_by_adding, { outputsInfo: outputs_info, sequences: seq });
  const triangular_sequence = fn([up_to], scan_result as T.Variable, { updates: scan_updates });
  // some_num = 15; print(triangular_sequence(some_num)); print([n * (n + 1) // 2 for n in range(some_num)])
  const some_num = 15;
  show('triangular_sequence(some_num)', triangular_sequence(some_num) as T.NDArray);
  show('[n * (n + 1) // 2 for n in range(some_num)]', np.arange(some_num).map((n) => (n * (n + 1)) / 2), 'int32');
}

{
  section('Library guide: Another simple example');
  // location = T.imatrix("location"); values = T.vector("values"); output_model = T.matrix("output_model")
  const location = T.imatrix('location');
  const values = T.vector('values', 'float32');
  const output_model = T.matrix('output_model', 'float32');
  // def set_value_at_position(a_location, a_value, output_model):
  //     zeros = T.zeros_like(output_model); zeros_subtensor = zeros[a_location[0], a_location[1]]
  //     return T.set_subtensor(zeros_subtensor, a_value)
  const set_value_at_position = (a_location: T.Variable, a_value: T.Variable, output_model: T.Variable) => {
    const zeros = T.zerosLike(output_model);
    const zeros_subtensor = T.slice(zeros, T.slice(a_location, 0), T.slice(a_location, 1));
    return T.setSubtensor(zeros_subtensor, a_value);
  };
  // result, updates = theano.scan(fn=set_value_at_position, outputs_info=None, sequences=[location, values], non_sequences=output_model)
  const [result, updates] = T.scan(set_value_at_position, { outputsInfo: null, sequences: [location, values], nonSequences: output_model });
  const assign_values_at_positions = fn([location, values, output_model], result as T.Variable, { updates });
  // test_locations = [[1, 1], [2, 3]] (int32); test_values = [42, 50] (float32); test_output_model = zeros((5, 5))
  const test_locations = T.array([[1, 1], [2, 3]], { dtype: 'int32' });
  const test_values = T.array([42, 50], { dtype: 'float32' });
  const test_output_model = T.zeros([5, 5], 'float32');
  show('assign_values_at_positions(test_locations, test_values, test_output_model)', assign_values_at_positions(test_locations, test_values, test_output_model) as T.NDArray);
}

{
  section('Library guide: Using shared variables - Gibbs sampling');
  const rng = new T.RandomState(0);
  // W = theano.shared(W_values); bvis = theano.shared(bvis_values); bhid = theano.shared(bhid_values)
  const W = T.shared(rng.uniform(0, 1, [2, 2], 'float64'), 'W');
  const bvis = T.shared(rng.uniform(0, 1, [2], 'float64'), 'bvis');
  const bhid = T.shared(rng.uniform(0, 1, [2], 'float64'), 'bhid');
  // trng = T.shared_randomstreams.RandomStreams(1234)
  const trng = new T.random.RandomStreams(1234);
  // trng.binomial(size=p.shape, n=1, p=p, dtype=theano.config.floatX)
  const bernoulli = (p: T.Variable) => trng.binomial(p, 1, p, 'float64');
  // def OneStep(vsample, W, bvis, bhid): the shared variables passed explicitly, as the guide recommends
  const OneStep = (vsample: T.Variable, W: T.Variable, bvis: T.Variable, bhid: T.Variable) => {
    const hmean = T.nnet.sigmoid(T.dot(vsample, W).add(bhid));
    const hsample = bernoulli(hmean);
    const vmean = T.nnet.sigmoid(T.dot(hsample, W.T).add(bvis));
    return bernoulli(vmean);
  };
  const sample = T.vector();
  // values, updates = theano.scan(fn=OneStep, outputs_info=sample, non_sequences=[W, bvis, bhid], n_steps=10)
  const [values, updates] = T.scan(OneStep, { outputsInfo: sample, nonSequences: [W, bvis, bhid], nSteps: 10 });
  // gibbs10 = theano.function([sample], values[-1], updates=updates)
  const gibbs10 = fn([sample], T.slice(values as T.Variable, -1), { updates });
  const chains = Array.from({ length: 4 }, () => Array.from((gibbs10(f64([1, 0])) as T.NDArray).data));
  show('gibbs10([1, 0]), four calls', chains);
  // strict=True: a step that reads W, bvis and bhid without taking them as arguments is refused
  const loose = (vsample: T.Variable) => bernoulli(T.nnet.sigmoid(T.dot(bernoulli(T.nnet.sigmoid(T.dot(vsample, W).add(bhid))), W.T).add(bvis)));
  try {
    T.scan(loose, { outputsInfo: sample, nSteps: 10, strict: true });
  } catch (e) {
    console.log(`with strict: ${(e as Error).name}: ${(e as Error).message.split(';')[0]}`);
  }
}

{
  section('Library guide: the updates dictionary after the loop');
  // a = theano.shared(1); values, updates = theano.scan(lambda: {a: a+1}, n_steps=10)
  const a = T.shared(1, { name: 'a', dtype: 'int32' });
  const [, updates] = T.scan(() => new Map([[a, a.add(1)]]), { nSteps: 10 });
  // b = a + 1; c = updates[a] + 1; f = theano.function([], [b, c], updates=updates)
  const b = a.add(1);
  const c = updates.get(a)!.add(1);
  const f = fn([], [b, c], { updates });
  // b does not use the updated a: 2, c is 12 and a 11; called again, b is 12, c 22 and a 21
  for (const call of [1, 2]) {
    const [bv, cv] = f() as T.NDArray[];
    show(`call ${call}: b, c, a.get_value()`, [bv.get(), cv.get(), a.getValue().get()], 'int32');
  }
}
