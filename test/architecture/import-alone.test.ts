import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { LIB, libModules } from './layers';

// Every module of lib/ must load when it is the first (and only) module a fresh process imports: module evaluation
// order must never decide whether the library loads (a base class importing a subclass broke exactly that).
// lib/ is transpiled once to CommonJS in a temp folder, so each process is a plain `node -e require(...)`.

function transpileLib(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-import-alone-'));
  for (const rel of libModules()) {
    const src = fs.readFileSync(path.join(LIB, rel), 'utf8');
    const js = ts.transpileModule(src, {
      fileName: rel,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    const dest = path.join(out, 'lib', rel.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, js);
  }
  // the native loader finds the package root (and its addon) through package.json, as in the real package
  fs.writeFileSync(path.join(out, 'package.json'), JSON.stringify({ name: 'nodeano-import-alone', private: true }));
  return out;
}

function load(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const env = { ...process.env, NODE_PATH: path.resolve(LIB, '..', 'node_modules') };
    execFile(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { timeout: 60_000, env }, (err, _out, stderr) => {
      if (!err) return resolve(null);
      const line = String(stderr).split('\n').find((l) => /Error/.test(l)) ?? String(err.message).split('\n')[0];
      resolve(line.trim());
    });
  });
}

async function loadAll(dir: string, mods: readonly string[], concurrency: number): Promise<string[]> {
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < mods.length) {
      const rel = mods[next++];
      const why = await load(path.join(dir, 'lib', rel.replace(/\.ts$/, '.js')));
      if (why !== null) failures.push(`lib/${rel}: ${why}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return failures.sort();
}

describe('every module of lib/ imported alone', () => {
  it('loads in a fresh process as the first module', async () => {
    const dir = transpileLib();
    try {
      expect(await loadAll(dir, libModules(), Math.max(2, Math.min(4, os.cpus().length * 2)))).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
  it('reports a module that throws while it loads (the check itself can fail)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-import-alone-'));
    try {
      fs.mkdirSync(path.join(dir, 'lib'));
      fs.writeFileSync(path.join(dir, 'lib', 'a.js'), "require('./b'); class A extends require('./b').B {}");
      fs.writeFileSync(path.join(dir, 'lib', 'b.js'), "const { A } = require('./a'); exports.B = class B {}; exports.C = class C extends A {};");
      expect(await loadAll(dir, ['b.ts'], 1)).toEqual([expect.stringMatching(/^lib\/b\.ts: .*Error/)]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
