// The scan section of npm run bench: what one step of a loop costs on tiny shapes, where the loop's own overhead is
// all there is to see. Run alone with `npm run bench -- scan`.
import * as T from '../lib';
import { compare, Section } from './harness';

const STEPS = 1000;
const BATCH = 1;
const HIDDEN = 8;

/** h[t] = tanh(x[t] W + h[t-1] U) over STEPS steps, batch 1, hidden 8, float32: per step, native and TypeScript. */
export function scanSection(native: boolean): Section {
  const rng = new T.RandomState(3);
  const xs = rng.uniform(-1, 1, [STEPS, BATCH, HIDDEN], 'float32');
  const h0 = rng.uniform(-1, 1, [BATCH, HIDDEN], 'float32');
  const Wv = rng.uniform(-0.5, 0.5, [HIDDEN, HIDDEN], 'float32');
  const Uv = rng.uniform(-0.5, 0.5, [HIDDEN, HIDDEN], 'float32');
  const loop = (backend: 'js' | 'native') => {
    const X = T.tensor3('X', 'float32');
    const H = T.fmatrix('h0');
    const W = T.fmatrix('W');
    const U = T.fmatrix('U');
    const [h] = T.scan((x: T.Variable, hp: T.Variable) => T.tanh(x.dot(W).add(hp.dot(U))), { sequences: X, outputsInfo: H }) as [T.Variable, T.ScanUpdates];
    const f = T.function([X, H, W, U], h, { backend });
    const out = T.zeros([STEPS, BATCH, HIDDEN], 'float32');
    return (n: number) => {
      for (let i = 0; i < n; i++) f.into(out, xs, h0, Wv, Uv);
    };
  };
  // the same step compiled alone and called once per step from JavaScript: what the loop inside the program saves
  const stepwise = () => {
    const x = T.fmatrix('x');
    const h = T.fmatrix('h');
    const W = T.fmatrix('W');
    const U = T.fmatrix('U');
    const f = T.function([x, h, W, U], T.tanh(x.dot(W).add(h.dot(U))), { backend: 'native' });
    const row = BATCH * HIDDEN;
    const rows = Array.from({ length: STEPS }, (_, t) => new T.NDArray((xs.data as Float32Array).slice(t * row, (t + 1) * row), [BATCH, HIDDEN]));
    const outs = [T.zeros([BATCH, HIDDEN], 'float32'), T.zeros([BATCH, HIDDEN], 'float32')];
    return (n: number) => {
      for (let i = 0; i < n; i++) {
        let hp = h0;
        for (let t = 0; t < STEPS; t++) {
          f.into(outs[t & 1], rows[t], hp, Wv, Uv);
          hp = outs[t & 1];
        }
      }
    };
  };
  const cases = native ? [{ name: 'native scan (one call)', run: loop('native') }] : [];
  cases.push({ name: 'TypeScript scan (one call)', run: loop('js') });
  if (native) cases.push({ name: 'native step function called per step from JS', run: stepwise() });
  const results = compare(cases, { rounds: 5, roundMs: 200 }).map((r) => ({ ...r, ns: r.ns / STEPS }));
  return {
    title: `tanh RNN, ${STEPS} steps, batch ${BATCH}, hidden ${HIDDEN}, float32: time per step`,
    baseline: native ? 'native scan (one call)' : 'TypeScript scan (one call)',
    results,
    notes: ['Target: native at most 2 µs per step (issue 12). The loop runs inside the program: one N-API call per call, the body planned once.'],
  };
}
