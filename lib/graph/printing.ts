import { ArgumentError } from '../errors';
import { Constant, SharedVariable, Variable } from './variable';

/** The name of a leaf, or a placeholder showing its type. */
function leafName(v: Variable): string {
  if (v.name) return v.name;
  if (v instanceof Constant) return v.toString();
  if (v instanceof SharedVariable) return `<shared ${v.type}>`;
  return `<${v.type}>`;
}

/** The longest label an error message embeds: a fused kernel formats its whole tree, which can run to kilobytes. */
export const MAX_LABEL_CHARS = 200;

/**
 * A variable as an expression, cut to `...` below `depth` levels and to MAX_LABEL_CHARS characters (ending in `…`)
 * for error messages; with an infinite depth (pp) nothing is cut.
 */
export function labelOf(v: Variable, depth = 4): string {
  if (!v.owner) return leafName(v);
  if (depth <= 0) return '...';
  const node = v.owner;
  const s = node.op.format(node.inputs.map((i) => labelOf(i, depth - 1)));
  const label = node.outputs.length > 1 ? `${s}[${v.index}]` : s;
  return depth !== Infinity && label.length > MAX_LABEL_CHARS ? `${label.slice(0, MAX_LABEL_CHARS - 1)}…` : label;
}

/**
 * A variable with its type for argument errors, the type said once: `x: float32[?]`, `exp(x): float32[?]`, or
 * `float32[?]` for an unnamed input (whose label would only repeat the type).
 */
export function labelWithType(v: Variable): string {
  return v.name || v.owner || v instanceof Constant ? `${labelOf(v)}: ${v.type}` : String(v.type);
}

/**
 * Pretty-prints the expression that computes `v`.
 * @example T.pp(T.sigmoid(T.dot(X, W1))) // 'sigmoid(dot(X, W1))'
 */
export function pp(v: Variable): string {
  if (!(v instanceof Variable)) throw new ArgumentError(`pp: v must be a Variable, got ${typeof v}`);
  return labelOf(v, Infinity);
}

/** A Theano-style tree of the graph under each variable; shared subtrees print once and are referred to by id. */
export function debugprintVariables(vars: readonly Variable[], labels: readonly string[] = []): string {
  const ids = new Map<Variable, string>();
  const idOf = (v: Variable) => {
    let id = ids.get(v);
    if (!id) {
      id = shortId(ids.size);
      ids.set(v, id);
    }
    return id;
  };
  const expanded = new Set<Variable>();
  const lines: string[] = [];
  const rec = (v: Variable, prefix: string, childPrefix: string) => {
    const seen = expanded.has(v);
    const head = v.owner ? v.owner.op.toString() : leafName(v);
    const name = v.owner && v.name ? ` '${v.name}'` : '';
    lines.push(`${prefix}${head} [id ${idOf(v)}]${name} ${v.type}${seen && v.owner ? ' (see above)' : ''}`);
    if (!v.owner || seen) return;
    expanded.add(v);
    v.owner.inputs.forEach((i) => rec(i, childPrefix + ' |', childPrefix + ' |'));
  };
  vars.forEach((v, i) => {
    if (labels[i]) lines.push(labels[i]);
    rec(v, '', '');
  });
  return lines.join('\n');
}

function shortId(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(65 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return s;
}
