// Files used before Flux runs. Talos starts with CNI `none`, so Cilium is installed by hand first:
//   helm install cilium cilium/cilium --version <v> -n kube-system -f bootstrap/cilium-values.yaml
// Flux's HelmRelease renders the same values and adopts the release afterwards.
import type { Cluster } from "@kubeforge/config";
import { ciliumValues } from "../components/cilium.js";
import { CHARTS } from "../components/versions.js";
import { header, toYaml } from "./serialize.js";
import type { TreeFile } from "./tree.js";

export function renderBootstrap(cluster: Cluster, options: { source?: string } = {}): TreeFile[] {
  const source = options.source ?? `cluster ${cluster.name}`;
  const install = `# helm repo add cilium ${CHARTS.cilium.source.url}\n# helm install cilium cilium/${CHARTS.cilium.chart} --version ${CHARTS.cilium.version} --namespace kube-system -f cilium-values.yaml\n`;
  return [{ path: "cilium-values.yaml", content: header(source) + install + toYaml(ciliumValues(cluster)) }];
}
