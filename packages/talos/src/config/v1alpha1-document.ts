// The legacy v1alpha1 document for the 1.12 and 1.13 contracts (classic layout minus `.machine.network`).
import {
  AUDIT_POLICY,
  apiServerSans,
  KUBE_PRISM_PORT,
  type NodeContext,
  nodeAddressSubnets,
  nodeLabels,
  POD_SECURITY_ADMISSION,
} from "./context.js";
import { installDiskFields } from "./disk-documents.js";
import type { ConfigDocument } from "./documents.js";

/** Where the API server reads the OIDC issuer's CA (1.12/1.13): a machine file under /var, mounted read-only. */
export const OIDC_CA_HOST_PATH = "/var/etc/kubernetes/oidc-issuer-ca.crt";
export const OIDC_CA_MOUNT_PATH = "/etc/kubernetes/oidc/issuer-ca.crt";

/** PEM text ends with a newline, or concatenated PEMs do not parse. */
export function withTrailingNewline(pem: string): string {
  return pem.endsWith("\n") ? pem : `${pem}\n`;
}

function oidcArgs(context: NodeContext): Record<string, string> {
  const { oidc } = context.cluster;
  return {
    "oidc-issuer-url": oidc.issuerUrl,
    "oidc-client-id": oidc.clientId,
    "oidc-username-claim": oidc.usernameClaim,
    "oidc-username-prefix": oidc.usernamePrefix,
    "oidc-groups-claim": oidc.groupsClaim,
    "oidc-groups-prefix": oidc.groupsPrefix,
    ...(oidc.issuerCaPem !== undefined ? { "oidc-ca-file": OIDC_CA_MOUNT_PATH } : {}),
  };
}

function machineSection(context: NodeContext): ConfigDocument {
  const { bundle, cluster } = context;
  const labels = nodeLabels(context);
  return {
    type: context.controlPlane ? "controlplane" : "worker",
    token: bundle.trustdinfo.token,
    // A worker must not carry the OS CA key.
    ca: { crt: bundle.certs.os.crt, key: context.controlPlane ? bundle.certs.os.key : "" },
    certSANs: context.talosVip ? [cluster.api.vip] : [],
    kubelet: {
      image: `ghcr.io/siderolabs/kubelet:${context.kubernetesVersion}`,
      defaultRuntimeSeccompProfileEnabled: true,
      nodeIP: { validSubnets: nodeAddressSubnets(context) },
      disableManifestsDirectory: true,
    },
    install: {
      ...installDiskFields(context.installDisk),
      image: context.installerImage,
      wipe: false,
      grubUseUKICmdline: true,
    },
    features: {
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: KUBE_PRISM_PORT },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
      ...(context.controlPlane && cluster.talos.kubernetesTalosAPIAccess
        ? {
            kubernetesTalosAPIAccess: {
              enabled: true,
              allowedRoles: [...cluster.talos.kubernetesTalosAPIAccess.roles],
              allowedKubernetesNamespaces: [...cluster.talos.kubernetesTalosAPIAccess.namespaces],
            },
          }
        : {}),
    },
    ...(context.controlPlane && cluster.oidc.issuerCaPem !== undefined
      ? {
          files: [
            {
              content: withTrailingNewline(cluster.oidc.issuerCaPem),
              permissions: 0o644,
              path: OIDC_CA_HOST_PATH,
              op: "create",
            },
          ],
        }
      : {}),
    ...(Object.keys(labels).length > 0 ? { nodeLabels: labels } : {}),
  };
}

function clusterNetwork(context: NodeContext): ConfigDocument {
  const { network } = context.cluster;
  return {
    // Cilium is installed after bootstrap; Talos must not deploy flannel.
    cni: { name: "none" },
    dnsDomain: network.clusterDomain,
    podSubnets: [network.podCidr],
    serviceSubnets: [network.serviceCidr],
  };
}

const DISCOVERY = { enabled: true, registries: { kubernetes: { disabled: true }, service: {} } };

function controlPlaneCluster(context: NodeContext): ConfigDocument {
  const { bundle, cluster } = context;
  const version = context.kubernetesVersion;
  return {
    id: bundle.cluster.id,
    secret: bundle.cluster.secret,
    controlPlane: { endpoint: context.endpoint },
    clusterName: cluster.name,
    network: clusterNetwork(context),
    token: bundle.secrets.bootstraptoken,
    ...(bundle.secrets.secretboxencryptionsecret !== undefined
      ? { secretboxEncryptionSecret: bundle.secrets.secretboxencryptionsecret }
      : { aescbcEncryptionSecret: bundle.secrets.aescbcencryptionsecret }),
    ca: { crt: bundle.certs.k8s.crt, key: bundle.certs.k8s.key },
    aggregatorCA: { crt: bundle.certs.k8saggregator.crt, key: bundle.certs.k8saggregator.key },
    serviceAccount: { key: bundle.certs.k8sserviceaccount.key },
    apiServer: {
      image: `registry.k8s.io/kube-apiserver:${version}`,
      certSANs: apiServerSans(context),
      extraArgs: oidcArgs(context),
      ...(cluster.oidc.issuerCaPem !== undefined
        ? { extraVolumes: [{ hostPath: OIDC_CA_HOST_PATH, mountPath: OIDC_CA_MOUNT_PATH, readonly: true }] }
        : {}),
      admissionControl: [POD_SECURITY_ADMISSION],
      auditPolicy: AUDIT_POLICY,
    },
    controllerManager: { image: `registry.k8s.io/kube-controller-manager:${version}` },
    proxy: cluster.cilium.kubeProxyReplacement
      ? { disabled: true }
      : { image: `registry.k8s.io/kube-proxy:${version}` },
    scheduler: { image: `registry.k8s.io/kube-scheduler:${version}` },
    discovery: DISCOVERY,
    etcd: {
      ca: { crt: bundle.certs.etcd.crt, key: bundle.certs.etcd.key },
      advertisedSubnets: nodeAddressSubnets(context),
    },
    ...(context.node.worker ? { allowSchedulingOnControlPlanes: true } : {}),
  };
}

function workerCluster(context: NodeContext): ConfigDocument {
  const { bundle, cluster } = context;
  return {
    id: bundle.cluster.id,
    secret: bundle.cluster.secret,
    controlPlane: { endpoint: context.endpoint },
    clusterName: cluster.name,
    network: clusterNetwork(context),
    token: bundle.secrets.bootstraptoken,
    ca: { crt: bundle.certs.k8s.crt, key: "" },
    discovery: DISCOVERY,
  };
}

/** No `persist` key: the official schemas reject it and Talos treats its absence as true. */
export function renderV1Alpha1Document(context: NodeContext): ConfigDocument {
  return {
    version: "v1alpha1",
    debug: false,
    machine: machineSection(context),
    cluster: context.controlPlane ? controlPlaneCluster(context) : workerCluster(context),
  };
}
