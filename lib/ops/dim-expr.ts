import { ArgumentError } from '../errors';
import { Constant, Variable } from '../graph/variable';
import { describe, MAX_DIM } from '../ndarray';
import { labelOf } from '../graph/printing';
import { AddOp } from './add';
import { MulOp } from './mul';
import { NegOp } from './neg';
import { ShapeIOp } from './shape';
import { SubOp } from './sub';

// Sizes that ops like reshape, split, arange and eye take symbolically. A size must be computable from the run-time
// SHAPES of the function's inputs (memory plans are made from shapes before any data exists), so it is a polynomial
// in dims of other variables: Σ coef · Π ref.shape[axis]. The op takes each such ref as an extra input whose data it
// never reads (as sumTo reads only its ref's shape).

/** One term of a size: coef · Π of dims `axis` of the run-time shapes of reference variables. */
export interface DimTerm {
  coef: number;
  factors: { ref: Variable; axis: number }[];
}
/** A size as Σ terms (the empty sum is 0). */
export type DimExpr = DimTerm[];

/** What a symbolic size may be, for error messages. */
export const DIM_FORMS = 'an integer, T.shapeI(y, i) or y.shape[i], or +, -, * of these (sizes must follow from shapes, not data)';

export const constDim = (n: number): DimExpr => (n === 0 ? [] : [{ coef: n, factors: [] }]);

/** Dim `axis` of v's run-time shape: its static value where known, else a reference to v. */
export function dimOf(v: Variable, axis: number): DimExpr {
  const d = v.type.shape[axis];
  return d !== null ? constDim(d) : [{ coef: 1, factors: [{ ref: v, axis }] }];
}

/** Every dim of v. */
export const dimsOf = (v: Variable): DimExpr[] => v.type.shape.map((_, i) => dimOf(v, i));

const mulExpr = (a: DimExpr, b: DimExpr): DimExpr => a.flatMap((s) => b.map((t) => ({ coef: s.coef * t.coef, factors: [...s.factors, ...t.factors] })));
export const productExpr = (xs: readonly DimExpr[]): DimExpr => xs.reduce(mulExpr, constDim(1));
const negExpr = (a: DimExpr): DimExpr => a.map((t) => ({ coef: -t.coef, factors: t.factors }));

/** v as a size expression, or null if it is not one of DIM_FORMS. */
export function parseDim(v: unknown): DimExpr | null {
  if (typeof v === 'number') return Number.isInteger(v) ? constDim(v) : null;
  if (!(v instanceof Variable) || v.ndim !== 0 || v.dtype !== 'int32') return null;
  if (v instanceof Constant) return constDim(v.value.data[0]);
  const node = v.owner;
  if (!node) return null;
  if (node.op instanceof ShapeIOp) return dimOf(node.inputs[0], node.op.attrs.axis);
  const ins = node.inputs.map(parseDim);
  if (ins.some((e) => e === null)) return null;
  const [a, b] = ins as DimExpr[];
  if (node.op === AddOp) return [...a, ...b];
  if (node.op === SubOp) return [...a, ...negExpr(b)];
  if (node.op === MulOp) return mulExpr(a, b);
  if (node.op === NegOp) return negExpr(a);
  return null;
}

/** The value of a size when every dim it reads is static, else null. */
export function staticDim(e: DimExpr): number | null {
  let s = 0;
  for (const t of e) {
    let p = t.coef;
    for (const f of t.factors) {
      const d = f.ref.type.shape[f.axis];
      if (d === null) return null;
      p *= d;
    }
    s += p;
  }
  return s;
}

/**
 * The problem with a literal size argument beyond what an array dim can be (`${arg} must be at most 2147483647,
 * got 1e+300`), or null: symbolic sizes are checked against the run-time shapes by the memory planner.
 */
export function sizeLimitProblem(v: unknown, arg: string): string | null {
  return typeof v === 'number' && v > MAX_DIM ? `${arg} must be at most ${MAX_DIM}, got ${v}` : null;
}

/** A user argument for an error message: variables by name and type, arrays element by element. */
export function showArg(v: unknown): string {
  if (v instanceof Variable) return `${labelOf(v)} (${v.type})`;
  if (Array.isArray(v)) return `[${v.map(showArg).join(',')}]`;
  if (typeof v === 'number') return String(v);
  return describe(v);
}

/** A size argument as a DimExpr; throws an ArgumentError naming what is accepted. */
export function sizeArg(v: unknown, op: string, arg: string): DimExpr {
  const e = parseDim(v);
  if (e === null) throw new ArgumentError(`${op}: ${arg} must be ${DIM_FORMS}, got ${showArg(v)}`);
  return e;
}

/** `null` entries mean "inferred" (reshape's -1). */
export type DimSlot = DimExpr | null;

/**
 * Serializes sizes for an op's attrs: per size `[nTerms, (coef, nFactors, (input, axis) * nFactors) * nTerms]`, or
 * `[-1]` for an inferred size. Inputs are indices into `[...leading, ...refs]`; returns the refs to append to the
 * node's inputs (variables in `leading` are reused).
 */
export function encodeDims(dims: readonly DimSlot[], leading: readonly Variable[]): { code: number[]; refs: Variable[] } {
  const inputs = leading.slice();
  const code: number[] = [];
  for (const e of dims) {
    if (e === null) {
      code.push(-1);
      continue;
    }
    code.push(e.length);
    for (const t of e) {
      code.push(t.coef, t.factors.length);
      for (const f of t.factors) {
        let k = inputs.indexOf(f.ref);
        if (k < 0) k = inputs.push(f.ref) - 1;
        code.push(k, f.axis);
      }
    }
  }
  return { code, refs: inputs.slice(leading.length) };
}

/** Evaluates encoded sizes against the run-time input shapes (-1 stays -1); `count` sizes from `code[start]`. */
export function evalDims(code: readonly number[], inShapes: readonly (readonly number[])[], start = 0, count = Infinity): number[] {
  const out: number[] = [];
  let p = start;
  while (p < code.length && out.length < count) {
    const n = code[p++];
    if (n < 0) {
      out.push(-1);
      continue;
    }
    let s = 0;
    for (let t = 0; t < n; t++) {
      let v = code[p++];
      const nf = code[p++];
      for (let f = 0; f < nf; f++, p += 2) v *= inShapes[code[p]][code[p + 1]];
      s += v;
    }
    out.push(s);
  }
  return out;
}

/** Encoded sizes evaluated with the inputs' static shapes: null where a dim they read is unknown (-1 stays -1). */
export function evalStatic(code: readonly number[], inputs: readonly Variable[]): (number | null)[] {
  return evalDims(code, inputs.map((v) => v.type.shape.map((d) => d ?? NaN))).map((d) => (Number.isNaN(d) ? null : d));
}

/** The position of the inferred size (`[-1]`) among the encoded sizes, or -1 if there is none. */
export function inferredSlot(code: readonly number[]): number {
  for (let p = 0, k = 0; p < code.length; k++) {
    const n = code[p++];
    if (n < 0) return k;
    for (let t = 0; t < n; t++) p += 2 + 2 * code[p + 1];
  }
  return -1;
}

/** Encoded sizes as text for printing, given the printed inputs: `x.shape[1]*2 + 1`, `-1` for the inferred one. */
export function formatDims(code: readonly number[], inputs: readonly string[]): string[] {
  const out: string[] = [];
  for (let p = 0; p < code.length; ) {
    const n = code[p++];
    if (n < 0) {
      out.push('-1');
      continue;
    }
    const terms: string[] = [];
    for (let t = 0; t < n; t++) {
      const coef = code[p++];
      const nf = code[p++];
      const fs: string[] = [];
      for (let f = 0; f < nf; f++, p += 2) fs.push(`${inputs[code[p]]}.shape[${code[p + 1]}]`);
      if (coef !== 1 || fs.length === 0) fs.push(String(coef));
      terms.push(fs.join('*'));
    }
    out.push(terms.length ? terms.join(' + ') : '0');
  }
  return out;
}

/** Encoded sizes back as expressions over the node's inputs (null for the inferred one): for gradients. */
export function decodeDims(code: readonly number[], inputs: readonly Variable[]): DimSlot[] {
  const out: DimSlot[] = [];
  for (let p = 0; p < code.length; ) {
    const n = code[p++];
    if (n < 0) {
      out.push(null);
      continue;
    }
    const e: DimExpr = [];
    for (let t = 0; t < n; t++) {
      const coef = code[p++];
      const nf = code[p++];
      const factors: DimTerm['factors'] = [];
      for (let f = 0; f < nf; f++, p += 2) factors.push({ ref: inputs[code[p]], axis: code[p + 1] });
      e.push({ coef, factors });
    }
    out.push(e);
  }
  return out;
}
