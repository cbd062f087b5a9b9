import { describe, expect, it } from 'vitest';
import * as T from '../../lib';
import { backends, close, expectError, nativeHas } from '../helpers';

const dropoutBackends = backends.filter((b) => b === 'js' || nativeHas('RandomBinomial', 'Mul'));

describe('dropout', () => {
  const srng = new T.random.RandomStreams(1);
  describe('bad input', () => {
    it('rejects a bad p, a missing stream, unknown options and integer x, listing every problem', () => {
      expectError(() => T.nnet.dropout(T.dmatrix('x'), 1, srng), T.ArgumentError, 'dropout: p must be a drop probability in [0, 1), got number 1');
      expectError(() => T.nnet.dropout(T.dmatrix('x'), -0.1, {} as never), T.ArgumentError, 'p must be a drop probability', 'srng must be a T.random.RandomStreams, got Object');
      expectError(() => T.nnet.dropout(T.dmatrix('x'), 0.5, srng, { train: true } as never), T.ArgumentError, 'option "train" is not known');
      expectError(() => T.nnet.dropout(T.dmatrix('x'), 0.5, srng, { deterministic: true, training: true }), T.ArgumentError, 'must not contradict');
      expectError(() => T.nnet.dropout(T.imatrix('x'), 0.5, srng), T.DTypeError, 'dropout: x must have a float dtype, got int32[?, ?]');
    });
  });

  it('is the identity when deterministic, when not training, and for p = 0', () => {
    const x = T.dmatrix('x');
    expect(T.nnet.dropout(x, 0.5, srng, { deterministic: true })).toBe(x);
    expect(T.nnet.dropout(x, 0.5, srng, { training: false })).toBe(x);
    expect(T.nnet.dropout(x, 0, srng)).toBe(x);
  });

  it('zeroes a fraction p and scales the rest by 1/(1-p); a new mask each call, any batch size', () => {
    for (const backend of dropoutBackends) {
      const x = T.dmatrix('x');
      const f = T.function([x], T.nnet.dropout(x, 0.25, new T.random.RandomStreams(8)), { backend });
      const a = (f(T.ones([400, 250], 'float64')) as T.NDArray).data;
      let zeros = 0;
      let other = 0;
      for (const v of a) {
        if (v === 0) zeros++;
        else if (v !== 1 / 0.75) other++;
      }
      expect(other).toBe(0);
      // 1e5 draws: the standard error of the frequency is 0.00137
      expect(Math.abs(zeros / a.length - 0.25)).toBeLessThan(0.007);
      const b = (f(T.ones([400, 250], 'float64')) as T.NDArray).data;
      expect(Array.from(b)).not.toEqual(Array.from(a));
      expect((f(T.ones([3, 2], 'float64')) as T.NDArray).shape).toEqual([3, 2]);
    }
  });

  it('passes the gradient through the kept elements only, scaled by 1/(1-p)', () => {
    const x = T.dvector('x');
    const y = T.nnet.dropout(x, 0.5, new T.random.RandomStreams(4));
    const f = T.function([x], [y, T.grad(T.sum(T.mul(y, 3)), x)], { noDefaultUpdates: true });
    const [out, g] = f(T.full([50], 2, 'float64')) as T.NDArray[];
    close(g, Array.from(out.data).map((v) => (v === 0 ? 0 : 6)));
    expect(Array.from(out.data).some((v) => v === 0) && Array.from(out.data).some((v) => v === 4)).toBe(true);
  });
});
