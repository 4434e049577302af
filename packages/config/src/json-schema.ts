import { z } from "zod";
import { clusterSchema } from "./schema/cluster.js";

/** JSON Schema (draft 2020-12) of a cluster definition as users write it, for editor completion. */
export function clusterJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(clusterSchema, { io: "input", unrepresentable: "any" }),
    title: "kubeforge cluster",
  };
}
