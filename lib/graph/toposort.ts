import { Apply, Variable } from './variable';

/** Apply nodes that `outputs` depend on, inputs before the nodes that use them (iterative: deep graphs are fine). */
export function toposort(outputs: readonly Variable[]): Apply[] {
  const order: Apply[] = [];
  const state = new Map<Apply, 1 | 2>();
  const stack: [Apply, number][] = [];
  for (const o of outputs) {
    if (!o.owner || state.has(o.owner)) continue;
    stack.push([o.owner, 0]);
    state.set(o.owner, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const [node, i] = top;
      if (i < node.inputs.length) {
        top[1]++;
        const owner = node.inputs[i].owner;
        if (owner && !state.has(owner)) {
          state.set(owner, 1);
          stack.push([owner, 0]);
        }
      } else {
        stack.pop();
        state.set(node, 2);
        order.push(node);
      }
    }
  }
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
    if (v.owner) stack.push(...v.owner.inputs);
  }
  return seen;
}
