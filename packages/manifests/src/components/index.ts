// The platform components, in the order their files and namespaces appear.
import type { Cluster, Namespace } from "@kubeforge/config";
import { namespaceSchema } from "@kubeforge/config";
import { appsComponent } from "./app.js";
import { ciliumComponent } from "./cilium.js";
import type { Component, ComponentFactory } from "./component.js";
import { corednsComponent } from "./coredns.js";
import { cubefsComponent } from "./cubefs.js";
import { kubeVipComponent } from "./kube-vip.js";
import { loggingComponent } from "./logging.js";
import { monitoringComponent } from "./monitoring.js";

export const COMPONENTS: readonly ComponentFactory[] = [
  ciliumComponent,
  kubeVipComponent,
  corednsComponent,
  cubefsComponent,
  monitoringComponent,
  loggingComponent,
  appsComponent,
];

export function componentsOf(cluster: Cluster): Component[] {
  return COMPONENTS.map((factory) => factory(cluster)).filter(
    (component): component is Component => component !== undefined,
  );
}

/**
 * Every namespace that gets guardrails: the model's, then the components' and apps' (a namespace the
 * model declares itself replaces a component's default of the same name).
 */
export function namespacesOf(cluster: Cluster, components: readonly Component[]): Namespace[] {
  const declared = new Set(cluster.namespaces.map((namespace) => namespace.name));
  const contributed = components
    .flatMap((component) => component.namespaces ?? [])
    .filter((namespace) => !declared.has(namespace.name))
    .map((namespace) => namespaceSchema.parse(namespace));
  return [...cluster.namespaces, ...contributed];
}
