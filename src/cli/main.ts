// The podnet command. The only module that touches the terminal; verbs live in
// commands/, each registered by commands/index.ts. Actions may be async.
import { Command } from 'commander';
import { PodnetError } from '../../engine/errors.js';
import { processIo, type Io } from './context.js';
import { VERBS } from './commands/index.js';

/** Build the program; `io` receives all output (tests pass their own). */
export function buildProgram(io: Io): Command {
  const program = new Command('podnet')
    .description('Packet-level, event-sourced simulator of Kubernetes networking')
    .option('--debug', 'print stack traces of errors')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  for (const register of VERBS) register(program, io);

  return program;
}

/** Run the CLI; returns the exit code (0 ok, 1 user error or failure). */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    const err = e as Error & { code?: string; exitCode?: number };
    if (err.code?.startsWith('commander.')) return err.exitCode ?? 1; // help, version, usage: commander printed it
    if (e instanceof PodnetError) io.err(`error: ${err.message}`);
    else io.err(`error: ${err.message} (an unexpected failure: run with --debug for the stack trace and please report it)`);
    if (debug) io.err(err.stack ?? '');
    return 1;
  }
}
