import { buildCluster } from "@kubeforge/manifests";
import { describeClusterTree } from "@kubeforge/test-utils";

describeClusterTree(import.meta.dirname, buildCluster);
