// Run before tests: build the WASM module and dist/ when they are missing or older
// than their sources, so `npm test` works from a fresh clone with nothing else run.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}
const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : 0);

if (mtime('build/podnet.wasm') < newest('assembly')) execSync('npm run build:wasm', { stdio: 'inherit' });
const srcNewest = Math.max(newest('engine'), newest('src'), newest('bench'), newest('assembly/shared'));
if (mtime('dist/src/cli/main.js') < srcNewest) execSync('npm run build:ts', { stdio: 'inherit' });
