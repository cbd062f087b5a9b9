import { FunctionGraph } from '../graph/fgraph';
import { getKernel } from '../graph/kernel-registry';
import { graphWork } from '../graph/toposort';
import { Apply, Constant, Variable } from '../graph/variable';
import { registerRewrite } from './registry';

// output over a dying input -> in place: a node may take over the buffer of an input it is the last to read, at the
// positions its kernel declares safe (KernelSpec.inPlace: every element read before it is written). The node is
// marked (Apply.inPlace); the memory planner then reuses the buffer where shapes and dtypes match and the value is a
// temp of its own. Excluding this phase (`rewrites: { exclude: ['inplace'] }`) turns all such reuse off: the arena
// grows, results stay the same. Runs last, so no later rewrite rebuilds the marked nodes.

function candidates(node: Apply, index: number, lastReader: Map<Variable, number>, outputs: Set<Variable>): number[] {
  let ok: ((input: number) => boolean) | undefined;
  try {
    ok = getKernel(node.op.kernel).inPlace;
  } catch {
    return [];
  }
  if (!ok) return [];
  const out: number[] = [];
  node.inputs.forEach((v, pos) => {
    if (v instanceof Constant || outputs.has(v) || lastReader.get(v) !== index) return;
    if (ok!(pos)) out.push(pos);
  });
  return out;
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function markInPlace(fg: FunctionGraph): { fg: FunctionGraph; count: number } {
  const nodes = fg.nodes;
  graphWork.visits += nodes.length;
  const lastReader = new Map<Variable, number>();
  nodes.forEach((n, t) => n.inputs.forEach((v) => lastReader.set(v, t)));
  const outputs = new Set(fg.outputs);
  const replace = new Map<Variable, Variable>();
  nodes.forEach((n, t) => {
    const pos = candidates(n, t, lastReader, outputs);
    if (sameList(pos, n.inPlace)) return;
    const marked = new Apply(n.op, n.inputs, n.outputs.map((o) => o.type), n.site, pos);
    n.outputs.forEach((o, k) => {
      marked.outputs[k].name = o.name;
      replace.set(o, marked.outputs[k]);
    });
  });
  if (replace.size === 0) return { fg, count: 0 };
  const count = new Set([...replace.keys()].map((v) => v.owner)).size;
  return { fg: new FunctionGraph(fg.inputs, fg.outputs, replace, { recursive: true }), count };
}

registerRewrite({ name: 'output over a dying input -> in place', phase: 'inplace', run: markInPlace, idempotent: true });
