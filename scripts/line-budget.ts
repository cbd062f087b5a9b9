// npm run lines: the line budget of nodeano's core, as tinygrad keeps one. Prints code lines (not blank, not only a
// comment) per core folder and fails when the core exceeds CORE_BUDGET, or when any source file of lib/ or native/
// is longer than FILE_LIMIT lines without saying why (a comment `line-budget: <reason>` in the file).
//
// Why these numbers: the core (graph, rewrite, grad, compile, runtime) is what every op and both backends depend on,
// and it should stay readable in an afternoon. It held 2,920 code lines when the budget was set (2026-12); the
// budget leaves room for the nested-program runtime that scan needs (issue 12, a few hundred lines) and no more, so
// growth beyond it is a decision someone makes in review, not drift. Ops and kernels are not budgeted: they grow
// with what users can write, one file each.
import * as fs from 'fs';
import * as path from 'path';

export const CORE = ['graph', 'rewrite', 'grad', 'compile', 'runtime'] as const;
export const CORE_BUDGET = 3500;
export const FILE_LIMIT = 600;

const root = path.resolve(__dirname, '..');

function files(dir: string, exts: readonly string[]): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...files(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
  }
  return out.sort();
}

/** Lines that are neither blank nor only a comment (// ..., or inside a block comment). */
export function codeLines(src: string): number {
  let n = 0;
  let inBlock = false;
  for (const raw of src.split('\n')) {
    const line = raw.trim();
    if (inBlock) {
      if (line.includes('*/')) inBlock = false;
      continue;
    }
    if (line === '' || line.startsWith('//')) continue;
    if (line.startsWith('/*')) {
      if (!line.includes('*/')) inBlock = true;
      continue;
    }
    n++;
  }
  return n;
}

export interface BudgetReport {
  perFolder: { folder: string; files: number; lines: number }[];
  core: number;
  /** Source files over FILE_LIMIT lines that do not say why. */
  longFiles: { file: string; lines: number }[];
  ok: boolean;
}

export function lineBudget(): BudgetReport {
  const perFolder = CORE.map((folder) => {
    const fs_ = files(path.join(root, 'lib', folder), ['.ts']);
    return { folder, files: fs_.length, lines: fs_.reduce((n, f) => n + codeLines(fs.readFileSync(f, 'utf8')), 0) };
  });
  const core = perFolder.reduce((n, f) => n + f.lines, 0);
  const sources = [...files(path.join(root, 'lib'), ['.ts']), ...files(path.join(root, 'native'), ['.cc', '.h', '.inc'])].filter((f) => !f.includes(`${path.sep}generated${path.sep}`));
  const longFiles = sources
    .map((f) => ({ f, src: fs.readFileSync(f, 'utf8') }))
    .map(({ f, src }) => ({ file: path.relative(root, f), lines: src.split('\n').length, why: /line-budget:/.test(src) }))
    .filter((x) => x.lines > FILE_LIMIT && !x.why)
    .map(({ file, lines }) => ({ file, lines }));
  return { perFolder, core, longFiles, ok: core <= CORE_BUDGET && longFiles.length === 0 };
}

if (require.main === module) {
  const r = lineBudget();
  for (const f of r.perFolder) console.log(`lib/${f.folder.padEnd(8)} ${String(f.files).padStart(3)} files ${String(f.lines).padStart(6)} code lines`);
  console.log(`core total ${r.core} of ${CORE_BUDGET} (${((100 * r.core) / CORE_BUDGET).toFixed(0)}%)`);
  for (const f of r.longFiles) console.log(`too long: ${f.file} has ${f.lines} lines (limit ${FILE_LIMIT}; split it, or say why in a 'line-budget:' comment)`);
  if (!r.ok) {
    console.log(r.core > CORE_BUDGET ? `over budget by ${r.core - CORE_BUDGET} lines` : 'line budget: some files are too long');
    process.exit(1);
  }
}
