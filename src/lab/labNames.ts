// Names of what `podnet lab` makes on this machine. Every namespace starts with the
// podnet prefix, so `lab down` can find and remove them all, also after a crash.
import { createHash } from 'node:crypto';
import type { NodeNet, PodNet } from '../network/index.js';

/** Prefix of every network namespace the lab creates. */
export const LAB_PREFIX = 'pn-';
/** The VPC segment joining node eth0s and the cloud gateway (a bridge in its own namespace). */
export const VPC_NS = 'pn-vpc';
/** The cloud's internet gateway (1:1 NAT) and load balancer. */
export const GATEWAY_NS = 'pn-gw';
/** The internet, holding the host traces call `internet`. */
export const INTERNET_NS = 'pn-inet';

/** A node's root network namespace. */
export function nodeNs(nn: NodeNet): string {
  return `${LAB_PREFIX}n${nn.node.index}`;
}

/** A pod's network namespace: node index plus a hash of the pod key (names stay short and unique). */
export function podNs(pn: PodNet, nodeIndex: number): string {
  return `${LAB_PREFIX}n${nodeIndex}-${createHash('sha1').update(pn.key).digest('hex').slice(0, 8)}`;
}

/** The VPC-side end of a node's eth0 veth pair (in VPC_NS). */
export function vpcPort(nn: NodeNet): string {
  return `vpc-n${nn.node.index}`;
}
