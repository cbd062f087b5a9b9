import { ArgumentError, ShapeError } from '../errors';
import { isFloat } from '../dtype';
import { describe, shapeStr } from '../ndarray';
import { asVariable } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { BodyInstance, registerKernel } from '../graph/kernel-registry';
import { Op } from '../graph/op';
import { labelOf } from '../graph/printing';
import { ancestors, toposort } from '../graph/toposort';
import { captureSite, COMPILER_SITE } from '../graph/trace';
import { Apply, Constant, Variable } from '../graph/variable';
import { grad } from '../grad/grad';
import { add } from '../ops/add';
import { zerosLike } from '../ops/broadcast-to';
import { mul } from '../ops/mul';
import { neq } from '../ops/compare';
import { sum } from '../ops/sum';
import { opKey } from './key';

/**
 * Lazy if-then-else: runs one of two bodies (nested programs, like a loop's) by a scalar condition read at run
 * time; the branch not taken costs nothing. Inputs: [cond, ...then's inputs, ...else's inputs]; outputs: one per
 * value of the branches, which must agree in dtype and rank (and, at run time, in shape: a plan needs the shapes
 * before it runs).
 */
export class IfElseOp extends Op {
  readonly name = 'ifelse';
  readonly kernel = 'IfElse';
  override readonly attrs: { nThen: number; nElse: number };
  readonly then: FunctionGraph;
  readonly else: FunctionGraph;
  readonly site: string;
  constructor(then: FunctionGraph, els: FunctionGraph, site: string) {
    super();
    this.then = then;
    this.else = els;
    this.site = site;
    this.attrs = { nThen: then.inputs.length, nElse: els.inputs.length };
  }
  bodies(): readonly FunctionGraph[] {
    return [this.then, this.else];
  }
  makeNode(...inputs: Variable[]): Apply {
    return new Apply(this, inputs, this.then.outputs.map((o) => o.type));
  }
  // each branch's gradient is a branch of a gradient ifelse: d(if c then f(a) else g(b)) = if c then (f'(a)·ḡ, 0) else (0, g'(b)·ḡ)
  override grad(inputs: readonly Variable[], outputs: readonly Variable[], gOut: readonly (Variable | null)[]): (Variable | null)[] {
    const [cond] = inputs;
    const thenIn = inputs.slice(1, 1 + this.attrs.nThen);
    const elseIn = inputs.slice(1 + this.attrs.nThen);
    const gs = gOut.map((g, k) => g ?? zerosLike(outputs[k]));
    const vjp = (body: FunctionGraph, outer: readonly Variable[]) => {
      const ph = outer.map((v) => new Variable(v.type, null, 0, v.name, COMPILER_SITE));
      const gph = gs.map((g) => new Variable(g.type, null, 0, 'g', COMPILER_SITE));
      const clone = new FunctionGraph(ph, body.outputs, new Map(body.inputs.map((b, i) => [b, ph[i]] as const)));
      const terms = clone.outputs.flatMap((o, k) => (isFloat(o.dtype) ? [sum(mul(o, gph[k]))] : []));
      const wrt = ph.filter((p) => isFloat(p.dtype));
      const g = terms.length && wrt.length ? grad(terms.reduce((a, b) => add(a, b)), wrt, { disconnectedInputs: 'ignore', returnDisconnected: 'zero' }) : wrt.map((w) => zerosLike(w));
      return { ph: [...ph, ...gph], outer: [...outer, ...gs], values: wrt.map((w, i) => [outer[ph.indexOf(w)], g[i]] as const) };
    };
    const t = vjp(this.then, thenIn);
    const e = vjp(this.else, elseIn);
    // both branches of the gradient give one value per differentiable input of either branch: theirs, or zeros
    const targets = [...new Set([...t.values.map(([v]) => v), ...e.values.map(([v]) => v)])];
    const zeroPh = targets.map((v) => new Variable(v.type, null, 0, v.name, COMPILER_SITE));
    const side = (mine: typeof t) => targets.map((v, i) => mine.values.find(([o]) => o === v)?.[1] ?? zerosLike(zeroPh[i]));
    const tb = new FunctionGraph([...t.ph, ...zeroPh], side(t));
    const eb = new FunctionGraph([...e.ph, ...zeroPh], side(e));
    const op = new IfElseOp(tb, eb, this.site);
    const node = op.makeNode(cond, ...t.outer, ...targets, ...e.outer, ...targets);
    const result: (Variable | null)[] = inputs.map(() => null);
    // an input both branches read gets its gradient once (at its first position)
    targets.forEach((v, i) => (result[inputs.indexOf(v, 1)] = node.outputs[i]));
    return result;
  }
  override equals(other: Op): boolean {
    return other === this || (other instanceof IfElseOp && opKey(other) === opKey(this));
  }
  override format(inputs: readonly string[]): string {
    return `ifelse(${inputs[0]}, ...)`;
  }
  override toString(): string {
    return 'ifelse';
  }
}

registerKernel('IfElse', {
  inferShape: (ins, attrs, host) => {
    if (!host) throw new ShapeError('ifelse: runs only inside a compiled function');
    const [k0, k1] = attrs.bodies as number[];
    const nThen = attrs.nThen as number;
    if (ins[0].length !== 0) throw new ShapeError(`ifelse: cond must be a scalar, got shape ${shapeStr(ins[0])}`);
    // a branch whose shapes do not work out (x[0] of an empty x) may be the one never taken: its error waits for the run
    const tryInfer = (k: number, shapes: readonly (readonly number[])[]) => {
      try {
        return { shapes: host.inferBody(k, shapes), error: null };
      } catch (e) {
        return { shapes: null, error: e };
      }
    };
    const ta = tryInfer(k0, ins.slice(1, 1 + nThen));
    const tb = tryInfer(k1, ins.slice(1 + nThen));
    if (!ta.shapes && !tb.shapes) throw ta.error;
    if (!ta.shapes || !tb.shapes) return (ta.shapes ?? tb.shapes)!;
    const [a, b] = [ta.shapes, tb.shapes];
    a.forEach((s, k) => {
      if (s.length !== b[k].length || s.some((d, j) => d !== b[k][j])) {
        throw new ShapeError(`ifelse: output ${k} must have the same shape in both branches, got ${shapeStr(s)} (then) and ${shapeStr(b[k])} (else)`);
      }
    });
    return a;
  },
  // a branch whose shapes do not infer is left unplanned (null): the native kernel fails only if it is taken
  bodyShapes: (ins, attrs, host) => {
    const [k0, k1] = attrs.bodies as number[];
    const nThen = attrs.nThen as number;
    const branch = (k: number, inShapes: number[][]) => {
      try {
        host.inferBody(k, inShapes);
        return { inShapes, iterations: 0 };
      } catch {
        return null;
      }
    };
    return [branch(k0, ins.slice(1, 1 + nThen).map((s) => [...s])), branch(k1, ins.slice(1 + nThen).map((s) => [...s]))];
  },
  nativeAttrs: (attrs) => ({ ints: [attrs.nThen as number, attrs.nElse as number] }),
  prepareJs: ({ attrs, inShapes, host }) => {
    const [k0, k1] = attrs.bodies as number[];
    const nThen = attrs.nThen as number;
    // each branch is planned the first time it is taken (planning the other could fail, see inferShape)
    let then: BodyInstance | null = null;
    let els: BodyInstance | null = null;
    return (ins, outs) => {
      if (ins[0][0]) (then ??= host!.prepareBody!(k0, inShapes.slice(1, 1 + nThen))).run(ins.slice(1, 1 + nThen), outs);
      else (els ??= host!.prepareBody!(k1, inShapes.slice(1 + nThen))).run(ins.slice(1 + nThen), outs);
    };
  },
});

/**
 * Theano's lazy `ifelse`: `then` when the scalar `cond` is true (nonzero), else `otherwise`; only the branch taken
 * is computed, and the gradient is lazy too (no NaN or cost from the branch not taken). Branches are Variables or
 * equal-length lists with matching dtypes and ranks; at run time their shapes must agree.
 * @example const y = T.ifelse(T.lt(a, b), T.mean(x), T.mean(y))
 */
export function ifelse(cond: unknown, then: unknown, otherwise: unknown): Variable | Variable[] {
  const site = captureSite();
  const problems: string[] = [];
  let c: Variable | null = null;
  try {
    c = asVariable(cond, 'ifelse', 'cond');
    if (c.ndim !== 0) problems.push(`cond must be a scalar, got ${labelOf(c)} of type ${c.type}`);
  } catch (e) {
    problems.push((e as Error).message.replace('ifelse: ', ''));
  }
  const many = Array.isArray(then);
  const list = (x: unknown, what: string): Variable[] => {
    const xs = Array.isArray(x) ? x : [x];
    return xs.flatMap((v, i) => {
      try {
        return [asVariable(v, 'ifelse', many ? `${what}[${i}]` : what)];
      } catch (e) {
        problems.push((e as Error).message.replace('ifelse: ', ''));
        return [];
      }
    });
  };
  const a = list(then, 'then');
  const b = list(otherwise, 'else');
  if (Array.isArray(then) !== Array.isArray(otherwise) || a.length !== b.length) {
    problems.push(`then and else must both be Variables or lists of the same length, got ${describe(then)} and ${describe(otherwise)}`);
  } else {
    a.forEach((v, i) => {
      const w = b[i];
      if (v.dtype !== w.dtype || v.ndim !== w.ndim) problems.push(`${many ? `then[${i}] and else[${i}]` : 'then and else'} must have the same dtype and rank, got ${labelOf(v)} of type ${v.type} and ${labelOf(w)} of type ${w.type}`);
    });
  }
  if (problems.length || !c) throw new ArgumentError(`ifelse: ${problems.join('; ')} (created at ${site})`);
  const cv = c.dtype === 'bool' ? c : neq(c, 0);
  // a branch body is what its values need beyond what cond needs (which runs anyway) and the graph's leaves
  const eager = ancestors([cv]);
  const body = (outs: readonly Variable[]) => {
    const inner = new Set<Variable>();
    for (const node of toposort(outs)) if (!node.outputs.some((o) => eager.has(o))) node.outputs.forEach((o) => inner.add(o));
    const free: Variable[] = [];
    const seen = new Set<Variable>();
    const addFree = (v: Variable) => {
      if (inner.has(v) || v instanceof Constant || seen.has(v)) return;
      seen.add(v);
      free.push(v);
    };
    for (const node of toposort(outs)) if (node.outputs.some((o) => inner.has(o))) node.inputs.forEach(addFree);
    outs.forEach(addFree);
    const ph = free.map((v) => new Variable(v.type, null, 0, v.name, site));
    return { fg: new FunctionGraph(ph, outs, new Map(free.map((v, i) => [v, ph[i]] as const))), free };
  };
  const t = body(a);
  const e = body(b);
  const node = new IfElseOp(t.fg, e.fg, String(site)).makeNode(cv, ...t.free, ...e.free);
  return many ? node.outputs.slice() : node.outputs[0];
}
