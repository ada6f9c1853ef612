import type { ClusterConfig, NodeRole, WorkloadKind } from '../cluster/index.js';
import type { ManifestObject } from '../manifest/index.js';

/** What a user or a scenario step asks of the cluster. Time comes in on the command. */
export type Command =
  | { type: 'CreateCluster'; config: ClusterConfig }
  | { type: 'AddNode'; name: string; role: NodeRole; labels: Record<string, string> }
  /** where[i]: where object i was read (`web.yaml: document 2 (Service/web)`), for errors. */
  | { type: 'Apply'; objects: ManifestObject[]; source: string; where?: string[] }
  | { type: 'Delete'; kind: string; namespace: string; name: string }
  | { type: 'Scale'; kind: WorkloadKind; namespace: string; name: string; replicas: number }
  /** null removes a label (kubectl label nodes n key-). */
  | { type: 'LabelNode'; name: string; labels: Record<string, string | null> }
  | { type: 'FailNode'; name: string; reason?: string }
  | { type: 'RecoverNode'; name: string }
  | { type: 'DrainNode'; name: string }
  | { type: 'UncordonNode'; name: string }
  | { type: 'SendTraffic'; from: string; to: string; port: number; proto: string; flows: number; packets: number };

/** Default cluster settings (kubeadm's and the cloud's usual values). */
export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  name: 'podnet',
  cni: 'flannel-vxlan',
  kubeProxy: 'iptables',
  podCidr: '10.244.0.0/16',
  nodeCidrMaskSize: 24,
  serviceCidr: '10.96.0.0/12',
  nodeNetwork: '172.18.0.0/16',
  publicNetwork: '198.51.100.0/24',
  loadBalancerPool: '203.0.113.0/24',
  clusterDomain: 'cluster.local',
  maxPodsPerNode: 110,
};
