import { FunctionGraph } from '../graph/fgraph';
import { AttrValue, Attrs } from '../graph/op';
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

function merge(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const replace = new Map<Variable, Variable>();
  const rep = (v: Variable) => replace.get(v) ?? v;
  let count = 0;

  const constants = new Map<string, Constant[]>();
  const seen = new Set<Constant>();
  const visitConstant = (c: Constant) => {
    if (seen.has(c)) return;
    seen.add(c);
    const bytes = bytesOf(c);
    const key = `${c.dtype}[${c.value.shape.join(',')}]#${hashBytes(bytes)}`;
    const bucket = constants.get(key);
    const twin = bucket?.find((k) => sameBytes(bytesOf(k), bytes));
    if (twin) {
      replace.set(c, twin);
      count++;
    } else if (bucket) bucket.push(c);
    else constants.set(key, [c]);
  };

  const applies = new Map<string, Apply[]>();
  for (const node of fg.nodes) {
    for (const i of node.inputs) if (i instanceof Constant) visitConstant(i);
    const key = `${node.op.kernel}|${node.op.name}|${strictAttrsKey(node.op.attrs)}|${node.inputs.map((i) => rep(i).id).join(',')}`;
    const bucket = applies.get(key);
    const twin = bucket?.find((n) => sameComputation(n, node));
    if (twin) {
      node.outputs.forEach((o, i) => replace.set(o, twin.outputs[i]));
      count++;
    } else if (bucket) bucket.push(node);
    else applies.set(key, [node]);
  }
  for (const o of fg.outputs) if (o instanceof Constant) visitConstant(o);

  if (count === 0) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

registerRewrite({ name: 'identical subgraphs and equal constants -> computed once', phase: 'merge', run: merge });
// fusion and gemm build new nodes, which can duplicate each other (two equal fused kernels on the same inputs)
registerRewrite({ name: 'identical subgraphs after fusion -> computed once (final merge)', phase: 'final-merge', run: merge });
