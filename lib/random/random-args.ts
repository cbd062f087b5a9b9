// Argument checking for RandomState: every bad argument of a call is collected and reported in one error (the
// library's listProblems format), whose class says what kind of problem it was.
import { ArgumentError, DTypeError, listProblems, ShapeError } from '../errors';
import { describe, MAX_DIM, MAX_ELEMENTS, shapeStr, sizeOf } from '../ndarray';
import type { FloatX } from '../config';
import type { TypedArray } from '../dtype';
import { MT_N } from './mt19937';

/** The dtypes `randint` can produce (NumPy's bool path draws differently, so bool is not offered). */
export type RandintDType = 'int32' | FloatX;

export const UINT32_MAX = 0xffffffff;
const INT32_MIN = -0x80000000;
const INT32_LIMIT = 0x80000000;
/** Typed arrays are indexed with int32 elsewhere in nodeano, so larger draws are refused up front. */
export { MAX_ELEMENTS };

/** A seed: an integer in [0, 2**32 - 1]. */
export function checkSeed(seed: unknown, where: string): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > UINT32_MAX) {
    throw new ArgumentError(`${where}: seed must be an integer in [0, ${UINT32_MAX}], got ${show(seed)}`);
  }
  return seed;
}

/** Any typed array (not a DataView). */
export function isTypedArray(x: unknown): x is TypedArray {
  return ArrayBuffer.isView(x) && !(x instanceof DataView);
}

/** `describe` with the kind of value spelled out for strings and odd values, for argument errors. */
export function show(v: unknown): string {
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'function';
  if (typeof v === 'symbol') return 'symbol';
  if (typeof v === 'bigint') return `bigint ${v}n`;
  return describe(v);
}

export type ProblemKind = 'arg' | 'shape' | 'dtype';

/** Collects every bad argument of one call so the error names them all at once. */
export class Problems {
  private readonly items: { kind: ProblemKind; text: string }[] = [];
  constructor(private readonly where: string) {}
  add(kind: ProblemKind, text: string): void {
    this.items.push({ kind, text });
  }
  throwIfAny(): void {
    if (this.items.length === 0) return;
    const msg = listProblems(this.where, this.items.map((p) => p.text));
    const kinds = new Set(this.items.map((p) => p.kind));
    if (kinds.size === 1 && kinds.has('shape')) throw new ShapeError(msg);
    if (kinds.size === 1 && kinds.has('dtype')) throw new DTypeError(msg);
    throw new ArgumentError(msg);
  }
}

export function finiteNumber(v: unknown, name: string, p: Problems): v is number {
  if (typeof v === 'number' && Number.isFinite(v)) return true;
  p.add('arg', `${name} must be a finite number, got ${show(v)}`);
  return false;
}

export function int32Bound(v: unknown, name: string, p: Problems): v is number {
  if (typeof v === 'number' && Number.isInteger(v) && v >= INT32_MIN && v <= INT32_LIMIT) return true;
  p.add('arg', `${name} must be an integer in [${INT32_MIN}, ${INT32_LIMIT}] (results must fit int32), got ${show(v)}`);
  return false;
}

function isDim(d: unknown): d is number {
  return typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= MAX_DIM;
}

/** What a dimension must be: non-negative, and no larger than an array dim can be. */
const dimRule = (d: unknown) => (typeof d === 'number' && Number.isInteger(d) && d > MAX_DIM ? `must be at most ${MAX_DIM}` : 'must be a non-negative integer');

function checkSize(shape: number[], p: Problems): void {
  if (sizeOf(shape) > MAX_ELEMENTS) {
    p.add('shape', `shape ${shapeStr(shape)} must have at most ${MAX_ELEMENTS} elements, got ${sizeOf(shape)}`);
  }
}

/** A `shape` argument: undefined (0-d), a length, or an array of dimensions. */
export function readShape(shape: unknown, p: Problems): number[] {
  if (shape === undefined) return [];
  if (isDim(shape)) return [shape];
  if (!Array.isArray(shape)) {
    p.add('shape', `shape must be a non-negative integer (at most ${MAX_DIM}) or an array of them, got ${show(shape)}`);
    return [];
  }
  let ok = true;
  shape.forEach((d, i) => {
    if (!isDim(d)) {
      p.add('shape', `shape[${i}] ${dimRule(d)}, got ${show(d)}`);
      ok = false;
    }
  });
  if (!ok) return [];
  checkSize(shape, p);
  return shape.slice();
}

/** Splits `rand(2, 3, 'float32')`-style arguments into dimensions and an optional trailing dtype. */
export function variadicShape(args: unknown[], method: string, p: Problems): { shape: number[]; dtype: FloatX } {
  let dims = args;
  let dtype: FloatX = 'float64';
  if (args.length > 0 && typeof args[args.length - 1] === 'string') {
    dims = args.slice(0, -1);
    dtype = floatDType(args[args.length - 1], p);
  }
  let ok = true;
  dims.forEach((d, i) => {
    if (!isDim(d)) {
      const hint = Array.isArray(d) ? ` (pass dimensions as separate arguments, e.g. ${method}(2, 3))` : '';
      p.add('shape', `dimension ${i} ${dimRule(d)}, got ${show(d)}${hint}`);
      ok = false;
    }
  });
  const shape = ok ? (dims as number[]) : [];
  checkSize(shape, p);
  return { shape, dtype };
}

export function floatDType(dtype: unknown, p: Problems): FloatX {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  p.add('dtype', `dtype must be "float32" or "float64", got ${show(dtype)}`);
  return 'float64';
}

export function randintDType(dtype: unknown, p: Problems): RandintDType {
  if (dtype === 'int32' || dtype === 'float32' || dtype === 'float64') return dtype;
  p.add('dtype', `dtype must be "int32", "float32" or "float64", got ${show(dtype)}`);
  return 'int32';
}

/** The first reason `key` is not 624 uint32 words, or null when it is. */
export function firstBadWord(key: unknown): string | null {
  if (!Array.isArray(key) && !isTypedArray(key)) return show(key);
  const k = key as ArrayLike<unknown>;
  if (k.length !== MT_N) return `${show(key)} of length ${k.length}`;
  for (let i = 0; i < MT_N; i++) {
    const w = k[i];
    if (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > UINT32_MAX) return `key[${i}] = ${show(w)}`;
  }
  return null;
}
