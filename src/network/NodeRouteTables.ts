// Loads every node's route table into the datapath's LPM kernel. Five thousand
// nodes hold nearly the same table (one route per remote node), so the shared routes
// go once into a wide base table and each node gets a narrow overlay with only its own
// routes (cni0's /24, or Calico's blackholes and /32s): a lookup sees base + own, an
// own route wins over the base route of the same prefix (the node's own /24 is in the
// base as a remote route for everybody else). Memory: one 512 KiB base + ~2 KiB a node.
import type { Datapath } from '../../engine/datapath/index.js';
import type { ClusterNetwork, NodeNet } from './ClusterNetwork.js';
import { ownRoutes, sharedRoutes, type NodeRoute } from './nodeRoutes.js';

/** LPM table id of the shared base. */
export const BASE_TABLE = 1;

/** LPM table id of a node's route table (its overlay on the base). */
export function nodeTable(nodeIndex: number): number {
  return nodeIndex + 2;
}

/** The route tables of a cluster loaded into one datapath; route ids map back to routes. */
export class NodeRouteTables {
  /** Route id (LPM value) - 1 -> route. */
  readonly routes: NodeRoute[] = [];
  private readonly dp: Datapath;

  private constructor(dp: Datapath) {
    this.dp = dp;
  }

  /** Derive and load the tables of every node of `net` into `dp` (whose LPM must be empty). */
  static load(dp: Datapath, net: ClusterNetwork): NodeRouteTables {
    const t = new NodeRouteTables(dp);
    dp.lpmCreateTable(BASE_TABLE, 'wide');
    for (const r of sharedRoutes(net)) t.insert(BASE_TABLE, r);
    for (const n of net.state.nodes.values()) {
      const nn = net.node(n.name)!;
      dp.lpmDeriveTable(nodeTable(n.index), BASE_TABLE);
      for (const r of ownRoutes(net, nn)) t.insert(nodeTable(n.index), r);
    }
    return t;
  }

  private insert(table: number, r: NodeRoute): void {
    this.routes.push(r);
    this.dp.lpmInsert(table, r.prefix, r.len, this.routes.length);
  }

  /** The route of an LPM result value (0: no route). */
  route(value: number): NodeRoute | undefined {
    return value === 0 ? undefined : this.routes[value - 1];
  }

  /** A node's table as the kernel holds it, in `ip route` order (default first, then by prefix). */
  tableOf(nn: NodeNet): NodeRoute[] {
    return this.dp.lpmRoutes(nodeTable(nn.node.index)).map((r) => this.routes[r.value - 1]!);
  }
}
