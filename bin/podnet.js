#!/usr/bin/env node
// The podnet command: runs the compiled CLI from dist/ (built by `npm ci` / `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/src/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write("error: podnet is not built yet: run 'npm run build' (npm ci does it for you)\n");
  process.exit(1);
}
// `podnet get pods | head`: a reader that closes the pipe early ends the output, as it
// does for ip, conntrack or kubectl, instead of crashing on EPIPE.
process.stdout.on('error', (e) => { if (e.code === 'EPIPE') process.exit(0); throw e; });
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
