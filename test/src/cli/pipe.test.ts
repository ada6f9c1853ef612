// `podnet ... | head`: a reader that closes the pipe early ends podnet quietly (exit 0,
// nothing on stderr), as it does for ip, conntrack and kubectl.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { podnet } from '../../support/cli.js';
import { tmpDir } from '../../support/tmp.js';

const dir = tmpDir();
const BIN = fileURLToPath(new URL('../../../bin/podnet.js', import.meta.url));

describe('output into a closed pipe', () => {
  it('exits 0 without a stack trace when the reader goes away', async () => {
    // enough pods that the YAML (~500 KiB) outgrows the pipe's buffer
    const scenario = join(dir, 'g.json');
    const db = join(dir, 'g.db');
    expect(podnet(['gen', '--nodes', '12', '--pods', '300', '--services', '20', '-o', scenario]).code).toBe(0);
    expect(podnet(['replay', scenario, '--db', db]).code).toBe(0);
    const child = spawn(process.execPath, [BIN, 'get', 'pods', '-A', '-o', 'yaml', '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
