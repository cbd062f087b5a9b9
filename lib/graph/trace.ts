import * as path from 'path';

// nodeano's own code is everything under the folder above this file's (lib/ in the repo, dist/cjs/ when built):
// frames there are skipped so that a node records the user's line that created it.
const selfFile = frameFile(new Error().stack?.split('\n')[1] ?? '');
const internalRoot = selfFile ? path.resolve(path.dirname(selfFile), '..') + path.sep : null;

function frameFile(frame: string): string | null {
  const m = /\(?((?:file:\/\/)?[^()\s]+?):\d+:\d+\)?\s*$/.exec(frame);
  if (!m) return null;
  return m[1].startsWith('file://') ? new URL(m[1]).pathname : m[1];
}

function isInternal(file: string): boolean {
  return file.startsWith('node:') || file.includes(`${path.sep}node_modules${path.sep}`) || (internalRoot !== null && file.startsWith(internalRoot));
}

/** A lazily parsed record of where in the user's code something was created. */
export class CreationSite {
  // V8 formats a captured stack only when `.stack` is read (slow, especially with source maps): keep the holder
  private holder: { stack?: string } | undefined;
  private cached: string | undefined;
  constructor(holder: { stack?: string }) {
    this.holder = holder;
  }
  /** `file:line:column` of the first stack frame outside nodeano, or '<unknown>'. */
  toString(): string {
    if (this.cached === undefined) {
      this.cached = '<unknown>';
      for (const line of (this.holder?.stack ?? '').split('\n').slice(1)) {
        const file = frameFile(line);
        if (!file || isInternal(file)) continue;
        const loc = /:(\d+:\d+)\)?\s*$/.exec(line);
        this.cached = `${path.relative(process.cwd(), file) || file}:${loc ? loc[1] : '?'}`;
        break;
      }
      this.holder = undefined;
    }
    return this.cached;
  }
  toJSON(): string {
    return this.toString();
  }
}

/**
 * The site of a node the compiler builds while it rewrites a graph: capturing a stack there would cost more than the
 * rest of the rewrite and name the T.function line. FunctionGraph gives such nodes the site of the node they replace.
 */
export const COMPILER_SITE = new CreationSite({});

let deferred = 0;

/**
 * Runs `build` with stack capture off: nodes created meanwhile get COMPILER_SITE, to be given the site of the node
 * they stand in for (adoptSite) when a FunctionGraph substitutes them. For the compiler's own passes, never user code.
 */
export function withoutSiteCapture<T>(build: () => T): T {
  deferred++;
  try {
    return build();
  } finally {
    deferred--;
  }
}

/** Captures the current call site; parsing is deferred until an error needs it. */
export function captureSite(): CreationSite {
  if (deferred > 0) return COMPILER_SITE;
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  Error.captureStackTrace(holder, captureSite);
  Error.stackTraceLimit = limit;
  return new CreationSite(holder);
}
