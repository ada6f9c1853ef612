// A node joins: kubelet registers it, the node IPAM controller gives it the next pod
// CIDR, and kubeadm taints a control-plane node so workloads stay off it.
import { IllegalStateError, NotFoundError, ValidationError } from '../../engine/errors.js';
import { event, type ClusterState, type Node, type Taint } from '../cluster/index.js';
import { nodeAddresses } from './ipam.js';
import type { Emit } from './scheduler.js';

const CONTROL_PLANE_TAINT: Taint = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

/** The node, or NotFound listing the nodes there are. */
export function requireNode(s: ClusterState, name: string): Node {
  const n = s.nodes.get(name);
  if (!n) throw new NotFoundError(`node "${name}" not found (nodes: ${[...s.nodes.keys()].join(', ') || 'none'})`);
  return n;
}

/** NodeJoined with the node's pod CIDR and addresses; control-plane nodes get kubeadm's NoSchedule taint. */
export function addNode(s: ClusterState, name: string, role: 'control-plane' | 'worker', labels: Record<string, string>, taints: Taint[], emit: Emit): void {
  if (s.nodes.has(name)) throw new ValidationError(`node "${name}" already exists`);
  const addr = nodeAddresses(s, s.nodeSerial);
  if (!addr) throw new IllegalStateError(`node "${name}": no pod CIDR left in ${s.config!.podCidr} for /${s.config!.nodeCidrMaskSize} node ranges`);
  const allLabels = { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(role === 'control-plane' ? { 'node-role.kubernetes.io/control-plane': '' } : {}), ...labels };
  const allTaints = role === 'control-plane' && !taints.some((t) => t.key === CONTROL_PLANE_TAINT.key) ? [CONTROL_PLANE_TAINT, ...taints] : taints;
  emit(event('NodeJoined', `node/${name}`, { name, role, labels: allLabels, taints: allTaints, ...addr }));
}

