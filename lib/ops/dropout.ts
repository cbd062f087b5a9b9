import { ArgumentError, DTypeError } from '../errors';
import { isFloat } from '../dtype';
import { asVariable } from '../graph/as-variable';
import { Variable } from '../graph/variable';
import { describe } from '../ndarray';
import { RandomStreams } from './random-streams';
import { mul } from './mul';

export interface DropoutOptions {
  /** Return x unchanged (evaluation mode). */
  deterministic?: boolean;
  /** The opposite of deterministic: `training: false` returns x unchanged. */
  training?: boolean;
}

/**
 * Inverted dropout: each element of x is zeroed with probability p and the rest scaled by 1 / (1 - p), so the
 * expectation is x; the mask is a fresh draw of `srng` on every call, with x's run-time shape.
 * @example const h = T.nnet.dropout(T.nnet.relu(T.dot(x, W)), 0.5, srng, { training: isTraining })
 */
export function dropout(x: unknown, p: number, srng: RandomStreams, opts: DropoutOptions = {}): Variable {
  const v = asVariable(x, 'dropout', 'x');
  const bad: string[] = [];
  if (typeof p !== 'number' || !(p >= 0 && p < 1)) bad.push(`p must be a drop probability in [0, 1), got ${describe(p)}`);
  if (!(srng instanceof RandomStreams)) bad.push(`srng must be a T.random.RandomStreams, got ${describe(srng)}`);
  if (opts === null || typeof opts !== 'object') bad.push(`options must be an object, got ${describe(opts)}`);
  else {
    for (const k of Object.keys(opts)) if (k !== 'deterministic' && k !== 'training') bad.push(`option ${JSON.stringify(k)} is not known (known: deterministic, training)`);
    if (opts.deterministic !== undefined && opts.training !== undefined && opts.deterministic === opts.training) {
      bad.push(`deterministic and training must not contradict each other, got deterministic=${opts.deterministic} and training=${opts.training}`);
    }
  }
  if (!isFloat(v.dtype)) throw new DTypeError(`dropout: x must have a float dtype, got ${v.type}${bad.length ? `; ${bad.join('; ')}` : ''}`);
  if (bad.length) throw new ArgumentError(`dropout: ${bad.join('; ')}`);
  if (opts.deterministic === true || opts.training === false || p === 0) return v;
  const keep = srng.binomial(v, 1, 1 - p, v.dtype);
  return mul(mul(v, keep), 1 / (1 - p));
}
