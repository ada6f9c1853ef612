// What the lab runs on the machine: `ip`, `iptables-restore`, `conntrack`. One place
// for process execution, so failures say which command failed and why.
import { execFile, execFileSync, spawn } from 'node:child_process';
import { PodnetError } from '../../engine/errors.js';
import type { LabCommand } from './labPlan.js';

/** Tools the lab needs, with the Debian package that ships each. */
const TOOLS: [string, string][] = [['ip', 'iproute2'], ['bridge', 'iproute2'], ['iptables-restore', 'iptables'], ['conntrack', 'conntrack']];

/** Fail with one clear line unless we are root and the tools are installed. */
export function checkLabHost(): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new PodnetError('NEEDS_ROOT', 'lab: needs root (network namespaces, veths, iptables); run it as root, e.g. sudo npx podnet lab up');
  }
  const missing = TOOLS.filter(([t]) => !hasTool(t)).map(([t, pkg]) => `${t} (apt-get install ${pkg})`);
  if (missing.length) throw new PodnetError('MISSING_TOOLS', `lab: missing ${missing.join(', ')}`);
}

/** Is a command on PATH (or in the sbin folders root uses)? */
export function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` } });
    return true;
  } catch {
    return false;
  }
}

const ENV = { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` };

/** Run one command; throws a PodnetError naming it and the kernel's complaint. */
export function run(cmd: LabCommand): string {
  try {
    return execFileSync(cmd.argv[0]!, cmd.argv.slice(1), { input: cmd.stdin, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], env: ENV });
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new PodnetError('LAB_COMMAND', `lab: '${cmd.argv.join(' ')}' failed: ${(err.stderr || err.message).trim().split('\n')[0]}`);
  }
}

/** Run a command, returning its output or undefined when it fails (probes, cleanup). */
export function tryRun(argv: string[]): string | undefined {
  try {
    return execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  } catch {
    return undefined;
  }
}

/** tryRun without blocking: resolves to the output, or undefined when the command fails. */
export function tryRunAsync(argv: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', env: ENV }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** Start a long-running process detached from us (listeners); returns its pid. */
export function startDetached(argv: string[]): number {
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: 'ignore', env: ENV });
  child.unref();
  return child.pid ?? 0;
}
