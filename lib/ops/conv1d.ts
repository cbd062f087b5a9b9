import { ArgumentError } from '../errors';
import { asVariable } from '../graph/as-variable';
import type { Variable } from '../graph/variable';
import { describe, showValue } from '../ndarray';
import { conv2d } from './conv2d';
import { expandDims } from './expand-dims';
import { squeeze } from './squeeze';

/** conv1d's options: as conv2d's, with one number where conv2d takes a pair. */
export interface Conv1dOptions {
  /** Hint of the input's shape [N, C, W] (entries may be null). */
  inputShape?: readonly (number | null)[];
  /** Hint of the filters' shape [K, C / numGroups, w] (entries may be null). */
  filterShape?: readonly (number | null)[];
  borderMode?: 'valid' | 'full' | 'half' | number;
  subsample?: number;
  filterFlip?: boolean;
  filterDilation?: number;
  numGroups?: number;
}

const KEYS = ['inputShape', 'filterShape', 'borderMode', 'subsample', 'filterFlip', 'filterDilation', 'numGroups'];

/**
 * 1-D convolution of [N, C, W] with filters [K, C / numGroups, w]: conv2d over a height of 1 (for a filter of height
 * 1, 'full' and 'half' pad that axis by 0), so its gradients are conv2d's.
 * @example T.nnet.conv1d(x, W, { borderMode: 'half' })   // [4, 8, 100] * [16, 8, 5] -> [4, 16, 100]
 */
export function conv1d(input: unknown, filters: unknown, opts: Conv1dOptions = {}): Variable {
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts)) throw new ArgumentError(`conv1d: options must be an object, got ${describe(opts)}`);
  const x = asVariable(input, 'conv1d', 'input');
  const w = asVariable(filters, 'conv1d', 'filters');
  const problems: string[] = [];
  if (x.ndim !== 3) problems.push(`input must have rank 3 [N, C, W], got ${x.type}`);
  if (w.ndim !== 3) problems.push(`filters must have rank 3 [K, C / numGroups, w], got ${w.type}`);
  for (const k of Object.keys(opts)) if (!KEYS.includes(k)) problems.push(`unknown option ${JSON.stringify(k)} (known: ${KEYS.join(', ')})`);
  const one = (key: 'subsample' | 'filterDilation') => {
    const v = opts[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isInteger(v) && v >= 1)) problems.push(`${key} must be an integer >= 1, got ${showValue(v)}`);
    return (v ?? 1) as number;
  };
  const hint = (key: 'inputShape' | 'filterShape') => {
    const v = opts[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.length !== 3) {
      problems.push(`${key} must be 3 sizes, got ${showValue(v)}`);
      return undefined;
    }
    return [v[0], v[1], 1, v[2]];
  };
  const bm = opts.borderMode;
  const borderMode = typeof bm === 'number' ? ([0, bm] as const) : bm;
  const [s, d, xh, wh] = [one('subsample'), one('filterDilation'), hint('inputShape'), hint('filterShape')];
  if (problems.length) throw new ArgumentError(`conv1d: ${problems.join('; ')}`);
  const out = conv2d(expandDims(x, [2]), expandDims(w, [2]), {
    borderMode, subsample: [1, s], filterDilation: [1, d], filterFlip: opts.filterFlip, numGroups: opts.numGroups, inputShape: xh, filterShape: wh,
  });
  return squeeze(out, 2);
}
