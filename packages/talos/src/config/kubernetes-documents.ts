// The 1.14 contract: the v1alpha1 document shrinks and Kubernetes settings move to Kube*Config documents.
import { decodePem } from "../secrets/pem.js";
import {
  AUDIT_POLICY,
  apiServerSans,
  KUBE_PRISM_PORT,
  type NodeContext,
  nodeAddressSubnets,
  nodeLabels,
  POD_SECURITY_ADMISSION,
} from "./context.js";
import { diskMatch } from "./disk-documents.js";
import { type ConfigDocument, typedDocument } from "./documents.js";
import { withTrailingNewline } from "./v1alpha1-document.js";

/** A bundle value as PEM text ending in a newline (older bundles stored certificates without one). */
function pem(value: string): string {
  return withTrailingNewline(decodePem(value));
}

/** What remains of v1alpha1 in 1.14: machine type/token/CA/SANs/features and cluster token/etcd. */
export function renderSlimV1Alpha1Document(context: NodeContext): ConfigDocument {
  const { bundle, cluster } = context;
  return {
    version: "v1alpha1",
    debug: false,
    machine: {
      type: context.controlPlane ? "controlplane" : "worker",
      token: bundle.trustdinfo.token,
      ca: { crt: bundle.certs.os.crt, key: context.controlPlane ? bundle.certs.os.key : "" },
      certSANs: context.talosVip ? [cluster.api.vip] : [],
      features: { diskQuotaSupport: true },
    },
    cluster: {
      token: bundle.secrets.bootstraptoken,
      ...(context.controlPlane
        ? {
            etcd: {
              ca: { crt: bundle.certs.etcd.crt, key: bundle.certs.etcd.key },
              advertisedSubnets: nodeAddressSubnets(context),
            },
          }
        : {}),
    },
  };
}

/** Documents `talosctl gen config` 1.14 always adds; kept so the output matches Talos' own defaults. */
export function renderMachineDefaults(context: NodeContext): ConfigDocument[] {
  return [
    typedDocument("DiscoveryServiceConfig", { name: "default", endpoint: "https://discovery.talos.dev/" }),
    typedDocument("DiscoveryIdentityConfig", {
      clusterID: context.bundle.cluster.id,
      clusterSecret: context.bundle.cluster.secret,
    }),
    typedDocument("VolumeConfig", { name: "EPHEMERAL", mount: { secure: true } }),
    typedDocument("FilesystemTrimConfig", { interval: "168h0m0s" }),
    typedDocument("SecurityProfileConfig", { workloadIsolation: true }),
    typedDocument("UnattendedInstall", {
      installer: { image: context.installerImage },
      provisioning: { diskSelector: { match: diskMatch(context.installDisk) }, wipe: false },
    }),
  ];
}

function authentication(context: NodeContext): ConfigDocument {
  const { oidc } = context.cluster;
  return typedDocument("KubeAuthenticationConfig", {
    configuration: {
      anonymous: {
        conditions: [{ path: "/livez" }, { path: "/readyz" }, { path: "/healthz" }],
        enabled: true,
      },
      jwt: [
        {
          issuer: {
            url: oidc.issuerUrl,
            audiences: [oidc.clientId],
            ...(oidc.issuerCaPem !== undefined ? { certificateAuthority: withTrailingNewline(oidc.issuerCaPem) } : {}),
          },
          claimMappings: {
            username: { claim: oidc.usernameClaim, prefix: oidc.usernamePrefix },
            groups: { claim: oidc.groupsClaim, prefix: oidc.groupsPrefix },
          },
        },
      ],
    },
  });
}

function controlPlaneDocuments(context: NodeContext): ConfigDocument[] {
  const { bundle, cluster } = context;
  const version = context.kubernetesVersion;
  const secretbox = bundle.secrets.secretboxencryptionsecret;
  const provider =
    secretbox !== undefined
      ? { secretbox: { keys: [{ name: "key2", secret: secretbox }] } }
      : { aescbc: { keys: [{ name: "key1", secret: bundle.secrets.aescbcencryptionsecret }] } };
  return [
    typedDocument("KubeAggregatorCAConfig", {
      issuingCA: { cert: pem(bundle.certs.k8saggregator.crt), key: pem(bundle.certs.k8saggregator.key) },
    }),
    typedDocument("KubeAdmissionControlConfig", POD_SECURITY_ADMISSION),
    typedDocument("KubeAuditPolicyConfig", { configuration: AUDIT_POLICY }),
    authentication(context),
    typedDocument("KubeAuthorizerConfig", { name: "node", type: "Node" }),
    typedDocument("KubeAuthorizerConfig", { name: "rbac", type: "RBAC" }),
    typedDocument("KubeEtcdEncryptionConfig", {
      config: { resources: [{ providers: [provider], resources: ["secrets"] }] },
    }),
    typedDocument("KubeServiceAccountConfig", {
      issuer: { privateKey: pem(bundle.certs.k8sserviceaccount.key), issuerURL: context.endpoint },
    }),
    typedDocument("KubeAPIServerConfig", {
      image: `registry.k8s.io/kube-apiserver:${version}`,
      certExtraSANs: apiServerSans(context),
    }),
    typedDocument("KubeControllerManagerConfig", { image: `registry.k8s.io/kube-controller-manager:${version}` }),
    typedDocument("KubeSchedulerConfig", { image: `registry.k8s.io/kube-scheduler:${version}`, config: {} }),
    typedDocument("KubeProxyConfig", {
      image: `registry.k8s.io/kube-proxy:${version}`,
      ...(cluster.cilium.kubeProxyReplacement ? { enabled: false } : {}),
      config: {},
    }),
    // No KubeFlannelCNIConfig: leaving it out is how 1.14 says CNI "none" (Cilium comes later).
    typedDocument("KubeCoreDNSConfig", { enabled: true }),
    ...(cluster.talos.kubernetesTalosAPIAccess
      ? [
          typedDocument("KubeTalosAPIAccessConfig", {
            allowedRoles: [...cluster.talos.kubernetesTalosAPIAccess.roles],
            allowedKubernetesNamespaces: [...cluster.talos.kubernetesTalosAPIAccess.namespaces],
          }),
        ]
      : []),
  ];
}

export function renderKubernetesDocuments(context: NodeContext): ConfigDocument[] {
  const { bundle, cluster } = context;
  const labels = nodeLabels(context);
  const taints =
    context.controlPlane && !context.node.worker ? { "node-role.kubernetes.io/control-plane": "NoSchedule" } : {};
  const documents: ConfigDocument[] = [
    typedDocument("KubeClusterConfig", { clusterName: cluster.name, endpoint: context.endpoint }),
    typedDocument("KubeNodeConfig", {
      nodeIP: { validSubnets: nodeAddressSubnets(context) },
      labels: context.controlPlane ? { "node-role.kubernetes.io/control-plane": "", ...labels } : labels,
      ...(Object.keys(taints).length > 0 ? { taints } : {}),
    }),
    typedDocument("KubeletConfig", {
      image: `ghcr.io/siderolabs/kubelet:${context.kubernetesVersion}`,
      config: {},
      defaultRuntimeSeccompProfileEnabled: true,
    }),
    typedDocument("KubeNetworkConfig", {
      dnsDomain: cluster.network.clusterDomain,
      podSubnets: [cluster.network.podCidr],
      serviceSubnets: [cluster.network.serviceCidr],
    }),
    typedDocument(
      "KubeAPIServerCAConfig",
      context.controlPlane
        ? { issuingCA: { cert: pem(bundle.certs.k8s.crt), key: pem(bundle.certs.k8s.key) } }
        : { acceptedCAs: [pem(bundle.certs.k8s.crt)] },
    ),
    typedDocument("KubePrismConfig", { port: KUBE_PRISM_PORT }),
  ];
  return context.controlPlane ? [...documents, ...controlPlaneDocuments(context)] : documents;
}
