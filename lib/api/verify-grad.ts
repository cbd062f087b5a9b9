import { ArgumentError, GradError } from '../errors';
import { isFloat } from '../dtype';
import { array, describe, NDArray } from '../ndarray';
import { constant } from '../graph/as-variable';
import { tensor } from '../graph/tensor';
import { Variable } from '../graph/variable';
import { compileFunction } from './function';
import { mul } from '../ops/mul';
import { sum } from '../ops/sum';
import { RandomState } from '../random/random-state';
import { grad } from '../grad/grad';

export interface VerifyGradOptions {
  /** Finite-difference step (default 1e-6 for float64, 1e-3 for float32). */
  eps?: number;
  /** Allowed absolute and relative error; an element passes if either holds (defaults 1e-5 / 1e-2 by dtype). */
  absTol?: number;
  relTol?: number;
  /** Seed of the random projection that turns a tensor output into a scalar cost. */
  seed?: number;
}

/**
 * Checks the symbolic gradient of `fn` at `inputs` against central finite differences, Theano's verify_grad:
 * the output is projected onto a fixed random tensor to get a scalar, and every input element is perturbed.
 * Nested arrays are taken as float64; NDArrays keep their dtype. Throws a GradError describing the worst mismatch.
 * @example T.verifyGrad((x) => T.sigmoid(x), [[0.5, -2, 3]]);
 */
export function verifyGrad(fn: (...xs: Variable[]) => Variable, inputs: readonly unknown[], opts: VerifyGradOptions = {}): void {
  if (typeof fn !== 'function') throw new ArgumentError(`verifyGrad: fn must be a function of Variables, got ${describe(fn)}`);
  if (!Array.isArray(inputs) || inputs.length === 0) throw new ArgumentError(`verifyGrad: inputs must be a non-empty array of values, got ${describe(inputs)}`);
  const values = inputs.map((v) => (v instanceof NDArray ? v.copy() : array(v, { dtype: 'float64' })));
  const bad = values.map((v, i) => (isFloat(v.dtype) ? null : `inputs[${i}] must be float, got ${v.dtype}`)).filter((x): x is string => !!x);
  if (bad.length) throw new ArgumentError(`verifyGrad: ${bad.join('; ')}`);
  const single = values.every((v) => v.dtype === 'float32');
  const eps = opts.eps ?? (single ? 1e-3 : 1e-6);
  const absTol = opts.absTol ?? (single ? 1e-2 : 1e-5);
  const relTol = opts.relTol ?? (single ? 1e-2 : 1e-5);

  const vars = values.map((v, i) => tensor(v.dtype, v.shape.map(() => null), `x${i}`));
  const out = fn(...vars);
  if (!(out instanceof Variable)) throw new ArgumentError(`verifyGrad: fn must return a Variable, got ${describe(out)}`);
  const outShape = (compileFunction(vars, out, { onUnusedInput: 'ignore' })(...values) as NDArray).shape;
  const proj = new RandomState(opts.seed ?? 1234).uniform(-1, 1, outShape);
  const cost = sum(mul(out, constant(proj, out.dtype)));
  const costFn = compileFunction(vars, cost, { onUnusedInput: 'ignore' });
  const gradFn = compileFunction(vars, grad(cost, vars), { onUnusedInput: 'ignore' });
  const analytic = gradFn(...values) as NDArray[];
  const evalCost = () => (costFn(...values) as NDArray).data[0];

  values.forEach((v, i) => {
    let worst = { k: -1, a: 0, n: 0, err: -1 };
    for (let k = 0; k < v.size; k++) {
      const x0 = v.data[k];
      v.data[k] = x0 + eps;
      const up = evalCost();
      v.data[k] = x0 - eps;
      const down = evalCost();
      v.data[k] = x0;
      const n = (up - down) / (2 * eps);
      const a = analytic[i].data[k];
      // a NaN or infinite gradient on either side fails (NaN against NaN too: nothing was checked there)
      const err = Number.isFinite(a) && Number.isFinite(n) ? Math.abs(a - n) : Infinity;
      const ok = err <= absTol || err <= relTol * Math.max(Math.abs(a), Math.abs(n));
      if (!ok && (err > worst.err || worst.k < 0)) worst = { k, a, n, err };
    }
    if (worst.k >= 0) {
      throw new GradError(
        `verifyGrad: gradient of input ${i} (shape [${v.shape.join(', ')}]) disagrees with finite differences at flat index ${worst.k}: ` +
          `symbolic ${worst.a}, numeric ${worst.n} (abs error ${worst.err.toExponential(2)}, tolerances abs ${absTol} rel ${relTol}, eps ${eps})`,
      );
    }
  });
}
