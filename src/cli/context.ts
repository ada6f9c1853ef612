import { Option, type Command } from 'commander';
import { ValidationError } from '../../engine/errors.js';
import type { Backend } from '../../engine/datapath/index.js';
import { BACKENDS } from '../../engine/datapath/index.js';

/** Where output goes; tests and the CLI pass process streams. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  /** stderr is a terminal (progress bars only then). */
  tty: boolean;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  tty: !!process.stderr.isTTY,
};

/** `--db FILE`, else $PODNET_DB, else ./podnet.db. */
export function dbPath(opt: string | undefined): string {
  return opt ?? process.env.PODNET_DB ?? 'podnet.db';
}

export function parseBackend(v: string): Backend {
  if (!(BACKENDS as readonly string[]).includes(v)) throw new ValidationError(`--backend ${v}: choose one of ${BACKENDS.join(', ')}`);
  return v as Backend;
}

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml';

export function parseOutput(v: string | undefined, allowed: OutputFormat[]): OutputFormat {
  const f = (v ?? 'table') as OutputFormat;
  if (!allowed.includes(f)) throw new ValidationError(`-o ${v}: choose one of ${allowed.filter((x) => x !== 'table').join(', ')}`);
  return f;
}

/** `--db FILE`, shared by every verb that reads or writes a log. */
export const dbOption = () => new Option('--db <file>', 'event log file (default: $PODNET_DB or ./podnet.db)');
/** `--at POINT`, shared by every query verb. */
export const atOption = () => new Option('--at <point>', 'a past point: a sequence number (42) or a scenario time (90s, 5m, 1h30m)');

/** A verb module's hook: add its command (with --help text and an example) to the program. */
export type RegisterVerb = (program: Command, io: Io) => void;
