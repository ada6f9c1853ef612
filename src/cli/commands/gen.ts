import { writeFileSync } from 'node:fs';
import { ValidationError } from '../../../engine/errors.js';
import { generateScenario } from '../../scenario/index.js';
import type { RegisterVerb, Io } from '../context.js';

export interface GenCliOptions {
  nodes: string;
  pods: string;
  services: string;
  seed: string;
  output?: string;
}

function whole(flag: string, v: string): number {
  if (!/^\d+$/.test(v)) throw new ValidationError(`gen: --${flag} ${v}: must be a whole number`);
  return Number(v);
}

/** `podnet gen --nodes N --pods N --services N -o FILE` */
export function genCommand(io: Io, o: GenCliOptions): void {
  if (!o.output) throw new ValidationError('gen: name the scenario file to write with -o FILE');
  const opts = { nodes: whole('nodes', o.nodes), pods: whole('pods', o.pods), services: whole('services', o.services), seed: whole('seed', o.seed) };
  const started = performance.now();
  const text = generateScenario(opts);
  writeFileSync(o.output, text);
  io.out(`wrote ${o.output}: ${opts.nodes} nodes, ${opts.pods} pods, ${opts.services} services (${(text.length / 1048576).toFixed(1)} MiB, ${(performance.now() - started).toFixed(0)} ms); run: podnet replay ${o.output} --db envelope.db`);
}

export const registerGen: RegisterVerb = (program, io) => {
  program.command('gen')
    .description("write a scenario at Kubernetes' scalability envelope (110 pods/node, 250 endpoints/Service) with events over time")
    .option('--nodes <n>', 'nodes, the control plane included', '5000')
    .option('--pods <n>', 'pods in all, DaemonSet and system pods included', '150000')
    .option('--services <n>', 'Services (each backed by its own Deployment)', '10000')
    .option('--seed <n>', 'PRNG seed (same seed, same file)', '1')
    .option('-o, --output <file>', 'the scenario file to write')
    .addHelpText('after', '\nExample:\n  podnet gen --nodes 5000 --pods 150000 --services 10000 -o envelope.json && podnet replay envelope.json --db envelope.db')
    .action((o) => genCommand(io, o));
};
