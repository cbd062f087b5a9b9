import { FunctionGraph } from '../graph/fgraph';
import { AttrValue, Attrs, Op } from '../graph/op';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { registerRewrite } from './registry';

// identical subgraphs -> computed once: two Apply nodes with equal ops and the same (already merged) inputs become
// one, and constants with the same dtype, shape and bytes become one Constant. One pass in execution order merges
// whole duplicated subgraphs, since a node's inputs are merged before the node is looked at.

/**
 * An attribute value as a string that keeps every number distinct: JSON would write NaN and Infinity both as null
 * and -0 as 0, which would merge fused kernels with different constants.
 */
function attrKey(v: AttrValue): string {
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'T' : 'F';
  return `[${v.map(attrKey).join(',')}]`;
}

function strictAttrsKey(attrs: Attrs): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${attrKey(attrs[k])}`)
    .join(';');
}

const opKeys = new WeakMap<Op, string>();

/** What an op's merge key starts with: its kind and attributes (cached per op: ops never change). */
function opKey(op: Op): string {
  let k = opKeys.get(op);
  if (k === undefined) opKeys.set(op, (k = `${op.kernel}|${op.name}|${strictAttrsKey(op.attrs)}`));
  return k;
}

function bytesOf(c: Constant): Uint8Array {
  const d = c.value.data;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/** FNV-1a over the bytes: a cheap bucket key, so big constants are compared byte by byte only with likely twins. */
function hashBytes(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Whether node b computes what a computes: equal ops, the same (merged) inputs, outputs of the same dtype and rank. */
function sameComputation(a: Apply, b: Apply): boolean {
  if (!a.op.equals(b.op) || a.outputs.length !== b.outputs.length) return false;
  return a.outputs.every((o, i) => o.dtype === b.outputs[i].dtype && o.ndim === b.outputs[i].ndim);
}

const sameShape = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

/** FNV-1a step over a 32-bit word. */
const mix = (h: number, x: number) => Math.imul(h ^ x, 0x01000193);

// Buckets are keyed by small-integer hashes (cheap to look up, unlike long string keys) and checked exactly: a
// constant by dtype, shape and bytes, a node by op key and (merged) inputs.
function merge(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const replace = new Map<Variable, Variable>();
  const rep = (v: Variable) => replace.get(v) ?? v;
  let count = 0;

  const constants = new Map<number, [Constant, Uint8Array][]>();
  const seen = new Set<Constant>();
  const visitConstant = (c: Constant) => {
    if (seen.has(c)) return;
    seen.add(c);
    const bytes = bytesOf(c);
    const key = mix(hashBytes(bytes), c.value.shape.length) & 0x3fffffff;
    const bucket = constants.get(key);
    const twin = bucket?.find(([k, b]) => k.dtype === c.dtype && sameShape(k.value.shape, c.value.shape) && sameBytes(b, bytes));
    if (twin) {
      replace.set(c, twin[0]);
      count++;
    } else if (bucket) bucket.push([c, bytes]);
    else constants.set(key, [[c, bytes]]);
  };

  // op keys numbered in this run, so equal keys get equal numbers
  const opNums = new Map<string, number>();
  const applies = new Map<number, [Apply, number][]>();
  const sameInputs = (a: Apply, b: Apply) => a.inputs.length === b.inputs.length && a.inputs.every((i, k) => rep(i) === rep(b.inputs[k]));
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  for (const node of nodes) {
    const key0 = opKey(node.op);
    let opNum = opNums.get(key0);
    if (opNum === undefined) opNums.set(key0, (opNum = opNums.size));
    let h = mix(0x811c9dc5, opNum);
    for (const i of node.inputs) {
      if (i instanceof Constant) visitConstant(i);
      h = mix(h, rep(i).id);
    }
    const key = h & 0x3fffffff;
    const bucket = applies.get(key);
    const twin = bucket?.find(([n, num]) => num === opNum && sameInputs(n, node) && sameComputation(n, node));
    if (twin) {
      node.outputs.forEach((o, i) => replace.set(o, twin[0].outputs[i]));
      count++;
    } else if (bucket) bucket.push([node, opNum]);
    else applies.set(key, [[node, opNum]]);
  }
  for (const o of fg.outputs) if (o instanceof Constant) visitConstant(o);

  if (count === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

// idempotent: a second pass would need two nodes with equal ops and inputs, which the first would have merged
registerRewrite({ name: 'identical subgraphs and equal constants -> computed once', phase: 'merge', run: merge, idempotent: true });
// fusion and gemm build new nodes, which can duplicate each other (two equal fused kernels on the same inputs)
registerRewrite({ name: 'identical subgraphs after fusion -> computed once (final merge)', phase: 'final-merge', run: merge, idempotent: true });
