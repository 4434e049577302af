// PriorityClasses kubeforge always renders: one for platform components, one default for apps.
import type { PriorityClass } from "@kubeforge/config";

export const PLATFORM_PRIORITY_CLASS = "kubeforge-platform";
export const APPS_PRIORITY_CLASS = "kubeforge-apps";

export const BUILTIN_PRIORITY_CLASSES: readonly PriorityClass[] = [
  {
    name: PLATFORM_PRIORITY_CLASS,
    value: 100_000_000,
    description: "Platform components rendered by kubeforge (monitoring, logging, storage).",
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
