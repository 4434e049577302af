// Every namespace the tree declares also gets a ResourceQuota in the tree.
import { namespaceObjectRule } from "./namespace-object.js";

export const namespaceResourceQuotaRule = namespaceObjectRule({
  id: "namespace-resource-quota",
  kind: "ResourceQuota",
  hint: "add a ResourceQuota in the namespace so one workload cannot take the cluster's capacity",
});
