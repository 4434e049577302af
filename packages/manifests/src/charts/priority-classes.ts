import type { Cluster } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { MANAGED_BY } from "./labels.js";

export class PriorityClassesChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    for (const priorityClass of cluster.priorityClasses) {
      new k8s.KubePriorityClass(this, priorityClass.name, {
        metadata: { name: priorityClass.name, labels: { ...MANAGED_BY } },
        value: priorityClass.value,
        globalDefault: priorityClass.globalDefault,
        preemptionPolicy: priorityClass.preemptionPolicy,
        ...(priorityClass.description ? { description: priorityClass.description } : {}),
      });
    }
  }
}
