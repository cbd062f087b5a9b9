// The layers of lib/, in data-path order: a module may import its own layer and the layers before it, never a later
// one. Shared by the layering test and scripts/line-budget.ts.
import * as fs from 'fs';
import * as path from 'path';

export const LIB = path.resolve(__dirname, '../../lib');

/** Layer names in order; `base` is lib/'s top-level files (config, dtype, errors, ndarray). */
export const LAYERS = ['base', 'random', 'graph', 'ops', 'rewrite', 'grad', 'scan', 'compile', 'runtime', 'backend', 'io', 'train', 'api', 'index'] as const;

/** The layer of a module given by its path relative to lib/ (`ops/sum.ts`). */
export function layerOf(rel: string): number {
  if (rel === 'index.ts') return LAYERS.indexOf('index');
  const dir = rel.includes('/') ? rel.split('/')[0] : 'base';
  const i = LAYERS.indexOf(dir as (typeof LAYERS)[number]);
  if (i < 0) throw new Error(`lib/${rel} is in no layer: add its folder to LAYERS in test/architecture/layers.ts`);
  return i;
}

/** Every .ts module of lib/, relative to lib/, sorted. */
export function libModules(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(path.relative(LIB, p).split(path.sep).join('/'));
    }
  };
  walk(LIB);
  return out.sort();
}

/** The relative imports of a module (import/export ... from, side-effect imports), resolved relative to lib/. */
export function importsOf(rel: string): string[] {
  const src = fs.readFileSync(path.join(LIB, rel), 'utf8');
  const specs = [...src.matchAll(/^\s*(?:import|export)\s[^'";]*?from\s*['"](\.[^'"]+)['"]|^\s*import\s*['"](\.[^'"]+)['"]/gm)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => {
    const base = path.posix.normalize(path.posix.join(path.posix.dirname(rel), s));
    if (fs.existsSync(path.join(LIB, base + '.ts'))) return base + '.ts';
    if (fs.existsSync(path.join(LIB, base, 'index.ts'))) return base + '/index.ts';
    return base;
  });
}
