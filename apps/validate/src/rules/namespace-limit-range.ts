// Every namespace the tree declares also gets a LimitRange in the tree.
import { namespaceObjectRule } from "./namespace-object.js";

export const namespaceLimitRangeRule = namespaceObjectRule({
  id: "namespace-limit-range",
  kind: "LimitRange",
  hint: "add a LimitRange with default requests and limits for containers that set none",
});
