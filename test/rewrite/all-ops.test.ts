import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close } from '../helpers';
import { compileOn } from './support';
import { CASES, NO_CASE, outputsOf, publicOps } from '../op-cases';

// Every public op, compiled with rewrites 'all' and 'none' on every backend, must give the same numbers: forward,
// and the gradient of a scalar built from the outputs where the op has one. The cases are in test/op-cases.ts.

describe('every public op computes the same numbers with rewrites on and off', () => {
  it('has a case for every function exported by lib/ops/index.ts (add one to CASES when you add an op)', () => {
    const missing = publicOps.filter((n) => !(n in CASES) && !(n in NO_CASE));
    expect(missing, `no case in test/rewrite/all-ops.test.ts for: ${missing.join(', ')}`).toEqual([]);
  });

  for (const name of publicOps.filter((n) => n in CASES)) {
    it(name, () => {
      for (const c of CASES[name]) {
        // a fresh graph per compilation, so ops with state (random streams) start alike in each
        const ref = outputsOf(c);
        const want = T.function(ref.vars, [...ref.outs, ...ref.grads], { rewrites: 'none', backend: 'js', onUnusedInput: 'ignore' })(...c.inputs) as T.NDArray[];
        for (const rewrites of ['all', 'none'] as const) {
          for (const backend of backends) {
            const g = outputsOf(c);
            const f = compileOn(backend, g.vars, [...g.outs, ...g.grads], rewrites);
            if (!f) continue;
            const got = f(...c.inputs) as T.NDArray[];
            got.forEach((o, i) => {
              expect(o.dtype, `${backend} ${rewrites} output ${i}`).toBe(want[i].dtype);
              close(o, want[i].toArray() as T.NestedArray, c.tol ?? (o.dtype === 'float32' ? 1e-5 : 1e-9));
            });
          }
        }
      }
    });
  }
});
