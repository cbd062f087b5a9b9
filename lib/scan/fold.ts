import { Variable } from '../graph/variable';
import { slice } from '../ops/subtensor';
import { scan, ScanOptions, ScanResult, ScanUpdates } from './scan';

type StepFn<R> = (...args: Variable[]) => R;
type Rest = Omit<ScanOptions, 'sequences' | 'outputsInfo' | 'nonSequences'>;

/** Theano's map: fn applied to each step of the sequences, no state carried. @example T.map((x) => x.sqr(), X) */
export function map<R>(fn: StepFn<R>, sequences: ScanOptions['sequences'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [ScanResult<R>, ScanUpdates] {
  return scan<R>(fn, { ...opts, sequences, nonSequences });
}

/** The last step's values of a scan (Theano's reduce): out[-1] of every output. */
function last<R>([outs, updates]: [ScanResult<R>, ScanUpdates]): [ScanResult<R>, ScanUpdates] {
  const o = outs as Variable | Variable[];
  return [(Array.isArray(o) ? o.map((v) => slice(v, -1)) : slice(o, -1)) as ScanResult<R>, updates];
}

/** Theano's reduce: fn(x_t, acc) over the sequences, returning the final accumulator. @example T.reduce((x, s) => s.add(x), X, 0) */
export function reduce<R>(fn: StepFn<R>, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [ScanResult<R>, ScanUpdates] {
  return last<R>(scan<R>(fn, { ...opts, sequences, outputsInfo, nonSequences }));
}

/** reduce from the first step to the last. */
export function foldl<R>(fn: StepFn<R>, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [ScanResult<R>, ScanUpdates] {
  return reduce<R>(fn, sequences, outputsInfo, nonSequences, { ...opts, goBackwards: false });
}

/** reduce from the last step to the first. */
export function foldr<R>(fn: StepFn<R>, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [ScanResult<R>, ScanUpdates] {
  return reduce<R>(fn, sequences, outputsInfo, nonSequences, { ...opts, goBackwards: true });
}
