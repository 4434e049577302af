// What this cluster's committed Flux tree allows and denies, derived from cluster.ts (not a snapshot).
import { loadCluster } from "@kubeforge/config";
import { describeRenderedGuardrails } from "@kubeforge/test-utils";

describeRenderedGuardrails(
  import.meta.dirname,
  async () => (await loadCluster(`${import.meta.dirname}/cluster.ts`)).cluster,
);
