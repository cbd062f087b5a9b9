#!/usr/bin/env node
// The package's `install` script: builds build/Release/nodeano.node with cmake-js. It never fails the install: when
// cmake, a C++ compiler or OpenBLAS is missing, or the build or a load test fails, it prints one line saying so and
// nodeano falls back to the TypeScript backend. The full log goes to build/native-build.log.
//   NODEANO_SKIP_NATIVE=1   skip the native build
//   node scripts/install-native.cjs --strict   exit 1 on failure (used by `npm run build:native`)
'use strict';

const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.resolve(__dirname, '..');
const buildDir = path.join(root, 'build');
const logPath = path.join(buildDir, 'native-build.log');
const addonPath = path.join(buildDir, 'Release', 'nodeano.node');
const strict = process.argv.includes('--strict');
const HINT = 'run: apt-get install libopenblas-dev cmake g++';

function say(line) {
  // npm shows an install script's stdout only with --foreground-scripts; stderr is kept for failures in npm's log
  process.stdout.write(line + '\n');
}

function notBuilt(reason) {
  try {
    fs.rmSync(addonPath, { force: true }); // never leave an addon from older sources behind
  } catch {}
  say(`nodeano: native backend not built (${reason}); ${HINT} — falling back to the TypeScript backend (log: ${path.relative(process.cwd(), logPath) || logPath})`);
  process.exitCode = strict ? 1 : 0;
}

function log(text) {
  try {
    fs.appendFileSync(logPath, text);
  } catch {}
}

function run(cmd, args, opts = {}) {
  log(`\n$ ${cmd} ${args.join(' ')}\n`);
  const r = spawnSync(cmd, args, { cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, ...opts });
  log((r.stdout || '') + (r.stderr || ''));
  if (r.error) log(`(${r.error.message})\n`);
  return r;
}

function found(cmd, args = ['--version']) {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

// OpenBLAS: pkg-config, else the header/library places CMakeLists.txt searches too.
function haveOpenBLAS() {
  if (found('pkg-config', ['--exists', 'openblas'])) return true;
  const arch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] || '';
  const incs = ['/usr/include', '/usr/local/include', '/opt/OpenBLAS/include', '/opt/homebrew/opt/openblas/include'];
  const subs = ['', 'openblas', 'openblas-pthread', `${arch}/openblas-pthread`, `${arch}/openblas-openmp`, `${arch}/openblas-serial`];
  const header = incs.some((i) => subs.some((s) => fs.existsSync(path.join(i, s, 'openblas_config.h'))));
  const libs = ['/usr/lib', `/usr/lib/${arch}`, '/usr/local/lib', '/opt/OpenBLAS/lib', '/opt/homebrew/opt/openblas/lib'];
  const lib = libs.some((l) => ['', 'openblas-pthread', 'openblas-openmp', 'openblas-serial'].some((s) =>
    ['libopenblas.so', 'libopenblas.dylib', 'libopenblas.a'].some((f) => fs.existsSync(path.join(l, s, f)))));
  return header && lib;
}

function main() {
  if (process.env.NODEANO_SKIP_NATIVE === '1') {
    say('nodeano: native backend skipped (NODEANO_SKIP_NATIVE=1); using the TypeScript backend');
    return;
  }
  fs.mkdirSync(buildDir, { recursive: true });
  fs.writeFileSync(logPath, `nodeano native build, ${new Date().toISOString()}, node ${process.version}, ${process.platform}-${process.arch}\n`);

  const missing = [];
  if (!haveOpenBLAS()) missing.push('OpenBLAS');
  if (!found(process.env.CMAKE || 'cmake')) missing.push('cmake');
  const cxx = process.env.CXX;
  if (!(cxx ? found(cxx) : found('c++') || found('g++') || found('clang++'))) missing.push('g++');
  if (missing.length) {
    log(`missing: ${missing.join(', ')}\n`);
    return notBuilt(`missing ${missing.join('/')}`);
  }

  let cmakeJs;
  try {
    cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  } catch {
    log('cmake-js is not installed (it is a dependency of nodeano)\n');
    return notBuilt('cmake-js is not installed');
  }
  const jobs = String(Math.max(1, (os.availableParallelism ? os.availableParallelism() : os.cpus().length) || 1));
  // `compile` reuses an existing configuration and falls back to a clean rebuild when that fails
  const r = run(process.execPath, [cmakeJs, 'compile', '--parallel', jobs, '--log-level', 'info']);
  if (r.error || r.status !== 0 || !fs.existsSync(addonPath)) return notBuilt('the build failed');

  // load it in a child process: a missing shared library (libopenblas.so.0) shows up here, not at build time
  const probe = run(process.execPath, ['-e', `const n = require(${JSON.stringify(addonPath)}); console.log(JSON.stringify(n.info()))`]);
  if (probe.error || probe.status !== 0) return notBuilt('the built addon does not load');
  say(`nodeano: native backend built (${path.relative(root, addonPath)})`);
}

try {
  main();
} catch (e) {
  log(`\ninstall-native.cjs: ${e && e.stack ? e.stack : e}\n`);
  notBuilt('unexpected error in scripts/install-native.cjs');
}
