// `--live`: drift of the tree's objects plus Flux readiness, against the cluster of the current kubeconfig.
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { type Finding, sortFindings } from "../finding.js";
import { resolveLayout } from "../tree/cluster-layout.js";
import { loadDocuments } from "../tree/load-documents.js";
import { checkDrift, driftApis } from "./drift.js";
import { checkFluxReady } from "./flux-status.js";

export interface CheckLiveOptions {
  readonly dir: string;
  readonly kubeConfig: KubeConfig;
  /** @default process.cwd() */
  readonly cwd?: string;
}

export async function checkLive(options: CheckLiveOptions): Promise<Finding[]> {
  const displayBase = path.resolve(options.cwd ?? process.cwd());
  const layout = resolveLayout(options.dir);
  const { documents } = await loadDocuments(layout.fluxDir, { displayBase });
  const declared = documents.filter(
    (document) => !String(document.object.apiVersion ?? "").startsWith("kustomize.config.k8s.io/"),
  );
  const drift = await checkDrift(driftApis(options.kubeConfig), declared);
  const flux = await checkFluxReady(options.kubeConfig.makeApiClient(CustomObjectsApi));
  return [...sortFindings(drift), ...flux];
}
