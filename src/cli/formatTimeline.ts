// What happened, in order: the log's events grouped by scenario time, one short line
// per event, the way a person would retell the seeds' story.
import type { LogEntry } from '../query/events.js';
import { formatDuration } from '../scenario/index.js';

type Say = (d: Record<string, unknown>) => string | undefined;

const ns = (d: Record<string, unknown>) => (d.namespace === 'default' ? `${d.name}` : `${d.namespace}/${d.name}`);

/** One phrase per event type; undefined leaves the event out (bookkeeping). */
const SAY: Record<string, Say> = {
  ClusterCreated: (d) => `cluster ${d.name} created (${d.cni}, kube-proxy ${d.kubeProxy})`,
  NodeJoined: (d) => `node ${d.name} joined (${d.ip}, pods ${d.podCidr})`,
  NodeFailed: (d) => `node ${d.name} FAILED`,
  NodeRecovered: (d) => `node ${d.name} recovered`,
  NodeCordoned: (d) => `node ${d.name} cordoned`,
  NodeLabeled: (d) => `node ${d.name} labelled`,
  WorkloadApplied: (d) => `${d.kind} ${ns(d)} applied${d.kind === 'DaemonSet' ? '' : ` (${d.replicas} replica${d.replicas === 1 ? '' : 's'})`}`,
  WorkloadScaled: (d) => `${d.kind} ${ns(d)} scaled to ${d.replicas}`,
  WorkloadDeleted: (d) => `${d.kind} ${ns(d)} deleted`,
  PodScheduled: (d) => `pod ${ns(d)} -> ${d.node} ${d.ip}`,
  PodUnschedulable: (d) => `pod ${ns(d)} Pending (${d.reason})`,
  PodDeleted: (d) => `pod ${ns(d)} deleted (${d.reason})`,
  ServiceApplied: (d) => `service ${ns(d)} ${d.type} ${d.clusterIP}${d.loadBalancerIP ? ` / ${d.loadBalancerIP}` : ''}`,
  EndpointsChanged: (d) => `endpoints ${ns(d)}: ${(d.endpoints as unknown[]).length} ready`,
  IngressApplied: (d) => `ingress ${ns(d)} applied`,
  TrafficSent: (d) => `traffic ${d.from} -> ${d.to}:${d.port}`,
};

/** The timeline as text lines: `  70s  node worker-c FAILED; pod ... deleted (NodeLost); ...`. */
export function formatTimeline(events: LogEntry[], width = 100): string[] {
  const byTime = new Map<number, string[]>();
  for (const e of events) {
    const text = SAY[e.type]?.(e.data);
    if (!text) continue;
    if (!byTime.has(e.time)) byTime.set(e.time, []);
    byTime.get(e.time)!.push(text);
  }
  const lines: string[] = [];
  for (const [time, parts] of byTime) {
    const head = `  ${formatDuration(time).padStart(5)}  `;
    let line = head;
    for (const p of parts) {
      const add = line === head ? p : `; ${p}`;
      if (line.length + add.length > width && line !== head) { lines.push(`${line};`); line = `${' '.repeat(head.length)}${p}`; } else line += add;
    }
    lines.push(line);
  }
  return lines;
}
