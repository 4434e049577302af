import type { Cluster } from "@kubeforge/config";
import { Chart } from "cdk8s";
import { k8s } from "cdk8s-plus-33";
import type { Construct } from "constructs";
import { BUILTIN_PRIORITY_CLASSES } from "../components/priority.js";
import { MANAGED_BY } from "./labels.js";

export class PriorityClassesChart extends Chart {
  constructor(scope: Construct, id: string, cluster: Cluster) {
    super(scope, id, { disableResourceNameHashes: true });
    const declared = new Set(cluster.priorityClasses.map((priorityClass) => priorityClass.name));
    const builtins = BUILTIN_PRIORITY_CLASSES.filter((priorityClass) => !declared.has(priorityClass.name));
    for (const priorityClass of [...cluster.priorityClasses, ...builtins]) {
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
