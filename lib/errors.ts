/** Every error nodeano throws on purpose is a NodeanoError with a stable `code`. */
export class NodeanoError extends Error {
  readonly code: string = 'NODEANO_ERROR';
  /** The node the error is about, printed as an expression (`sigmoid(dot(X, W1))`). */
  node?: string;
  /** Where the node was created in the user's code (`file:line:column`). */
  createdAt?: string;
  constructor(message: string, opts: { node?: string; createdAt?: string } = {}) {
    super(withContext(message, opts.node, opts.createdAt));
    this.name = new.target.name;
    this.node = opts.node;
    this.createdAt = opts.createdAt;
  }
}

function withContext(message: string, node?: string, createdAt?: string): string {
  let m = message;
  if (node) m += `\n  node: ${node}`;
  if (createdAt) m += `\n  created at: ${createdAt}`;
  return m;
}

/** A shape that cannot work: wrong rank, mismatched dims, bad broadcast. */
export class ShapeError extends NodeanoError {
  override readonly code = 'NODEANO_SHAPE';
}
/** A dtype that an op or a function input does not accept. */
export class DTypeError extends NodeanoError {
  override readonly code = 'NODEANO_DTYPE';
}
/** A bad argument to a public entry point (wrong kind of value, bad option). */
export class ArgumentError extends NodeanoError {
  override readonly code = 'NODEANO_ARGUMENT';
}
/** A problem found while differentiating a graph. */
export class GradError extends NodeanoError {
  override readonly code = 'NODEANO_GRAD';
}
/** A problem found while compiling a function (inputs, outputs, updates, givens). */
export class CompileError extends NodeanoError {
  override readonly code = 'NODEANO_COMPILE';
}
/** Values passed to a compiled function that do not match its inputs. */
export class InputError extends NodeanoError {
  override readonly code = 'NODEANO_INPUT';
}
/** A kernel failed at run time (for example a broadcast that only fails with the actual shapes). */
export class RuntimeError extends NodeanoError {
  override readonly code = 'NODEANO_RUNTIME';
}
/** The requested backend cannot be used. */
export class BackendError extends NodeanoError {
  override readonly code = 'NODEANO_BACKEND';
}

/** A file that cannot be read or written as asked: a bad header, a truncated body, a dtype or shape that does not fit. */
export class FormatError extends NodeanoError {
  override readonly code = 'NODEANO_FORMAT';
}

/** Formats a list of problems as one message: `op: a must be X, got Y; b must be ...`. */
export function listProblems(op: string, problems: string[]): string {
  return `${op}: ${problems.join('; ')}`;
}
