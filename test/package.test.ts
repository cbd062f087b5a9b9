import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..');

// A plain Node project that depends on nodeano, as a user would have after installing it.
let project: string;
beforeAll(() => {
  if (!fs.existsSync(path.join(root, 'dist/cjs/index.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'nodeano-user-'));
  fs.writeFileSync(path.join(project, 'package.json'), '{"name":"user","private":true}');
  fs.mkdirSync(path.join(project, 'node_modules'));
  fs.symlinkSync(root, path.join(project, 'node_modules', 'nodeano'), 'dir');
});

const run = (file: string, code: string) => {
  fs.writeFileSync(path.join(project, file), code);
  return execFileSync(process.execPath, [path.join(project, file)], { cwd: project, encoding: 'utf8' }).trim();
};

describe('package', () => {
  it('works with require() and records the user file as the creation site', () => {
    const out = run(
      'a.cjs',
      `const T = require('nodeano');
const x = T.vector('x');
const f = T.function([x], x.mul(2).sum());
console.log(f([1, 2]).get(), String(x.mul(2).site).split(':')[0]);`,
    );
    expect(out).toBe('6 a.cjs');
  });
  it('works with import, sharing one instance with require', () => {
    const out = run(
      'b.mjs',
      `import * as T from 'nodeano';
import { createRequire } from 'module';
const C = createRequire(import.meta.url)('nodeano');
const x = T.vector('x');
console.log(typeof T.function, T.config === C.config, C.function([x], x.sum())([3, 4]).get());`,
    );
    expect(out).toBe('function true 7');
  });
  it('ships type declarations', () => {
    expect(fs.existsSync(path.join(root, 'dist/cjs/index.d.ts'))).toBe(true);
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].types).toBe('./dist/cjs/index.d.ts');
    expect(pkg.binary.napi_versions).toEqual([8]);
  });
});
