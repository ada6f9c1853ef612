// What `podnet describe` prints for each kind, field by field in kubectl's order, so a
// reader's eye finds Node:, IP:, Controlled By:, Endpoints: where kubectl puts them.
// Fields podnet does not model (resources, volumes, probes) are left out, not faked.
import { type ClusterState, type Container, type Node, type Pod, type Service, type Workload, nsKey, workloadKey, type WorkloadKind } from '../cluster/index.js';
import { formatSelector } from '../control/index.js';
import { type DescribeLine, mapLines } from './formatDescribe.js';
import { age, backendText, ingressAddress, podStatus } from './resources.js';
import { formatTable } from './table.js';

/** Builds the lines for one object, or undefined when it does not exist. */
export type Describer = (s: ClusterState, namespace: string, name: string) => DescribeLine[] | undefined;

/** A scenario time as kubectl prints times in describe (RFC 1123 with a numeric zone). */
export const describeTime = (t: number) => new Date(Date.UTC(2024, 0, 1) + t).toUTCString().replace('GMT', '+0000');

/** A table inside describe output (Conditions, Addresses, pods), as heading lines at `level`. */
function table(level: number, headers: string[], rows: string[][]): DescribeLine[] {
  return formatTable(headers, rows).split('\n').map((l): DescribeLine => [level, l]);
}

const portText = (c: Container) => c.ports.map((p) => `${p.containerPort}/${p.protocol}`).join(', ');

function containerLines(level: number, c: Container, state?: { running: boolean; started?: number }): DescribeLine[] {
  const lines: DescribeLine[] = [[level, `${c.name}:`], [level + 1, 'Image:', c.image]];
  if (c.ports.length) lines.push([level + 1, c.ports.length > 1 ? 'Ports:' : 'Port:', portText(c)], [level + 1, c.ports.length > 1 ? 'Host Ports:' : 'Host Port:', c.ports.map((p) => `0/${p.protocol}`).join(', ')]);
  if (state) {
    lines.push([level + 1, 'State:', state.running ? 'Running' : 'Waiting']);
    if (state.running && state.started !== undefined) lines.push([level + 2, 'Started:', describeTime(state.started)]);
    else if (!state.running) lines.push([level + 2, 'Reason:', 'ContainerCreating']);
    lines.push([level + 1, 'Ready:', state.running ? 'True' : 'False'], [level + 1, 'Restart Count:', '0']);
  }
  lines.push([level + 1, 'Environment:', '<none>']);
  return lines;
}

function describePod(s: ClusterState, ns: string, name: string): DescribeLine[] | undefined {
  const p: Pod | undefined = s.pods.get(nsKey(ns, name));
  if (!p) return undefined;
  const status = podStatus(p, s);
  const node = p.node ? s.nodes.get(p.node) : undefined;
  const running = status === 'Running';
  return [
    [0, 'Name:', p.name], [0, 'Namespace:', p.namespace], [0, 'Priority:', '0'], [0, 'Service Account:', 'default'],
    [0, 'Node:', node ? `${node.name}/${node.ip}` : '<none>'],
    ...(p.startedAt !== undefined ? [[0, 'Start Time:', describeTime(p.startedAt)] as DescribeLine] : []),
    ...mapLines(0, 'Labels:', p.labels), [0, 'Annotations:', '<none>'], [0, 'Status:', status],
    ...(p.reason ? [[0, 'Reason:', p.reason], [0, 'Message:', p.message ?? '']] as DescribeLine[] : []),
    [0, 'IP:', p.ip ?? ''],
    [0, 'IPs:', ...(p.ip ? [] : ['<none>'])] as DescribeLine, ...(p.ip ? [[1, 'IP:', p.ip] as DescribeLine] : []),
    ...(p.owner ? [[0, 'Controlled By:', `${p.owner.kind}/${p.owner.name}`] as DescribeLine] : []),
    [0, 'Containers:'], ...p.containers.flatMap((c) => containerLines(1, c, p.node ? { running, started: p.startedAt } : undefined)),
    [0, 'Conditions:'],
    ...table(1, ['Type', 'Status'], p.reason ? [['PodScheduled', 'False']] : p.node ? [['Initialized', 'True'], ['Ready', running ? 'True' : 'False'], ['ContainersReady', running ? 'True' : 'False'], ['PodScheduled', 'True']] : []),
    [0, 'QoS Class:', 'BestEffort'], ...mapLines(0, 'Node-Selectors:', p.nodeSelector),
    [0, 'Tolerations:', p.tolerations?.length ? p.tolerations.map((t) => `${t.key ?? ''}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}:${t.effect ?? ''}`).join(', ') : '<none>'],
  ];
}

function describeNode(s: ClusterState, _ns: string, name: string): DescribeLine[] | undefined {
  const n: Node | undefined = s.nodes.get(name);
  if (!n) return undefined;
  const pods = [...s.pods.values()].filter((p) => p.node === n.name);
  return [
    [0, 'Name:', n.name], [0, 'Roles:', n.role === 'control-plane' ? 'control-plane' : '<none>'], ...mapLines(0, 'Labels:', n.labels),
    [0, 'Annotations:', '<none>'], [0, 'CreationTimestamp:', describeTime(n.joinedAt)],
    [0, 'Taints:', n.taints.length ? n.taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ') : '<none>'],
    [0, 'Unschedulable:', String(n.unschedulable)],
    [0, 'Conditions:'],
    ...table(1, ['Type', 'Status', 'Reason', 'Message'], [n.ready ? ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'] : ['Ready', 'Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.']]),
    [0, 'Addresses:'], [1, 'InternalIP:', n.ip], [1, 'ExternalIP:', n.publicIp], [1, 'Hostname:', n.name],
    [0, 'PodCIDR:', n.podCidr], [0, 'PodCIDRs:', n.podCidr],
    [0, 'Non-terminated Pods:', `(${pods.length} in total)`],
    ...table(1, ['Namespace', 'Name', 'IP', 'Age'], pods.map((p) => [p.namespace, p.name, p.ip ?? '<none>', age(s, p.createdAt)])),
  ];
}

function describeService(s: ClusterState, ns: string, name: string): DescribeLine[] | undefined {
  const svc: Service | undefined = s.services.get(nsKey(ns, name));
  if (!svc) return undefined;
  const eps = s.endpoints.get(nsKey(ns, name))?.endpoints ?? [];
  const ports: DescribeLine[] = svc.ports.flatMap((p) => {
    const resolved = eps.flatMap((e) => e.ports.filter((x) => x.name === (p.name ?? '')).map((x) => `${e.ip}:${x.port}`));
    return [
      [0, 'Port:', `${p.name ?? '<unset>'}  ${p.port}/${p.protocol}`], [0, 'TargetPort:', `${p.targetPort}/${p.protocol}`],
      ...(p.nodePort ? [[0, 'NodePort:', `${p.name ?? '<unset>'}  ${p.nodePort}/${p.protocol}`] as DescribeLine] : []),
      [0, 'Endpoints:', resolved.join(',') || '<none>'],
    ];
  });
  return [
    [0, 'Name:', svc.name], [0, 'Namespace:', svc.namespace], [0, 'Labels:', '<none>'], [0, 'Annotations:', '<none>'],
    [0, 'Selector:', svc.selector ? Object.entries(svc.selector).map(([k, v]) => `${k}=${v}`).join(',') : '<none>'],
    [0, 'Type:', svc.type], [0, 'IP Family Policy:', 'SingleStack'], [0, 'IP Families:', 'IPv4'], [0, 'IP:', svc.clusterIP], [0, 'IPs:', svc.clusterIP],
    ...(svc.loadBalancerIP ? [[0, 'LoadBalancer Ingress:', svc.loadBalancerIP] as DescribeLine] : []),
    ...ports, [0, 'Session Affinity:', svc.sessionAffinity],
    ...(svc.type !== 'ClusterIP' ? [[0, 'External Traffic Policy:', svc.externalTrafficPolicy] as DescribeLine] : []),
    [0, 'Internal Traffic Policy:', 'Cluster'],
  ];
}

function describeIngress(s: ClusterState, ns: string, name: string): DescribeLine[] | undefined {
  const ing = s.ingresses.get(nsKey(ns, name));
  if (!ing) return undefined;
  const rows = ing.rules.flatMap((r) => r.paths.map((p, i) => [i === 0 ? (r.host ?? '*') : '', p.path, backendText(p)]));
  return [
    [0, 'Name:', ing.name], [0, 'Labels:', '<none>'], [0, 'Namespace:', ing.namespace], [0, 'Address:', ingressAddress(s) ?? ''],
    [0, 'Ingress Class:', ing.className ?? '<none>'], [0, 'Default backend:', ing.defaultBackend ? backendText(ing.defaultBackend) : '<default>'],
    [0, 'Rules:'], ...table(1, ['Host', 'Path', 'Backends'], rows), [0, 'Annotations:', '<none>'],
  ];
}

/** Replicas: and Pods Status: as each workload kind words them. */
function replicaLines(kind: WorkloadKind, w: Workload, owned: Pod[], s: ClusterState): DescribeLine[] {
  const running = owned.filter((p) => p.phase === 'Running' && s.nodes.get(p.node ?? '')?.ready).length;
  const waiting = owned.length - running;
  const status: DescribeLine = [0, 'Pods Status:', `${running} Running / ${waiting} Waiting / 0 Succeeded / 0 Failed`];
  if (kind === 'Deployment') return [[0, 'Replicas:', `${w.replicas} desired | ${owned.length} updated | ${owned.length} total | ${running} available | ${Math.max(0, w.replicas - running)} unavailable`], [0, 'StrategyType:', 'RollingUpdate']];
  if (kind === 'DaemonSet') {
    const nodes = new Set(owned.map((p) => p.targetNode ?? p.node)).size;
    return [[0, 'Desired Number of Nodes Scheduled:', String(nodes)], [0, 'Current Number of Nodes Scheduled:', String(nodes)], [0, 'Number of Nodes Scheduled with Up-to-date Pods:', String(nodes)], [0, 'Number of Nodes Scheduled with Available Pods:', String(running)], [0, 'Number of Nodes Misscheduled:', '0'], status];
  }
  return [[0, 'Replicas:', `${owned.length} current / ${w.replicas} desired`], status];
}

function workloadDescriber(kind: WorkloadKind): Describer {
  return (s, ns, name) => {
    const w = s.workloads.get(workloadKey(kind, ns, name));
    if (!w) return undefined;
    const owned = [...s.pods.values()].filter((p) => p.namespace === ns && p.owner?.kind === kind && p.owner.name === name);
    return [
      [0, 'Name:', w.name], [0, 'Namespace:', w.namespace], [0, 'Selector:', formatSelector(w.selector)],
      ...(kind === 'DaemonSet' ? mapLines(0, 'Node-Selector:', w.template.nodeSelector) : []),
      ...mapLines(0, 'Labels:', w.template.labels), [0, 'Annotations:', '<none>'], [0, 'CreationTimestamp:', describeTime(w.createdAt)],
      ...replicaLines(kind, w, owned, s),
      [0, 'Pod Template:'], ...mapLines(1, 'Labels:', w.template.labels), [1, 'Containers:'],
      ...w.template.containers.flatMap((c) => containerLines(2, c)),
      ...(kind !== 'DaemonSet' ? mapLines(1, 'Node-Selectors:', w.template.nodeSelector) : []),
    ];
  };
}

/** Describers by kind (`ResourceKind.kind`); a kind missing here cannot be described. */
export const DESCRIBERS: Record<string, Describer> = {
  Pod: describePod, Node: describeNode, Service: describeService, Ingress: describeIngress,
  ReplicaSet: workloadDescriber('ReplicaSet'), ReplicationController: workloadDescriber('ReplicationController'),
  Deployment: workloadDescriber('Deployment'), DaemonSet: workloadDescriber('DaemonSet'),
};
