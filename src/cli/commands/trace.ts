import { ValidationError } from '../../../engine/errors.js';
import { createDatapath } from '../../../engine/datapath/index.js';
import { tracePacket, type Proto } from '../../packet/index.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, type RegisterVerb, dbPath, parseBackend, parseOutput, type Io } from '../context.js';
import { formatTrace } from '../formatTrace.js';

export interface TraceOptions {
  db?: string;
  port?: string;
  proto?: string;
  at?: string;
  output?: string;
  backend?: string;
  reply?: boolean;
  sport?: string;
}

/** `podnet trace SRC DST` */
export function traceCommand(io: Io, src: string, dst: string, o: TraceOptions): void {
  const port = o.port === undefined ? 80 : Number(o.port);
  if (!/^\d+$/.test(o.port ?? '80') || port > 65535) throw new ValidationError(`--port ${o.port}: must be a port number 0-65535`);
  const proto = (o.proto ?? 'tcp') as Proto;
  if (!['tcp', 'udp', 'icmp'].includes(proto)) throw new ValidationError(`--proto ${o.proto}: choose tcp, udp or icmp`);
  const format = parseOutput(o.output, ['table', 'json']);
  const dp = createDatapath(parseBackend(o.backend ?? 'wasm'));
  const { state } = clusterAt(dbPath(o.db), parseAt(o.at));
  const sport = o.sport === undefined ? undefined : Number(o.sport);
  if (sport !== undefined && (!/^\d+$/.test(o.sport!) || sport < 1 || sport > 65535)) throw new ValidationError(`--sport ${o.sport}: must be a port number 1-65535`);
  const t = tracePacket(state, dp, { src, dst, port, proto, reply: !!o.reply, ...(sport ? { sport } : {}) });
  io.out(format === 'json' ? JSON.stringify(t, null, 2) : formatTrace(t));
}

export const registerTrace: RegisterVerb = (program, io) => {
  program.command('trace <src> <dst>')
    .description('walk one packet from SRC to DST and print every hop. SRC/DST: pod/NAME, pod/NS/NAME, NS/NAME, svc/NAME, node/NAME, an IP, internet, a DNS name, or (DST) http://host/path')
    .addOption(dbOption())
    .option('-p, --port <port>', 'destination port', '80')
    .option('--proto <proto>', 'tcp, udp or icmp', 'tcp')
    .addOption(atOption())
    .option('-o, --output <fmt>', 'json')
    .option('--backend <name>', 'datapath backend: wasm or ts', 'wasm')
    .option('--reply', 'also walk the reply back (shows the un-NAT)')
    .option('--sport <port>', 'source port (default 40000)')
    .addHelpText('after', '\nExample:\n  podnet trace pod/client pod/nginx-rs-abcde --port 80 -o json\n  podnet trace pod/client svc/nginx --reply\n  podnet trace internet http://shop.example.com/cart')
    .action((src, dst, o) => traceCommand(io, src, dst, o));
};
