import { PodnetError } from '../../../engine/errors.js';
import { checkLabHost, labCheck, labDown, labUp, loadLabState, type ProbeResult } from '../../lab/index.js';
import { clusterAt, parseAt } from '../../query/index.js';
import { atOption, dbOption, dbPath, parseOutput, type Io, type RegisterVerb } from '../context.js';
import { formatTable } from '../table.js';

function upCommand(io: Io, o: { db?: string; at?: string }): void {
  const db = dbPath(o.db);
  const at = clusterAt(db, parseAt(o.at));
  const s = labUp(at.state, { db });
  io.out(`lab up: ${s.nodes.length} nodes, ${s.pods.length} pods in ${s.namespaces.length} network namespaces (cluster at seq ${at.seq}); 'podnet lab check' probes it, 'podnet lab down' removes it`);
  io.out(formatTable(['NODE', 'NAMESPACE', 'IP'], s.nodes.map((n) => [n.name, n.ns, n.ip])));
}

function formatResults(results: ProbeResult[]): string {
  const rows = results.map((r, i) => [String(i + 1), r.probe.kind, r.probe.src === 'internet' ? 'internet' : r.probe.src.key, `${r.probe.dstIp}:${r.probe.port}`, r.kernel, r.podnet, r.agree ? 'yes' : 'NO']);
  const lines = [formatTable(['#', 'KIND', 'SRC', 'DST', 'KERNEL', 'PODNET', 'AGREE'], rows)];
  for (const [i, r] of results.entries()) {
    for (const c of r.checks.filter((x) => !x.agree)) lines.push(`disagreement #${i + 1} (${r.probe.kind}): ${c.what}: kernel ${c.kernel}, podnet ${c.podnet}`);
  }
  const agree = results.filter((r) => r.agree).length;
  const kinds = new Set(results.map((r) => r.probe.kind));
  lines.push(`${agree}/${results.length} probes agree (${[...kinds].join(', ')})`);
  return lines.join('\n');
}

async function checkCommand(io: Io, o: { probes?: string; output?: string }): Promise<void> {
  checkLabHost();
  const lab = loadLabState();
  if (!lab) throw new PodnetError('NO_LAB', "lab check: no lab is up; run 'podnet lab up' first");
  const probes = Number(o.probes ?? 50);
  if (!Number.isInteger(probes) || probes < 1) throw new PodnetError('VALIDATION', `--probes ${o.probes}: a whole number >= 1`);
  const format = parseOutput(o.output, ['table', 'json']);
  const { state } = clusterAt(lab.db, { seq: lab.at.seq });
  const results = await labCheck(state, lab, probes);
  io.out(format === 'json' ? JSON.stringify({ agree: results.every((r) => r.agree), results }, null, 2) : formatResults(results));
  const bad = results.filter((r) => !r.agree).length;
  if (bad) throw new PodnetError('LAB_DISAGREES', `lab check: ${bad} of ${results.length} probes disagree with the kernel (listed above)`);
}

export const registerLab: RegisterVerb = (program, io) => {
  const lab = program.command('lab').description('build the cluster in Linux network namespaces and hold podnet to the real kernel (root)')
    .addHelpText('after', '\nExample:\n  npx podnet replay examples/lab.yaml --db lab.db\n  sudo npx podnet lab up --db lab.db && sudo npx podnet lab check --probes 60; sudo npx podnet lab down');
  lab.command('up')
    .description('materialize the cluster network at --at as namespaces, veths, bridges, routes, VXLAN and iptables')
    .addOption(dbOption()).addOption(atOption())
    .addHelpText('after', '\nExample:\n  sudo npx podnet lab up --db demo.db --at 10s')
    .action((o) => upCommand(io, o));
  lab.command('check')
    .description('real TCP connections for sampled flows, each compared with podnet trace; exits 1 on any disagreement')
    .option('--probes <n>', 'how many probes', '50')
    .option('-o, --output <fmt>', 'json')
    .addHelpText('after', '\nExample:\n  sudo npx podnet lab check --probes 50')
    .action((o) => checkCommand(io, o));
  lab.command('down')
    .description('remove every namespace, device and process the lab made')
    .addHelpText('after', '\nExample:\n  sudo npx podnet lab down')
    .action(() => { checkLabHost(); io.out(`lab down: removed ${labDown()} namespaces`); });
};
