// Cluster DNS as CoreDNS's kubernetes plugin answers it: `svc.ns.svc.<domain>` ->
// the ClusterIP (a headless Service -> its ready pod IPs), `a-b-c-d.ns.pod.<domain>`
// -> a.b.c.d (`pods insecure`), and a pod's resolv.conf search path (`ns.svc.<domain>
// svc.<domain> <domain>`, ndots 5) for short names. Names outside the cluster domain
// are forwarded upstream; podnet's internet is one host, so they resolve to it.
import { formatIp, tryParseIp } from '../../engine/net/index.js';
import type { ClusterState } from '../cluster/index.js';
import { INTERNET_HOST } from './CloudNetwork.js';

/** One DNS answer. */
export interface DnsAnswer {
  /** The name that matched, fully qualified. */
  fqdn: string;
  ips: number[];
  /** What the name is: a Service's ClusterIP, a headless Service's pods, a pod A record, or upstream. */
  kind: 'service' | 'headless' | 'pod' | 'upstream';
  /** `ns/name` of the Service, when one answered. */
  service?: string;
}

/** The kube-dns Service kubeadm creates (ClusterIP 10.96.0.10 by default). */
export const KUBE_DNS = 'kube-system/kube-dns';

/** The records of a cluster's DNS at one point of its history. */
export class DnsRecords {
  private readonly state: ClusterState;
  private readonly domain: string;

  constructor(state: ClusterState) {
    this.state = state;
    this.domain = state.config!.clusterDomain;
  }

  /** The names a client in `namespace` tries, in order (resolv.conf search path, ndots 5). */
  candidates(name: string, namespace: string): string[] {
    const n = name.replace(/\.$/, '');
    if (name.endsWith('.') || n.split('.').length > 5) return [n];
    const d = this.domain;
    return [`${n}.${namespace}.svc.${d}`, `${n}.svc.${d}`, `${n}.${d}`, n];
  }

  /** Resolve a name as a pod of `namespace` would; undefined is NXDOMAIN. */
  resolve(name: string, namespace: string): DnsAnswer | undefined {
    for (const fqdn of this.candidates(name, namespace)) {
      const a = this.lookup(fqdn);
      if (a) return a;
    }
    return undefined;
  }

  /** Look one fully qualified name up. */
  lookup(fqdn: string): DnsAnswer | undefined {
    const suffix = `.${this.domain}`;
    if (!fqdn.endsWith(suffix)) return fqdn.includes('.') ? { fqdn, ips: [INTERNET_HOST], kind: 'upstream' } : undefined;
    const parts = fqdn.slice(0, -suffix.length).split('.');
    if (parts.length === 3 && parts[2] === 'svc') return this.service(fqdn, parts[1]!, parts[0]!);
    if (parts.length === 3 && parts[2] === 'pod') {
      const ip = tryParseIp(parts[0]!.replaceAll('-', '.'));
      return ip === undefined ? undefined : { fqdn, ips: [ip], kind: 'pod' };
    }
    return undefined;
  }

  private service(fqdn: string, ns: string, name: string): DnsAnswer | undefined {
    const key = `${ns}/${name}`;
    const svc = this.state.services.get(key);
    if (!svc) return undefined;
    if (svc.clusterIP !== 'None') return { fqdn, ips: [tryParseIp(svc.clusterIP)!], kind: 'service', service: key };
    const eps = this.state.endpoints.get(key)?.endpoints ?? [];
    return { fqdn, ips: eps.map((e) => tryParseIp(e.ip)!), kind: 'headless', service: key };
  }

  /** Every A record the cluster serves (services and headless pods), for dumps and tests. */
  records(): { name: string; ip: string }[] {
    const out: { name: string; ip: string }[] = [];
    for (const s of this.state.services.values()) {
      const a = this.lookup(`${s.name}.${s.namespace}.svc.${this.domain}`);
      for (const ip of a?.ips ?? []) out.push({ name: a!.fqdn, ip: formatIp(ip) });
    }
    return out;
  }
}
