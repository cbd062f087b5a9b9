import { ArgumentError, FormatError } from '../errors';
import { SharedVariable } from '../graph/variable';
import { describe, NDArray, shapeStr } from '../ndarray';
import { decodeSafetensors, encodeSafetensors } from './safetensors';
import { readFileChecked, setOwn, writeFileAtomic } from './atomic';

/** Named shared variables (or a list of them, named by their own names). */
export type CheckpointVars = Record<string, SharedVariable> | readonly SharedVariable[];

export interface LoadCheckpointOptions {
  /** Fail if the file holds tensors that `vars` does not name (default true). */
  strict?: boolean;
}

function named(vars: CheckpointVars, where: string): [string, SharedVariable][] {
  if (vars === null || typeof vars !== 'object') throw new ArgumentError(`${where}: vars must be an object of name: shared variable or an array of named shared variables, got ${describe(vars)}`);
  const problems: string[] = [];
  let entries: [string, SharedVariable][];
  if (Array.isArray(vars)) {
    entries = vars.map((v, i) => {
      if (!(v instanceof SharedVariable)) problems.push(`vars[${i}] must be a shared variable, got ${describe(v)}`);
      else if (!v.name) problems.push(`vars[${i}] has no name; name it (T.shared(value, 'W1')) or pass an object { W1: ... }`);
      return [v?.name ?? '', v] as [string, SharedVariable];
    });
    const seen = new Set<string>();
    for (const [n] of entries) {
      if (n && seen.has(n)) problems.push(`two shared variables are named ${JSON.stringify(n)}; pass an object to give them distinct names`);
      seen.add(n);
    }
  } else {
    entries = Object.entries(vars as Record<string, SharedVariable>);
    for (const [k, v] of entries) if (!(v instanceof SharedVariable)) problems.push(`vars.${k} must be a shared variable, got ${describe(v)}`);
  }
  if (problems.length) throw new ArgumentError(`${where}: ${problems.join('; ')}`);
  return entries;
}

/**
 * Saves shared variables (parameters and optimizer state alike) to a safetensors file, atomically: the file is
 * written to a temporary name, fsynced and renamed, so a crash mid-save leaves the previous checkpoint intact.
 * @example T.io.saveCheckpoint('mlp.safetensors', [W1, b1, W2, b2, ...T.train.stateOf(updates)], { epoch: '3' })
 */
export function saveCheckpoint(file: string, vars: CheckpointVars, metadata: Record<string, string> = {}): void {
  const where = 'saveCheckpoint';
  const tensors: Record<string, NDArray> = {};
  for (const [name, v] of named(vars, where)) {
    if (v.isDisposed) throw new ArgumentError(`${where}: shared variable ${JSON.stringify(name)} was disposed`);
    setOwn(tensors, name, v.getValue({ borrow: true }));
  }
  writeFileAtomic(file, encodeSafetensors(tensors, { format: 'nodeano', ...metadata }, where), where);
}

/**
 * Restores shared variables from a checkpoint. Everything is validated first (every name present, same dtype,
 * same shape as the variable's current value); on any problem nothing is changed and a FormatError lists them all.
 * Returns the file's metadata.
 * @example const meta = T.io.loadCheckpoint('mlp.safetensors', [W1, b1, W2, b2])
 */
export function loadCheckpoint(file: string, vars: CheckpointVars, opts: LoadCheckpointOptions = {}): Record<string, string> {
  const where = 'loadCheckpoint';
  const entries = named(vars, where);
  const { tensors, metadata } = decodeSafetensors(readFileChecked(file, where), `${where}(${JSON.stringify(file)})`);
  const problems: string[] = [];
  for (const [name, v] of entries) {
    const t = Object.hasOwn(tensors, name) ? tensors[name] : undefined;
    if (!t) {
      problems.push(`${JSON.stringify(name)} is missing from the file`);
      continue;
    }
    const cur = v.getValue({ borrow: true });
    if (t.dtype !== v.dtype) problems.push(`${JSON.stringify(name)} must have dtype ${v.dtype}, the file has ${t.dtype}`);
    if (t.shape.length !== cur.shape.length || t.shape.some((d, i) => d !== cur.shape[i])) {
      problems.push(`${JSON.stringify(name)} must have shape ${shapeStr(cur.shape)}, the file has ${shapeStr(t.shape)}`);
    }
  }
  if (opts.strict !== false) {
    const wanted = new Set(entries.map(([n]) => n));
    const extra = Object.keys(tensors).filter((k) => !wanted.has(k));
    if (extra.length) problems.push(`the file also holds ${extra.map((k) => JSON.stringify(k)).join(', ')}, which vars does not name (pass { strict: false } to ignore them)`);
  }
  if (problems.length) throw new FormatError(`${where}(${JSON.stringify(file)}): ${problems.join('; ')}; no variable was changed`);
  for (const [name, v] of entries) v.setValue(tensors[name], { borrow: true });
  return metadata;
}
