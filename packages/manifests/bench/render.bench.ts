// Renders a synthetic cluster of 100 namespaces (1,000+ objects) and prints objects/s.
import { validateCluster } from "@kubeforge/config";
import { afterAll, bench, describe } from "vitest";
import { renderTree } from "../src/render/tree.js";
import { fixtureInput } from "../test/fixture-cluster.js";

const input = fixtureInput({ namespaces: 100 });
const namespaces = input.namespaces ?? [];
input.namespaces = namespaces.map((namespace, index) => ({
  ...namespace,
  allow: {
    ingressFromNamespaces: ["ns-1"],
    egressToNamespaces: [`ns-${((index + 1) % 100) + 1}`],
    egressToInternet: true,
  },
}));
input.oidc.bindings = namespaces.flatMap((namespace) => [
  { group: `team-${namespace.name}`, clusterRole: "edit", namespace: namespace.name },
  { group: `team-${namespace.name}`, clusterRole: "view" },
]);
const result = validateCluster(input);
if (!result.ok) throw new Error(JSON.stringify(result.errors));
const cluster = result.cluster;
const objectCount = renderTree(cluster)
  .filter((file) => !file.path.endsWith("kustomization.yaml"))
  .reduce((count, file) => count + (file.content.match(/^---$/gm)?.length ?? 0), 0);

let renders = 0;
let elapsed = 0;

describe(`render ${namespaces.length} namespaces (${objectCount} objects)`, () => {
  bench("renderTree", () => {
    const start = performance.now();
    renderTree(cluster);
    elapsed += performance.now() - start;
    renders++;
  });
});

afterAll(() => {
  const perSecond = Math.round((objectCount * renders) / (elapsed / 1000));
  console.log(`\nrenderTree: ${objectCount} objects per render, ${renders} renders, ${perSecond} objects/s`);
});
