import { Variable } from '../graph/variable';
import { slice } from '../ops/subtensor';
import { scan, ScanOptions, ScanUpdates } from './scan';

type StepFn = (...args: Variable[]) => unknown;
type Rest = Omit<ScanOptions, 'sequences' | 'outputsInfo' | 'nonSequences'>;

/** Theano's map: fn applied to each step of the sequences, no state carried. @example T.map((x) => x.sqr(), X) */
export function map(fn: StepFn, sequences: ScanOptions['sequences'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [Variable | Variable[], ScanUpdates] {
  return scan(fn, { ...opts, sequences, nonSequences });
}

/** The last step's values of a scan (Theano's reduce): out[-1] of every output. */
function last([outs, updates]: [Variable | Variable[], ScanUpdates]): [Variable | Variable[], ScanUpdates] {
  return [Array.isArray(outs) ? outs.map((o) => slice(o, -1)) : slice(outs, -1), updates];
}

/** Theano's reduce: fn(x_t, acc) over the sequences, returning the final accumulator. @example T.reduce((x, s) => s.add(x), X, 0) */
export function reduce(fn: StepFn, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [Variable | Variable[], ScanUpdates] {
  return last(scan(fn, { ...opts, sequences, outputsInfo, nonSequences }));
}

/** reduce from the first step to the last. */
export function foldl(fn: StepFn, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [Variable | Variable[], ScanUpdates] {
  return reduce(fn, sequences, outputsInfo, nonSequences, { ...opts, goBackwards: false });
}

/** reduce from the last step to the first. */
export function foldr(fn: StepFn, sequences: ScanOptions['sequences'], outputsInfo: ScanOptions['outputsInfo'], nonSequences?: ScanOptions['nonSequences'], opts: Rest = {}): [Variable | Variable[], ScanUpdates] {
  return reduce(fn, sequences, outputsInfo, nonSequences, { ...opts, goBackwards: true });
}
