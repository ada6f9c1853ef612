// The podnet command. The only module that touches the terminal; verbs live in
// commands/, each a function of (io, args, options).
import { Command, Option } from 'commander';
import { PodnetError } from '../../engine/errors.js';
import { processIo, type Io } from './context.js';
import { demoCommand } from './commands/demo.js';
import { getCommand } from './commands/get.js';
import { replayCommand } from './commands/replay.js';
import { traceCommand } from './commands/trace.js';

const dbOption = () => new Option('--db <file>', 'event log file (default: $PODNET_DB or ./podnet.db)');
const atOption = () => new Option('--at <point>', 'a past point: a sequence number (42) or a scenario time (90s, 5m, 1h30m)');

/** Build the program; `io` receives all output (tests pass their own). */
export function buildProgram(io: Io): Command {
  const program = new Command('podnet')
    .description('Packet-level, event-sourced simulator of Kubernetes networking')
    .option('--debug', 'print stack traces of errors')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program.command('demo')
    .description("replay the bundled demo (the seeds' cluster) into the log and show what happened")
    .addOption(dbOption())
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet demo --db /tmp/demo.db')
    .action((o) => demoCommand(io, o));

  program.command('replay <scenario>')
    .description('run a scenario file (cluster: and steps:) into a new event log')
    .addOption(dbOption())
    .option('--force', 'replace the --db file if it exists')
    .addHelpText('after', '\nExample:\n  podnet replay examples/demo.yaml --db demo.db')
    .action((file, o) => replayCommand(io, file, o));

  program.command('get [kind] [name]')
    .description('list objects like kubectl get: nodes, pods, services/svc, endpoints/ep, rs, rc, deploy, ds')
    .addOption(dbOption())
    .option('-n, --namespace <ns>', 'namespace', 'default')
    .option('-A, --all-namespaces', 'every namespace')
    .option('-l, --selector <sel>', 'label selector, e.g. app=nginx')
    .option('-o, --output <fmt>', 'wide, json or yaml')
    .addOption(atOption())
    .option('--digest', 'print a digest of the whole cluster state instead')
    .addHelpText('after', '\nExamples:\n  podnet get pods -o wide\n  podnet get pods -l app=nginx-app --at 30s\n  podnet get rs nginx-rs -o yaml')
    .action((kind, name, o) => getCommand(io, kind, name, o));

  program.command('trace <src> <dst>')
    .description('walk one packet from SRC to DST (pod/NAME, pod/NS/NAME, NS/NAME, or an IP) and print every hop')
    .addOption(dbOption())
    .option('-p, --port <port>', 'destination port', '80')
    .option('--proto <proto>', 'tcp, udp or icmp', 'tcp')
    .addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet trace pod/client pod/nginx-rs-abcde --port 80 -o json')
    .action((src, dst, o) => traceCommand(io, src, dst, o));

  return program;
}

/** Run the CLI; returns the exit code (0 ok, 1 user error or failure). */
export function main(argv: string[], io: Io = processIo): number {
  const program = buildProgram(io);
  const debug = argv.includes('--debug');
  try {
    program.parse(argv, { from: 'user' });
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
