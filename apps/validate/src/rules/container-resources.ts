// Every workload container sets CPU and memory requests and limits.
import type { Finding } from "../finding.js";
import { findingAt, isRecord, type Rule } from "./rule.js";
import { containersOf } from "./workloads.js";

const RESOURCES = ["cpu", "memory"];

export const containerResourcesRule: Rule = {
  id: "container-resources",
  description: "Every workload container has cpu and memory requests and limits.",
  check({ documents }) {
    const findings: Finding[] = [];
    for (const document of documents) {
      for (const { path, container } of containersOf(document)) {
        if (path.includes("ephemeralContainers")) continue;
        const resources = isRecord(container.resources) ? container.resources : {};
        for (const field of ["requests", "limits"]) {
          const values = isRecord(resources[field]) ? resources[field] : {};
          const missing = RESOURCES.filter((name) => values[name] === undefined || values[name] === "");
          if (missing.length === 0) continue;
          findings.push(
            findingAt(document, {
              rule: "container-resources",
              path: [...path, "resources", field],
              message: `container "${String(container.name)}" has no ${field} for ${missing.join(" and ")}`,
              hint: `set ${missing.map((name) => `resources.${field}.${name}`).join(" and ")} so the scheduler and quota can account for it`,
            }),
          );
        }
      }
    }
    return findings;
  },
};
