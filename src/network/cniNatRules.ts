// The CNI plugin's own nat rules, which sit beside kube-proxy's on every node:
// - flannel (--ip-masq): the FLANNEL-POSTRTG chain, which leaves pod-to-pod traffic
//   alone and masquerades pod traffic leaving the pod network (flannel's
//   pkg/ip/iptables.go MasqRules, v0.2x with --random-fully);
// - Calico (natOutgoing on the pool): cali-nat-outgoing, which Felix writes with ipsets
//   of the pools; written here with the pool CIDR itself (same match, no ipset needed).
import type { ClusterNetwork } from './ClusterNetwork.js';

/** Chain declarations and rules (iptables-save lines) the CNI adds to the nat table of `node`. */
export function cniNatRules(net: ClusterNetwork, node: string): { chains: string[]; rules: string[] } {
  const pool = net.state.config!.podCidr;
  if (net.cni === 'calico') {
    return {
      chains: ['cali-POSTROUTING', 'cali-nat-outgoing'],
      rules: [
        '-A POSTROUTING -m comment --comment "cali:O3lYWMrLQYEMJtB5" -j cali-POSTROUTING',
        '-A cali-POSTROUTING -m comment --comment "cali:Z-c7XtVd2Bq7s_hA" -j cali-nat-outgoing',
        `-A cali-nat-outgoing -s ${pool} ! -d ${pool} -m comment --comment "cali:flqWnvo8yq4ULQLa" -j MASQUERADE --random-fully`,
      ],
    };
  }
  const own = net.state.nodes.get(node)?.podCidr ?? pool;
  const c = '-m comment --comment "flanneld masq"';
  return {
    chains: ['FLANNEL-POSTRTG'],
    rules: [
      `-A POSTROUTING ${c} -j FLANNEL-POSTRTG`,
      `-A FLANNEL-POSTRTG -m mark --mark 0x4000/0x4000 ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${own} -d ${pool} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${pool} -d ${own} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG ! -s ${pool} -d ${own} ${c} -j RETURN`,
      `-A FLANNEL-POSTRTG -s ${pool} ! -d 224.0.0.0/4 ${c} -j MASQUERADE --random-fully`,
      `-A FLANNEL-POSTRTG ! -s ${pool} -d ${pool} ${c} -j MASQUERADE --random-fully`,
    ],
  };
}
