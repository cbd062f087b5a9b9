import { attrsKey, Op } from '../graph/op';
import { FunctionGraph } from '../graph/fgraph';
import { Constant, Variable } from '../graph/variable';

const keys = new WeakMap<FunctionGraph, string>();

/**
 * A body's structure as a string: ops with their attributes (and bodies), wired by input position; constants by
 * value. Two bodies with equal keys compute the same function of their inputs, so loops over them may merge.
 */
export function graphKey(fg: FunctionGraph): string {
  let k = keys.get(fg);
  if (k !== undefined) return k;
  const ids = new Map<Variable, string>();
  fg.inputs.forEach((v, i) => ids.set(v, `i${i}:${v.type}`));
  const idOf = (v: Variable): string => {
    const hit = ids.get(v);
    if (hit) return hit;
    if (v instanceof Constant) return `c${v.type}[${Array.from(v.value.data).join(',')}]`;
    return `v${v.id}`;
  };
  const parts: string[] = [];
  fg.nodes.forEach((node, n) => {
    parts.push(`${opKey(node.op)}(${node.inputs.map(idOf).join(',')})`);
    node.outputs.forEach((o, j) => ids.set(o, `n${n}.${j}`));
  });
  k = `${parts.join(';')}=>${fg.outputs.map(idOf).join(',')}`;
  keys.set(fg, k);
  return k;
}

/** An op's identity for merging: kind, attributes and, for ops with bodies, their structure. */
export function opKey(op: Op): string {
  const bodies = (op as { bodies?: () => readonly FunctionGraph[] }).bodies;
  return `${op.kernel}|${op.name}|${attrsKey(op.attrs)}${bodies ? `{${bodies.call(op).map(graphKey).join('|')}}` : ''}`;
}
