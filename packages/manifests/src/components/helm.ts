// Flux Helm objects: HelmRepository sources (in flux-system) and HelmReleases with typed values.
import { Chart } from "cdk8s";
import type { Construct } from "constructs";
import { FLUX_NAMESPACE, LONGEST_HELM_TIMEOUT_MINUTES } from "../charts/flux.js";
import { MANAGED_BY } from "../charts/labels.js";
import {
  HelmRelease,
  HelmReleaseSpecChartSpecSourceRefKind,
  HelmReleaseSpecInstallCrds,
  type HelmReleaseSpecPostRenderersKustomizePatches,
  HelmReleaseSpecUpgradeCrds,
} from "../imports/helm-toolkit-fluxcd-io.js";
import { HelmRepository } from "../imports/source-toolkit-fluxcd-io.js";
import type { HelmSource, PinnedChart } from "./versions.js";

// Code-point order: localeCompare follows the build machine's locale (Czech puts "ch" after "h").
const byName = (a: HelmSource, b: HelmSource) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Requests and limits as charts take them in their values. */
export interface ContainerResources {
  readonly requests: { readonly cpu: string; readonly memory: string };
  readonly limits: { readonly cpu: string; readonly memory: string };
}

export class HelmSourcesChart extends Chart {
  constructor(scope: Construct, id: string, sources: readonly HelmSource[]) {
    super(scope, id, { disableResourceNameHashes: true });
    const unique = new Map(sources.map((source) => [source.name, source]));
    for (const source of [...unique.values()].sort(byName)) {
      new HelmRepository(this, source.name, {
        metadata: { name: source.name, namespace: FLUX_NAMESPACE, labels: { ...MANAGED_BY } },
        spec: { interval: "12h", url: source.url },
      });
    }
  }
}

/** Minutes of a Flux duration like `15m` or `1h30m`. */
export function durationMinutes(duration: string): number {
  let minutes = 0;
  for (const [, amount, unit] of duration.matchAll(/(\d+)(h|m|s)/g)) {
    minutes += Number(amount) * (unit === "h" ? 60 : unit === "m" ? 1 : 1 / 60);
  }
  return minutes;
}

/** A kustomize patch applied to the chart's rendered objects (Flux post-renderer). */
export type RenderedPatch = HelmReleaseSpecPostRenderersKustomizePatches;

export interface HelmReleaseProps<Values> {
  readonly name: string;
  readonly namespace: string;
  readonly chart: PinnedChart;
  readonly values: Values;
  /** HelmReleases (same layer) to install first, as `namespace/name`. */
  readonly dependsOn?: readonly { name: string; namespace: string }[];
  /** @default 10m; at most LONGEST_HELM_TIMEOUT_MINUTES. */
  readonly timeout?: string;
  /** Patches for what the chart renders but its values cannot change. */
  readonly patches?: readonly RenderedPatch[];
}

/** A HelmRelease that pins its chart and source, installs CRDs, and retries before giving up. */
export function addHelmRelease<Values extends object>(scope: Construct, props: HelmReleaseProps<Values>): HelmRelease {
  const timeout = props.timeout ?? "10m";
  if (durationMinutes(timeout) > LONGEST_HELM_TIMEOUT_MINUTES) {
    throw new Error(
      `HelmRelease ${props.namespace}/${props.name}: timeout ${timeout} is longer than LONGEST_HELM_TIMEOUT_MINUTES (${LONGEST_HELM_TIMEOUT_MINUTES}); raise that too, so Flux layers wait long enough`,
    );
  }
  return new HelmRelease(scope, props.name, {
    metadata: { name: props.name, namespace: props.namespace, labels: { ...MANAGED_BY } },
    spec: {
      interval: "30m",
      timeout,
      releaseName: props.name,
      chart: {
        spec: {
          chart: props.chart.chart,
          version: props.chart.version,
          sourceRef: {
            kind: HelmReleaseSpecChartSpecSourceRefKind.HELM_REPOSITORY,
            name: props.chart.source.name,
            namespace: FLUX_NAMESPACE,
          },
        },
      },
      install: { crds: HelmReleaseSpecInstallCrds.CREATE_REPLACE, remediation: { retries: 3 } },
      upgrade: {
        crds: HelmReleaseSpecUpgradeCrds.CREATE_REPLACE,
        remediation: { retries: 3, remediateLastFailure: true },
      },
      ...(props.dependsOn && props.dependsOn.length > 0 ? { dependsOn: [...props.dependsOn] } : {}),
      ...(props.patches && props.patches.length > 0
        ? { postRenderers: [{ kustomize: { patches: [...props.patches] } }] }
        : {}),
      values: props.values,
    },
  });
}
