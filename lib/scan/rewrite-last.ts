import { FunctionGraph } from '../graph/fgraph';
import { graphWork } from '../graph/toposort';
import { Apply, Variable } from '../graph/variable';
import { NULL_BOUND } from '../ops/slice-spec';
import { slice, SubtensorOp } from '../ops/subtensor';
import { ScanOp } from './op';
import { registerRewrite } from '../rewrite/registry';

// scan output read only as out[-1] -> the loop keeps only its last value: a recurrent state (lag 1) that nothing
// reads per step needs two buffers instead of [n, ...] (T.reduce, a final hidden state, a shared variable's update).

/** Whether the node is x[-1] over axis 0 with every other axis whole. */
function isLastRow(node: Apply): boolean {
  if (!(node.op instanceof SubtensorOp) || node.inputs.length !== 1) return false;
  const s = node.op.attrs.spec;
  if (s[0] !== 0 || s[1] !== -1) return false;
  for (let i = 4; i < s.length; i += 4) if (s[i] !== 1 || s[i + 1] !== NULL_BOUND || s[i + 2] !== NULL_BOUND || s[i + 3] !== 1) return false;
  return true;
}

function lastOnly(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const clients = new Map<Variable, Apply[]>();
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  for (const node of nodes) for (const i of node.inputs) (clients.get(i) ?? clients.set(i, []).get(i)!).push(node);
  const isOutput = new Set(fg.outputs);
  const replace = new Map<Variable, Variable>();
  let count = 0;
  for (const node of nodes) {
    const op = node.op;
    if (!(op instanceof ScanOp) || op.spec.until) continue;
    const turn = op.spec.outputs.map((o, k) => {
      const v = node.outputs[k];
      const users = clients.get(v) ?? [];
      return o.mode === 'seq' && o.like < 0 && o.lags.length === 1 && o.lags[0] === 1 && !isOutput.has(v) && users.length > 0 && users.every(isLastRow);
    });
    if (!turn.some(Boolean)) continue;
    const spec = { ...op.spec, outputs: op.spec.outputs.map((o, k) => (turn[k] ? { ...o, mode: 'last' as const } : o)) };
    const again = new ScanOp(spec, op.inner, { name: op.name, site: op.site, defaultUpdates: op.defaultUpdates, nInputs: op.nInputs });
    again.truncate = op.truncate;
    again.checkpoint = op.checkpoint;
    again.extends = op.extends;
    const outs = again.makeNode(...node.inputs).outputs;
    node.outputs.forEach((v, k) => {
      if (turn[k]) for (const u of clients.get(v)!) replace.set(u.outputs[0], outs[k]);
      else replace.set(v, outs[k]);
    });
    count += turn.filter(Boolean).length;
  }
  if (!count) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

registerRewrite({ name: 'scan output read only at its last step -> last value kept', phase: 'specialize', run: lastOnly, idempotent: true });

// loop A and loop B over the same inputs, B = A with more outputs (the gradient keeps A's per-step products) -> A's
// outputs read from B: the forward loop runs once
function extended(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  const replace = new Map<Variable, Variable>();
  let count = 0;
  for (const b of nodes) {
    const big = b.op;
    if (!(big instanceof ScanOp) || !big.extends) continue;
    for (const a of nodes) {
      if (a === b || a.op !== big.extends || a.inputs.length !== b.inputs.length || !a.inputs.every((v, i) => v === b.inputs[i])) continue;
      const small = a.op as ScanOp;
      a.outputs.forEach((v, k) => {
        if (k >= small.spec.outputs.length) return;
        const o = b.outputs[k];
        replace.set(v, small.spec.outputs[k].mode === 'last' ? slice(o, small.spec.reverse ? 0 : -1) : o);
      });
      count++;
    }
  }
  if (!count) return { fg, count: 0 };
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

registerRewrite({ name: 'scan extended by another over the same inputs -> one loop', phase: 'merge', run: extended });
