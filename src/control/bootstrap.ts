// What a cluster holds before anyone applies anything, and what an add-on install
// brings, written as the manifests kubeadm and the ingress-nginx install apply: the
// apiserver's `default/kubernetes` Service, the cluster DNS (`kube-system/kube-dns`
// backed by a 2-replica CoreDNS Deployment that tolerates the control-plane taint),
// and on the first Ingress an ingress-nginx controller behind a LoadBalancer.
import type { ClusterConfig, Container, Toleration } from '../cluster/index.js';
import type { ManifestObject, ServiceObject, WorkloadObject } from '../manifest/index.js';
import { wellKnownServiceIps } from './ipam.js';

/** The apiserver's secure port on the control-plane node (kubeadm's default). */
export const API_SERVER_PORT = 6443;

const COREDNS_LABELS = { 'k8s-app': 'kube-dns' };
const COREDNS: Container = {
  name: 'coredns',
  image: 'registry.k8s.io/coredns/coredns:v1.11.1',
  ports: [
    { name: 'dns', containerPort: 53, protocol: 'UDP' },
    { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' },
    { name: 'metrics', containerPort: 9153, protocol: 'TCP' },
  ],
};
/** kubeadm's CoreDNS tolerations: critical add-on, and it may run on the control plane. */
const COREDNS_TOLERATIONS: Toleration[] = [
  { key: 'CriticalAddonsOnly', operator: 'Exists' },
  { key: 'node-role.kubernetes.io/control-plane', operator: 'Equal', effect: 'NoSchedule' },
];

function clusterIpService(namespace: string, name: string, rest: Pick<ServiceObject, 'ports'> & Partial<ServiceObject>): ServiceObject {
  return { kind: 'Service', namespace, name, type: 'ClusterIP', externalTrafficPolicy: 'Cluster', sessionAffinity: 'None', ...rest };
}

/** The objects `kubeadm init` creates that matter for networking. */
export function clusterBootstrap(config: ClusterConfig): ManifestObject[] {
  const ips = wellKnownServiceIps(config.serviceCidr);
  const coredns: WorkloadObject = {
    kind: 'Deployment', namespace: 'kube-system', name: 'coredns', replicas: 2,
    selector: { matchLabels: COREDNS_LABELS },
    template: { labels: COREDNS_LABELS, containers: [COREDNS], tolerations: COREDNS_TOLERATIONS },
  };
  return [
    // No selector: the apiserver's endpoints are the control-plane nodes (endpoints.ts).
    clusterIpService('default', 'kubernetes', { clusterIP: ips.apiServer, ports: [{ name: 'https', protocol: 'TCP', port: 443, targetPort: API_SERVER_PORT }] }),
    clusterIpService('kube-system', 'kube-dns', {
      ...(ips.dns ? { clusterIP: ips.dns } : {}),
      selector: COREDNS_LABELS,
      ports: [
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
        { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 },
        { name: 'metrics', protocol: 'TCP', port: 9153, targetPort: 9153 },
      ],
    }),
    coredns,
  ];
}

export const INGRESS_NAMESPACE = 'ingress-nginx';
export const INGRESS_CONTROLLER = 'ingress-nginx-controller';

/** What `kubectl apply -f .../ingress-nginx/.../deploy.yaml` installs, reduced to networking. */
export function ingressControllerInstall(): ManifestObject[] {
  const labels = { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' };
  return [
    { kind: 'Namespace', name: INGRESS_NAMESPACE },
    {
      kind: 'Deployment', namespace: INGRESS_NAMESPACE, name: INGRESS_CONTROLLER, replicas: 1,
      selector: { matchLabels: labels },
      template: {
        labels,
        containers: [{
          name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.10.1',
          ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'https', containerPort: 443, protocol: 'TCP' }, { name: 'webhook', containerPort: 8443, protocol: 'TCP' }],
        }],
      },
    },
    {
      kind: 'Service', namespace: INGRESS_NAMESPACE, name: INGRESS_CONTROLLER, type: 'LoadBalancer', selector: labels,
      externalTrafficPolicy: 'Local', sessionAffinity: 'None',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'http' }, { name: 'https', protocol: 'TCP', port: 443, targetPort: 'https' }],
    },
  ];
}
