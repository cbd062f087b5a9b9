import { Apply, Variable } from './variable';

/**
 * Graph nodes visited by compile-time graph walks (toposorts, clones, rewrites) since the process started. The
 * rewrite log reports each rewrite's share, so tests can check that compilation work grows linearly with the graph.
 */
export const graphWork = { visits: 0 };

/** Apply nodes that `outputs` depend on, inputs before the nodes that use them (iterative: deep graphs are fine). */
export function toposort(outputs: readonly Variable[]): Apply[] {
  const order: Apply[] = [];
  const seen = new Set<Apply>();
  // parallel stacks of a node and the index of its next input to look at
  const nodes: Apply[] = [];
  const next: number[] = [];
  for (const o of outputs) {
    if (!o.owner || seen.has(o.owner)) continue;
    seen.add(o.owner);
    nodes.push(o.owner);
    next.push(0);
    while (nodes.length) {
      const top = nodes.length - 1;
      const node = nodes[top];
      const i = next[top];
      if (i < node.inputs.length) {
        next[top] = i + 1;
        const owner = node.inputs[i].owner;
        if (owner && !seen.has(owner)) {
          seen.add(owner);
          nodes.push(owner);
          next.push(0);
        }
      } else {
        nodes.pop();
        next.pop();
        order.push(node);
      }
    }
  }
  graphWork.visits += order.length;
  return order;
}

/** Every variable `outputs` depend on, including themselves. */
export function ancestors(outputs: readonly Variable[]): Set<Variable> {
  const seen = new Set<Variable>();
  const stack = [...outputs];
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    if (v.owner) for (const i of v.owner.inputs) stack.push(i);
  }
  return seen;
}
