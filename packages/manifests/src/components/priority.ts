// PriorityClasses kubeforge always renders. Order, highest first: Cilium (system-node-critical and
// system-cluster-critical, the chart's own) > storage (CubeFS: every pod mounting a volume needs it) >
// platform (monitoring, logging) > apps and the model's default class. Preemption evicts from the bottom.
import type { PriorityClass } from "@kubeforge/config";

export const STORAGE_PRIORITY_CLASS = "kubeforge-storage";
export const PLATFORM_PRIORITY_CLASS = "kubeforge-platform";
export const APPS_PRIORITY_CLASS = "kubeforge-apps";

/** The highest value a user-defined PriorityClass may have (system classes sit above it). */
export const MAX_USER_PRIORITY = 1_000_000_000;

export const BUILTIN_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    name: STORAGE_PRIORITY_CLASS,
    value: MAX_USER_PRIORITY,
    description:
      "Storage rendered by kubeforge (CubeFS masters, metanodes, datanodes and CSI): above everything but the CNI.",
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
  },
  {
    name: PLATFORM_PRIORITY_CLASS,
    value: 100_000_000,
    description: "Platform components rendered by kubeforge (monitoring, logging): below storage, above apps.",
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
  },
  {
    name: APPS_PRIORITY_CLASS,
    value: 1000,
    description: "Applications declared under apps in the cluster definition.",
    globalDefault: false,
    preemptionPolicy: "PreemptLowerPriority",
  },
];
