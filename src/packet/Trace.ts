// The trace model: what `podnet trace` prints and `-o json` emits. A trace is the
// pipeline run on one packet with tracing on; every stage adds steps to the hop
// (node or cloud device) the packet is in.
import type { DropReason } from '../../engine/datapath/index.js';

/** One observation: where (point), what happened (action), and what matched. */
export interface TraceStep {
  /** Observation point: pod-eth0, veth, bridge, arp, route, kube-proxy, conntrack, vxlan-encap, node-eth0, gateway, lo. */
  point: string;
  action: string;
  /** Device the step happened on (eth0, veth1a2b3c4d, cni0, flannel.1). */
  dev?: string;
  /** What matched: a route, an FDB entry, a NAT rule, the endpoint chosen. */
  match?: string;
  /** Addresses before and after a translation, or the packet's L3/L4 view. */
  packet?: string;
  /** MACs of the frame at this step. */
  frame?: string;
  detail?: string;
}

/** One hop: a node's (or pod's, or cloud device's) share of the path. */
export interface TraceHop {
  node: string;
  /** The network namespace within the node: `pod default/web-0`, or `root`. */
  ns: string;
  steps: TraceStep[];
}

export type Disposition = 'DELIVERED' | 'DROPPED';

export interface Trace {
  disposition: Disposition;
  reason?: DropReason;
  src: string;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  port: number;
  /** Where the packet was delivered (`pod default/nginx-rs-abcde`). */
  deliveredTo?: string;
  /** Which datapath backend ran the lookups. */
  backend: string;
  /** The point in the log the trace ran at. */
  at: { seq: number; time: number };
  hops: TraceHop[];
  /** With --reply: the answer's walk back (the un-NAT shows in its conntrack steps). */
  reply?: TraceLegResult;
}

/** The outcome and hops of one walk (the reply of a trace). */
export interface TraceLegResult {
  disposition: Disposition;
  reason?: DropReason;
  deliveredTo?: string;
  hops: TraceHop[];
}

/** Collects hops and steps while a packet walks the pipeline. */
export class TraceRecorder {
  readonly hops: TraceHop[] = [];

  /** Enter a namespace on a node; consecutive steps in the same place share a hop. */
  enter(node: string, ns: string): void {
    const last = this.hops[this.hops.length - 1];
    if (!last || last.node !== node || last.ns !== ns) this.hops.push({ node, ns, steps: [] });
  }

  step(s: TraceStep): void {
    const last = this.hops[this.hops.length - 1];
    if (!last) throw new Error('TraceRecorder.step before enter');
    last.steps.push(s);
  }
}
