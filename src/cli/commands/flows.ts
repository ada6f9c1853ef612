import { DROP_REASONS } from '../../../engine/datapath/index.js';
import { ValidationError } from '../../../engine/errors.js';
import { trafficAt, type FlowRecord } from '../../packet/index.js';
import { parseAt } from '../../query/index.js';
import { tryParseDuration, formatDuration } from '../../scenario/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseBackend, parseOutput, type Io } from '../context.js';
import { formatTable } from '../table.js';

export interface FlowsOptions {
  db?: string; at?: string; output?: string; backend?: string;
  pod?: string; service?: string; node?: string; verdict?: string; reason?: string; since?: string; until?: string;
}

function time(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const ms = tryParseDuration(text);
  if (ms === undefined) throw new ValidationError(`${flag} ${text}: give a scenario time (e.g. 90s, 5m)`);
  return ms;
}

const VERDICTS = ['DELIVERED', 'FORWARDED', 'DROPPED'];

/** `--verdict` and `--reason` name known values, or the filter would silently match nothing. */
function checkFilters(o: FlowsOptions): void {
  if (o.verdict !== undefined && !VERDICTS.includes(o.verdict.toUpperCase())) {
    throw new ValidationError(`--verdict ${o.verdict}: choose from ${VERDICTS.join(', ')}`);
  }
  if (o.reason !== undefined && !(DROP_REASONS as readonly string[]).includes(o.reason.toUpperCase())) {
    throw new ValidationError(`--reason ${o.reason}: not a drop reason; choose from ${DROP_REASONS.join(', ')}`);
  }
}

/** Does a flow pass the hubble-observe-like filters? */
function matches(f: FlowRecord, o: FlowsOptions, since?: number, until?: number): boolean {
  if (since !== undefined && f.time < since) return false;
  if (until !== undefined && f.time > until) return false;
  if (o.verdict && f.verdict !== o.verdict.toUpperCase() && !(o.verdict.toUpperCase() === 'FORWARDED' && f.verdict === 'DELIVERED')) return false;
  if (o.reason && f.reason !== o.reason.toUpperCase()) return false;
  if (o.service && f.service !== (o.service.includes('/') ? o.service : `default/${o.service}`)) return false;
  if (o.node && !f.nodes.includes(o.node)) return false;
  if (o.pod) {
    const key = o.pod.includes('/') ? o.pod : `default/${o.pod}`;
    if (f.from !== `pod/${o.pod}` && f.from !== `pod/${key}` && f.deliveredTo !== `pod ${key}`) return false;
  }
  return true;
}

/** `podnet flows`: the flow log of the scenario's traffic, filtered like `hubble observe`. */
export function flowsCommand(io: Io, o: FlowsOptions): void {
  const format = parseOutput(o.output, ['table', 'json']);
  checkFilters(o);
  const since = time(o.since, '--since'), until = time(o.until, '--until');
  const r = trafficAt(dbPath(o.db), parseAt(o.at), parseBackend(o.backend ?? 'wasm'));
  const flows = r.flows.filter((f) => matches(f, o, since, until));
  if (format === 'json') { io.out(JSON.stringify(flows, null, 2)); return; }
  const rows = flows.map((f) => [formatDuration(f.time), `${f.from} ${f.src}`, `${f.to} ${f.dst}`, f.service ?? '', f.translated, f.verdict + (f.reason ? ` ${f.reason}` : ''), f.nodes.join(',') || '-', `${f.delivered}/${f.packets}`]);
  io.out(formatTable(['TIME', 'SOURCE', 'DESTINATION', 'SERVICE', 'TRANSLATED', 'VERDICT', 'NODES', 'PKTS'], rows));
}

export const registerFlows: RegisterVerb = (program, io) => {
  program.command('flows')
    .description("the flow log of the scenario's traffic (forwarded through the datapath), filtered like `hubble observe`")
    .addOption(dbOption()).addOption(atOption())
    .option('--pod <name>', 'flows from or to a pod (NAME or NS/NAME)')
    .option('--service <name>', 'flows to a Service (NAME or NS/NAME)')
    .option('--node <name>', 'flows that crossed a node')
    .option('--verdict <v>', 'DELIVERED (or FORWARDED) or DROPPED')
    .option('--reason <code>', 'drop reason (NO_ENDPOINTS, NODE_DOWN, ...)')
    .option('--since <t>', 'from this scenario time (e.g. 60s)')
    .option('--until <t>', 'up to this scenario time')
    .option('-o, --output <fmt>', 'json')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .addHelpText('after', '\nExample:\n  podnet flows --service nginx --verdict DROPPED --since 60s')
    .action((o) => flowsCommand(io, o));
};
