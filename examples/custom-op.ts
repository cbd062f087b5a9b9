// Writing your own op: T.defineOp is Theano's Op with perform / infer_shape / grad, T.asOp is its as_op shortcut.
// A custom op with only a JS kernel runs on the TypeScript backend: with backend "auto" the function runs there,
// with backend "native" T.function throws a CompileError naming the op and the missing kernel.
//
//   npx tsx examples/custom-op.ts [--backend auto|js|native]
import * as T from '../lib';

const arg = process.argv.indexOf('--backend');
const backend = arg >= 0 ? process.argv[arg + 1] : 'auto';
if (!['auto', 'js', 'native'].includes(backend)) throw new T.ArgumentError(`--backend must be auto, js or native, got ${backend}`);
const opts = backend === 'auto' ? {} : { backend: backend as 'js' | 'native' };

// softsign(x) = x / (1 + |x|), elementwise: the output has x's type, and the default shape rule (input 0's shape)
// fits it, so no inferShape is needed
const softsign = T.defineOp({
  name: 'softsign',
  outputTypes: ([x]) => [x.type],
  perform: ([x], [out]) => {
    for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] / (1 + Math.abs(x.data[i]));
  },
  grad: ([x], _outputs, [g]) => [g.div(T.sqr(T.abs(x).add(1)))], // d softsign(x) = dx / (1 + |x|)^2
});

// as_op: a plain function over NDArrays that returns its result; sorting has no gradient, so none is given
const vector = { dtype: 'float64' as const, shape: [null] };
const sortVector = T.asOp({ name: 'sortVector', itypes: [vector], otypes: [vector], perform: (x) => x.data.slice().sort() });

// a summary op with its own shape rule: [n] -> [2] (the minimum and the maximum)
const range = T.asOp({
  name: 'range',
  itypes: [vector],
  otypes: [{ dtype: 'float64', shape: [2] }],
  inferShape: () => [[2]],
  perform: (x) => [Math.min(...x.data), Math.max(...x.data)],
});

const x = T.dvector('x');
let f;
try {
  f = T.function([x], [softsign(x), T.grad(T.sum(softsign(x)), x), sortVector(x), range(x)], opts);
} catch (e) {
  if (!(e instanceof T.CompileError)) throw e;
  console.log(`with backend ${backend}: ${e.name}: ${e.message.split('\n')[0]}`);
  process.exit(0);
}
const [y, dy, sorted, minMax] = f([2, -3, 0.5]) as T.NDArray[];
console.log(`backend: ${f.info().backend}`);
console.log(`softsign: ${y}`);
console.log(`gradient: ${dy}`);
console.log(`sorted: ${sorted}`);
console.log(`range: ${minMax}`);

// the gradient agrees with finite differences (T.verifyGrad throws a GradError where it does not)
T.verifyGrad((v) => softsign(v), [[2, -3, 0.5, 0]]);
console.log('gradient of softsign checked against finite differences');

// and the op trains like any other: fit w in softsign(w x) to targets made with w = 1.5
const xs = [-2, -1, 0.5, 1, 3];
const targets = xs.map((v) => (1.5 * v) / (1 + Math.abs(1.5 * v)));
const w = T.shared(T.array(0.2, { dtype: 'float64' }), { name: 'w' });
const t = T.dvector('t');
const cost = T.mean(T.sqr(softsign(x.mul(w)).sub(t)));
const step = T.function([x, t], cost, { ...opts, updates: [[w, w.sub(T.grad(cost, w).mul(2))]] });
for (let i = 0; i < 300; i++) step(xs, targets);
console.log(`fitted w: ${w.getValue().get().toFixed(4)}`);
