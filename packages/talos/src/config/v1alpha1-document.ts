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
import type { ConfigDocument } from "./documents.js";

function oidcArgs(context: NodeContext): Record<string, string> {
  const { oidc } = context.cluster;
  return {
    "oidc-issuer-url": oidc.issuerUrl,
    "oidc-client-id": oidc.clientId,
    "oidc-username-claim": oidc.usernameClaim,
    "oidc-username-prefix": oidc.usernamePrefix,
    "oidc-groups-claim": oidc.groupsClaim,
    "oidc-groups-prefix": oidc.groupsPrefix,
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
    install: { disk: context.installDisk, image: context.installerImage, wipe: false, grubUseUKICmdline: true },
    features: {
      diskQuotaSupport: true,
      kubePrism: { enabled: true, port: KUBE_PRISM_PORT },
      hostDNS: { enabled: true, forwardKubeDNSToHost: true },
    },
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
