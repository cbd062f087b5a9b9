// Writes dist/esm/index.mjs: an ES module that re-exports the CommonJS build, so `import` and `require` share one
// instance of nodeano (one T.config, one set of registered kernels) instead of loading two copies.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const cjs = require(path.join(root, 'dist/cjs/index.js'));
const names = Object.keys(cjs).filter((k) => k !== '__esModule' && k !== 'default');
const lines = ["import cjs from '../cjs/index.js';"];
names.forEach((n, i) => lines.push(`const _${i} = cjs[${JSON.stringify(n)}];`));
lines.push(`export { ${names.map((n, i) => `_${i} as ${n}`).join(', ')} };`);
lines.push('export default cjs;');
fs.mkdirSync(path.join(root, 'dist/esm'), { recursive: true });
fs.writeFileSync(path.join(root, 'dist/esm/index.mjs'), lines.join('\n') + '\n');
