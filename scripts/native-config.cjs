#!/usr/bin/env node
// Build settings for binding.gyp (node-gyp), printed one item per line for gyp's <!@(...) expansion:
//   node scripts/native-config.cjs sources    every .cc of native/, native/napi/ and native/kernels/ (as CMakeLists.txt)
//   node scripts/native-config.cjs blas-include   the directory of OpenBLAS's cblas.h
//   node scripts/native-config.cjs blas-libs      linker flags for OpenBLAS
// Paths are relative to the directory holding binding.gyp (this script's parent's parent).
'use strict';
const { spawnSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const arch = { x64: 'x86_64-linux-gnu', arm64: 'aarch64-linux-gnu' }[process.arch] || '';
const subs = ['', 'openblas', 'openblas-pthread', 'openblas-openmp', 'openblas-serial', `${arch}/openblas-pthread`, `${arch}/openblas-openmp`, `${arch}/openblas-serial`, `${arch}/openblas`];

function pkgConfig(args) {
  const r = spawnSync('pkg-config', args, { encoding: 'utf8' });
  return !r.error && r.status === 0 ? r.stdout.trim() : null;
}

function blasInclude() {
  const flags = pkgConfig(['--cflags-only-I', 'openblas']);
  const fromPc = flags ? flags.split(/\s+/).filter((f) => f.startsWith('-I')).map((f) => f.slice(2)) : [];
  const bases = [...fromPc, '/usr/include', '/usr/local/include', '/opt/OpenBLAS/include', '/opt/homebrew/opt/openblas/include'];
  for (const b of bases) for (const s of subs) if (fs.existsSync(path.join(b, s, 'openblas_config.h'))) return [path.resolve(b, s)];
  return [];
}

function blasLibs() {
  const flags = pkgConfig(['--libs', 'openblas']);
  if (flags) return flags.split(/\s+/).filter(Boolean);
  for (const l of ['/usr/lib', `/usr/lib/${arch}`, '/usr/local/lib', '/opt/OpenBLAS/lib', '/opt/homebrew/opt/openblas/lib'])
    for (const s of ['', 'openblas-pthread', 'openblas-openmp', 'openblas-serial'])
      if (['libopenblas.so', 'libopenblas.dylib'].some((f) => fs.existsSync(path.join(l, s, f)))) return [`-L${path.join(l, s)}`, '-lopenblas'];
  return ['-lopenblas'];
}

function sources() {
  const dir = (d) => (fs.existsSync(path.join(root, d)) ? fs.readdirSync(path.join(root, d)).filter((f) => f.endsWith('.cc')).sort().map((f) => `${d}/${f}`) : []);
  return [...dir('native'), ...dir('native/napi'), ...dir('native/kernels')];
}

const what = process.argv[2];
const out = what === 'sources' ? sources() : what === 'blas-include' ? blasInclude() : what === 'blas-libs' ? blasLibs() : null;
if (!out) {
  console.error('usage: native-config.cjs sources|blas-include|blas-libs');
  process.exit(2);
}
process.stdout.write(out.join('\n') + '\n');
