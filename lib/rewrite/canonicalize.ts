import { isFloat } from '../dtype';
import { constant } from '../graph/as-variable';
import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { AddOp } from '../ops/add';
import { axisCount } from '../ops/axis-count';
import { broadcastLike, BroadcastToOp } from '../ops/broadcast-to';
import { ge } from '../ops/compare';
import { DivOp } from '../ops/div';
import { ElemwiseOp } from '../ops/elemwise';
import { ExpOp } from '../ops/exp';
import { LogOp } from '../ops/log';
import { mul, MulOp } from '../ops/mul';
import { neg, NegOp } from '../ops/neg';
import { PowOp } from '../ops/pow';
import { ReshapeOp } from '../ops/reshape';
import { sqr } from '../ops/sqr';
import { sqrt } from '../ops/sqrt';
import { SubOp } from '../ops/sub';
import { sum, SumOp } from '../ops/sum';
import { SumToOp } from '../ops/sum-to';
import { TransposeOp } from '../ops/transpose';
import { where } from '../ops/where';
import { localRewrite, ownedBy, scalarValue, shapeSource } from './local';
import { registerRewrite } from './registry';

const isScalarConst = (v: Variable, value: number) => v instanceof Constant && v.ndim === 0 && v.value.data[0] === value;

// elemwise(broadcastTo(c, ref), u) -> elemwise(c, u) when c is a scalar and u provably has ref's shape: broadcasting
// inside the elementwise op does the same work without materializing the broadcast (the gradient of sum(x) is such a
// broadcast of 1).
registerRewrite({
  name: 'elemwise(broadcastTo(scalar, ref), u ~ ref) -> elemwise(scalar, u)',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    if (!(node.op instanceof ElemwiseOp) || node.inputs.length !== 2) return null;
    const [a, b] = node.inputs;
    for (const [bc, other] of [
      [a, b],
      [b, a],
    ]) {
      const bn = bc.owner;
      if (!bn || !(bn.op instanceof BroadcastToOp) || bn.inputs[0].ndim !== 0) continue;
      const ref = bn.inputs[1];
      if (other.ndim === ref.ndim && shapeSource(other) === shapeSource(ref)) {
        const ins = bc === a ? [bn.inputs[0], b] : [a, bn.inputs[0]];
        return node.op.makeNode(...ins).outputs[0];
      }
    }
    return null;
  }),
});

// x * 1 -> x, x + 0 -> x, x - 0 -> x (for a rank-0 constant the result keeps x's shape and dtype)
registerRewrite({
  name: 'x * 1, x + 0, x - 0 -> x',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const out = node.outputs[0];
    const [a, b] = node.inputs;
    const keep = (x: Variable) => (x.dtype === out.dtype && x.ndim === out.ndim ? x : null);
    if (node.op === MulOp) return isScalarConst(a, 1) ? keep(b) : isScalarConst(b, 1) ? keep(a) : null;
    if (node.op === AddOp) return isScalarConst(a, 0) ? keep(b) : isScalarConst(b, 0) ? keep(a) : null;
    if (node.op === SubOp) return isScalarConst(b, 0) ? keep(a) : null;
    return null;
  }),
});

// neg(neg(x)) -> x
registerRewrite({
  name: 'neg(neg(x)) -> x',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const inner = node.inputs[0]?.owner;
    return node.op === NegOp && inner?.op === NegOp ? inner.inputs[0] : null;
  }),
});

/** value broadcast to the shape of the node's output, read from the shape source so x itself need not be computed. */
const filled = (value: number, node: Apply) => broadcastLike(constant(value, node.outputs[0].dtype), shapeSource(node.inputs[0]));

// x - x -> 0 (zeros of x's shape). Assumes x is finite, as Theano's canonicalizer does: where x is ±inf or NaN the
// original gives NaN and the rewritten graph 0. Exact for integers.
registerRewrite({
  name: 'x - x -> 0',
  phase: 'canonicalize',
  run: localRewrite((node) => (node.op === SubOp && node.inputs[0] === node.inputs[1] && node.outputs[0].dtype !== 'bool' ? filled(0, node) : null)),
});

// x / x -> 1 (ones of x's shape). Safe only where x is finite and nonzero: at 0, ±inf or NaN the original gives NaN
// and the rewritten graph 1. Theano assumes the same; exclude this rewrite by name where those values are expected.
registerRewrite({
  name: 'x / x -> 1',
  phase: 'canonicalize',
  run: localRewrite((node) => (node.op === DivOp && node.inputs[0] === node.inputs[1] ? filled(1, node) : null)),
});

// transpose(transpose(x, p), q) -> transpose(x, p∘q), or x when that is the identity: output axis i of the pair is
// axis p[q[i]] of x
registerRewrite({
  name: 'transpose(transpose(x)) -> transpose(x) or x',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const inner = ownedBy(node.inputs[0], TransposeOp);
    if (!(node.op instanceof TransposeOp) || !inner) return null;
    const p = (inner.op as TransposeOp).attrs.perm;
    const perm = node.op.attrs.perm.map((q) => p[q]);
    const x = inner.inputs[0];
    return perm.every((a, i) => a === i) ? x : new TransposeOp(perm).makeNode(x).outputs[0];
  }),
});

// log(exp(x)) -> x: equal for every x, and better where exp overflows (log(exp(800)) is inf in float64)
registerRewrite({
  name: 'log(exp(x)) -> x',
  phase: 'canonicalize',
  run: localRewrite((node) => (node.op === LogOp ? (ownedBy(node.inputs[0], ExpOp)?.inputs[0] ?? null) : null)),
});

// exp(log(x)) -> where(x >= 0, x, NaN): log of a negative number is NaN, which exp keeps; no transcendental, and exact
// where exp(log(x)) rounds (PyTensor's form)
registerRewrite({
  name: 'exp(log(x)) -> where(x >= 0, x, NaN)',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const x = node.op === ExpOp ? ownedBy(node.inputs[0], LogOp)?.inputs[0] : undefined;
    return x ? where(ge(x, 0), x, constant(NaN, x.dtype)) : null;
  }),
});

// sum(broadcastTo(x, ref), S) -> x * count(ref, S) when the summed axes are exactly the axes x is broadcast along
// (size 1 in x, or inserted) and every other axis of x statically equals ref's: each element of x is then summed
// count times. x's own size-1 summed axes are dropped by a sum over them (no arithmetic).
registerRewrite({
  name: 'sum(broadcastTo(x)) -> x * count',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const b = ownedBy(node.inputs[0], BroadcastToOp);
    if (!(node.op instanceof SumOp) || !b) return null;
    const [x, ref] = b.inputs;
    const out = node.outputs[0];
    if (x.dtype !== out.dtype) return null;
    const { axes: S, keepdims } = node.op.attrs;
    const inserted = (b.op as BroadcastToOp).attrs.axes;
    const r = ref.ndim;
    const expanded = x.ndim + inserted.length;
    const lead = r - expanded;
    // position d of the broadcast result: x's axis there (or -1 if leading / inserted) and its static dim
    const own: number[] = [];
    for (let d = lead, k = 0; d < r; d++) own[d] = inserted.includes(d - lead) ? -1 : k++;
    const drop: number[] = [];
    for (let d = 0; d < r; d++) {
      const xa = d < lead ? -1 : own[d];
      const xd = xa < 0 ? 1 : x.type.shape[xa];
      if (S.includes(d)) {
        if (xd !== 1) return null;
        if (xa >= 0) drop.push(xa);
      } else if (xd === null || xd !== ref.type.shape[d]) return null;
    }
    if (keepdims && x.ndim !== r) return null;
    const base = keepdims || drop.length === 0 ? x : sum(x, drop);
    return mul(base, axisCount(ref, S, out.dtype));
  }),
});

// c1 * (c2 * x) -> (c1 c2) * x through any chain of multiplications by rank-0 constants and negations (floats only:
// the product is formed in double, then rounded once to the dtype). Every link ending a chain of two or more fires; one
// whose every consumer is a longer chain that fires (so nothing will read it) is counted without building its replacement.

/** A chain link's factor and the operand it scales (for a negation -1 and its input), or null for any other variable. */
function chainLink(v: Variable): [number, Variable] | null {
  const o = v.owner;
  if (o?.op === NegOp) return [-1, o.inputs[0]];
  if (o?.op !== MulOp) return null;
  const b = scalarValue(o.inputs[1]);
  if (b !== null) return [b, o.inputs[0]];
  const a = scalarValue(o.inputs[0]);
  return a !== null ? [a, o.inputs[1]] : null;
}

interface ScalarChain {
  /** The product of the factors, formed from the base upwards, so each link's product extends its operand's. */
  k: number;
  /** Links between v and base. */
  n: number;
  base: Variable;
}
const chains = new WeakMap<Variable, ScalarChain>();

/** v as k * base through chain links; cached per variable (its owner never changes) and built without recursion. */
function scalarChain(v: Variable): ScalarChain {
  const path: [Variable, number][] = [];
  let cur = v;
  let known = chains.get(cur);
  for (let link = chainLink(cur); !known && link; link = chainLink(cur)) {
    path.push([cur, link[0]]);
    cur = link[1];
    known = chains.get(cur);
  }
  let below = known ?? { k: 1, n: 0, base: cur };
  if (!known) chains.set(cur, below);
  for (let i = path.length - 1; i >= 0; i--) {
    graphWork.visits++;
    below = { k: path[i][1] * below.k, n: below.n + 1, base: below.base };
    chains.set(path[i][0], below);
  }
  return below;
}

function collectScalars(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  const fires = (out: Variable) => (out.owner!.op === MulOp || out.owner!.op === NegOp) && isFloat(out.dtype) && scalarChain(out).n >= 2;
  // a link that fires with its own dtype at the base is always replaced (the replacement keeps dtype and rank): its
  // operand is then read only by other consumers, if any
  const sure = (out: Variable) => fires(out) && scalarChain(out).base.dtype === out.dtype;
  const read = new Set<Variable>(fg.outputs);
  for (const node of nodes) {
    const out = node.outputs[0];
    const through = sure(out) ? chainLink(out)![1] : null;
    for (const i of node.inputs) if (i !== through) read.add(i);
  }
  const replace = new Map<Variable, Variable>();
  let count = 0;
  for (const node of nodes) {
    const out = node.outputs[0];
    if (!fires(out)) continue;
    if (!read.has(out) && sure(out)) {
      count++;
      continue;
    }
    const { k, base: v } = scalarChain(out);
    const r = k === 1 ? v : k === -1 ? neg(v) : mul(v, constant(k, out.dtype));
    if (r.dtype === out.dtype && r.ndim === out.ndim) {
      replace.set(out, r);
      count++;
    }
  }
  if (count === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

registerRewrite({ name: 'collect scalar multiplications: c1 * (c2 * -x) -> (-c1 c2) * x', phase: 'canonicalize', run: collectScalars });

// pow(x, 2) -> sqr(x): one multiplication instead of a pow call (exact: pow(x, 2) is correctly rounded x*x)
registerRewrite({
  name: 'pow(x, 2) -> sqr(x)',
  phase: 'canonicalize',
  run: localRewrite((node) => (node.op === PowOp && scalarValue(node.inputs[1]) === 2 ? sqr(node.inputs[0]) : null)),
});

// pow(x, 0.5) -> sqrt(x): equal except at -inf (pow gives inf, sqrt NaN) and -0 (pow gives 0, sqrt -0)
registerRewrite({
  name: 'pow(x, 0.5) -> sqrt(x)',
  phase: 'canonicalize',
  run: localRewrite((node) => (node.op === PowOp && scalarValue(node.inputs[1]) === 0.5 && isFloat(node.outputs[0].dtype) ? sqrt(node.inputs[0]) : null)),
});

/** Whether encoded reshape sizes read a dim of the reshaped value itself (input 0), not only of other variables. */
function readsOwnDims(code: readonly number[]): boolean {
  for (let p = 0; p < code.length; ) {
    const terms = code[p++];
    for (let t = 0; t < terms && terms > 0; t++) {
      const nf = code[p + 1];
      p += 2;
      for (let f = 0; f < nf; f++, p += 2) if (code[p] === 0) return true;
    }
  }
  return false;
}

// reshape(reshape(x, s1), s2) -> reshape(x, s2): the same elements in the same C order either way. Only when s2 does
// not read the inner reshape's own dims (its sizes are then the same expressions over the same other variables).
registerRewrite({
  name: 'reshape(reshape(x)) -> reshape(x)',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const inner = ownedBy(node.inputs[0], ReshapeOp);
    if (!(node.op instanceof ReshapeOp) || !inner || readsOwnDims(node.op.attrs.dims)) return null;
    return new ReshapeOp(node.op.attrs.dims).makeNode(inner.inputs[0], ...node.inputs.slice(1)).outputs[0];
  }),
});

// sumTo(x, ref) -> x and broadcastTo(x, ref) -> x when x provably has ref's run-time shape already: the gradient of
// every broadcasting op sums back to its input's shape, which is a plain copy wherever nothing was broadcast
registerRewrite({
  name: 'sumTo(x, ref), broadcastTo(x, ref) -> x when x has ref\'s shape',
  phase: 'canonicalize',
  run: localRewrite((node) => {
    const isSumTo = node.op instanceof SumToOp;
    if (!isSumTo && !(node.op instanceof BroadcastToOp && node.op.attrs.axes.length === 0)) return null;
    const [x, ref] = node.inputs;
    return x.ndim === ref.ndim && shapeSource(x) === shapeSource(ref) ? x : null;
  }),
});
