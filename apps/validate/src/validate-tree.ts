// Offline validation of a cluster directory: reads the tree (IO), then runs every rule (pure) and applies exceptions.
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Cluster, ConfigError, formatIssue, loadCluster } from "@kubeforge/config";
import { readValidateConfig, type ValidateConfig } from "./config-file.js";
import { ValidateError } from "./errors.js";
import { applyExceptions } from "./exceptions.js";
import { type Finding, type SuppressedFinding, sortFindings } from "./finding.js";
import { type KustomizeBuild, kubectlKustomize, memoizeBuild } from "./kustomize/kustomize-build.js";
import { planKustomizeBuilds } from "./kustomize/kustomize-plan.js";
import { isFluxKustomization, spec } from "./rules/flux-objects.js";
import { RULES } from "./rules/index.js";
import { documentsOfKind, type Rule, type RuleContext } from "./rules/rule.js";
import { crdVersionSchemas } from "./schemas/crd-schema.js";
import {
  bundledCrdValidators,
  readBundledCrdSchemas,
  readKubernetesSchemas,
  readKubernetesValidators,
} from "./schemas/schema-files.js";
import { SchemaRegistry } from "./schemas/schema-registry.js";
import { type DecryptYaml, type NotCheckedFile, validateTalosConfigs } from "./talos/validate-talos.js";
import { inferSourceRoot, resolveLayout } from "./tree/cluster-layout.js";
import { parseManifestText, parseTreeFiles, readYamlFiles } from "./tree/load-documents.js";
import type { ManifestDocument } from "./tree/manifest-document.js";

export interface ValidateTreeOptions {
  /** clusters/<name> (with flux/, talos/, cluster.ts) or a bare manifest folder. */
  readonly dir: string;
  /** Report paths are relative to this directory. @default process.cwd() */
  readonly cwd?: string;
  /** How Flux Kustomization paths are built; `false` skips the build check. @default kubectlKustomize() */
  readonly kustomize?: KustomizeBuild | false;
  /** Root Flux paths are relative to. @default inferred (see inferSourceRoot) */
  readonly sourceRoot?: string;
  /** validate.yaml to use. @default <clusterDir>/validate.yaml when it exists */
  readonly config?: string;
  /**
   * Decrypts SOPS-encrypted Talos configs in memory; `false` never decrypts.
   * @default @kubeforge/sops with the age key from SOPS_AGE_KEY / SOPS_AGE_KEY_FILE / keys.txt, when there is one
   */
  readonly decrypt?: DecryptYaml | false;
  /** Rules to run. @default RULES */
  readonly rules?: readonly Rule[];
  /** Read the cluster model beside the tree. @default true */
  readonly loadModel?: boolean;
}

export interface ValidationStats {
  readonly files: number;
  readonly objects: number;
  readonly talosDocuments: number;
}

export interface ValidationReport {
  readonly target: string;
  readonly cluster?: string;
  /** Kubernetes version of the cluster model, when one was read. */
  readonly kubernetesVersion?: string;
  /** Kubernetes release the built-in schemas come from. */
  readonly kubernetesSchemas: string;
  readonly kustomize: "kubectl kustomize" | "skipped";
  /** Findings that stand, sorted by file, line and path. */
  readonly findings: Finding[];
  /** Findings an exception accepted, with its reason. */
  readonly suppressed: SuppressedFinding[];
  /**
   * SOPS-encrypted Talos configs that were NOT validated because no key could decrypt them, each with its
   * `talos-schema` warning; a file whose warning an exception accepted is left out, as the warning is. Empty when
   * every encrypted config was opened.
   */
  readonly notChecked: NotCheckedFile[];
  readonly stats: ValidationStats;
}

/** Runs `rules` over an already-loaded tree. Pure apart from what the kustomize callback does. */
export async function runRules(context: RuleContext, rules: readonly Rule[] = RULES): Promise<Finding[]> {
  // Every rule starts before any is awaited, so the kustomize children run while the other rules compute.
  const pending = rules.map((rule) => rule.check(context));
  const findings: Finding[] = [];
  for (const result of await Promise.all(pending)) for (const finding of result) findings.push(finding);
  return findings;
}

async function readModel(file: string, displayBase: string): Promise<{ cluster?: Cluster; findings: Finding[] }> {
  try {
    return { cluster: (await loadCluster(file)).cluster, findings: [] };
  } catch (cause) {
    const issues = cause instanceof ConfigError ? cause.issues : [{ path: "", message: (cause as Error).message }];
    return {
      findings: issues.map((issue) => ({
        rule: "cluster-model",
        severity: "error" as const,
        file: path.relative(displayBase, file),
        path: issue.path,
        message: formatIssue({ path: "", message: issue.message.split("\n")[0] ?? issue.message }),
        hint:
          ("hint" in issue && issue.hint) ||
          "fix the cluster definition; policies that need the model were run without it",
      })),
    };
  }
}

function isKustomizeConfig(document: ManifestDocument): boolean {
  return String(document.object.apiVersion ?? "").startsWith("kustomize.config.k8s.io/");
}

let sharedRegistry: Promise<SchemaRegistry> | undefined;

/** Built-in and bundled schemas, read and compiled once per process. */
function bundledRegistry(): Promise<SchemaRegistry> {
  sharedRegistry ??= Promise.all([readKubernetesSchemas(), readBundledCrdSchemas(), readKubernetesValidators()]).then(
    ([kubernetes, crds, precompiled]) =>
      new SchemaRegistry({ kubernetes, crds, precompiled, precompiledCrds: bundledCrdValidators(precompiled, crds) }),
  );
  return sharedRegistry;
}

async function buildRegistry(documents: readonly ManifestDocument[], config: ValidateConfig): Promise<SchemaRegistry> {
  const registry = (await bundledRegistry()).fork();
  for (const file of config.crds) {
    const loaded = parseManifestText(await readFile(file, "utf8"), { file, absolutePath: file });
    for (const document of loaded.documents) for (const crd of crdVersionSchemas(document.object)) registry.addCrd(crd);
  }
  for (const document of documents) {
    if (document.object.kind !== "CustomResourceDefinition") continue;
    for (const crd of crdVersionSchemas(document.object)) registry.addCrd(crd);
  }
  return registry;
}

export async function validateTree(options: ValidateTreeOptions): Promise<ValidationReport> {
  const displayBase = path.resolve(options.cwd ?? process.cwd());
  // A mistyped cluster name must read as such, not as an internal error with a scandir stack.
  const stat = statSync(options.dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) {
    throw new ValidateError(
      "E_READ",
      `${options.dir}: ${stat ? "is a file, not a cluster folder" : "no such directory"}`,
      "pass a cluster folder, e.g. clusters/homelab",
    );
  }
  const layout = resolveLayout(options.dir);
  const config = await readValidateConfig(options.config ? path.resolve(options.config) : layout.configFile, {
    required: options.config !== undefined,
  });
  // Every YAML file of the cluster folder is read once: the Flux tree is parsed, the rest is scanned for secrets.
  const files = await readYamlFiles(layout.clusterDir, { displayBase });
  const fluxPrefix = `${layout.fluxDir}${path.sep}`;
  const loaded = parseTreeFiles(
    layout.fluxDir === layout.clusterDir ? files : files.filter((file) => file.absolutePath.startsWith(fluxPrefix)),
  );
  const documents = loaded.documents.filter(
    (document) => !isKustomizeConfig(document) && path.basename(document.absolutePath) !== "validate.yaml",
  );
  const fluxPaths = documentsOfKind(documents, "Kustomization")
    .filter(isFluxKustomization)
    .map((document) => String(spec(document).path ?? ""));
  const sourceRoot = options.sourceRoot ? path.resolve(options.sourceRoot) : inferSourceRoot(layout.fluxDir, fluxPaths);
  const kustomize = options.kustomize === false ? undefined : memoizeBuild(options.kustomize ?? kubectlKustomize());
  // Start the kustomize children now; they run while the model loads and the schemas compile.
  if (kustomize) {
    for (const plan of planKustomizeBuilds(documents, { sourceRoot, displayBase })) if (plan.build) kustomize(plan.dir);
  }
  const model =
    options.loadModel !== false && layout.modelFile ? await readModel(layout.modelFile, displayBase) : { findings: [] };
  const context: RuleContext = {
    documents,
    ...(model.cluster ? { cluster: model.cluster } : {}),
    schemas: await buildRegistry(documents, config),
    sourceRoot,
    displayBase,
    clusterDir: layout.clusterDir,
    ...(kustomize ? { kustomize } : {}),
    files,
  };
  // One decryptor for the Talos configs and the MAC check: the key sources are read once.
  let decryptor: Promise<DecryptYaml | undefined> | undefined;
  const decryptorOnce = () => {
    if (options.decrypt === false) return Promise.resolve(undefined);
    decryptor ??= options.decrypt
      ? Promise.resolve(options.decrypt)
      : import("./talos/sops-decrypt.js").then((module) => module.sopsDecryptor());
    return decryptor;
  };
  // Talos configs are checked while the rules wait for the kustomize children.
  const checkTalos = async (cluster: Cluster) => {
    const decrypt = existsSync(layout.talosDir) ? await decryptorOnce() : undefined;
    return validateTalosConfigs({
      dir: layout.talosDir,
      talosVersion: cluster.talos.version,
      displayBase,
      ...(decrypt ? { decrypt } : {}),
    });
  };
  // SOPS files outside talos/ (flux/, secrets/) whose MAC no longer matches, where a key opens them
  const checkMacs = async () => {
    // a key source that cannot be read is the Talos check's error to report; this check then has nothing to do
    const decrypt = await decryptorOnce().catch(() => undefined);
    if (!decrypt) return [];
    const { checkSopsMacs } = await import("./sops/sops-mac.js");
    return checkSopsMacs(files, { decrypt, skipDir: layout.talosDir, clusterDir: layout.clusterDir });
  };
  const rulesDone = runRules(context, options.rules);
  const talosDone = model.cluster
    ? checkTalos(model.cluster)
    : Promise.resolve({ findings: [], documents: 0, notChecked: [] });
  const macsDone = checkMacs();
  // All settle before any error is thrown, so no rejection is left unhandled.
  const [ruleResult, talosResult, macResult] = await Promise.allSettled([rulesDone, talosDone, macsDone]);
  if (ruleResult.status === "rejected") throw ruleResult.reason;
  if (talosResult.status === "rejected") throw talosResult.reason;
  if (macResult.status === "rejected") throw macResult.reason;
  const ruleFindings = ruleResult.value;
  const talos = talosResult.value;
  const applied = applyExceptions(
    [...loaded.findings, ...model.findings, ...ruleFindings, ...talos.findings, ...macResult.value],
    {
      documents,
      config,
      displayBase,
    },
  );
  // A file whose not-checked warning an exception accepted is off the list too, as it no longer fails --strict.
  const accepted = new Set(
    applied.suppressed
      .filter((finding) => finding.rule === "talos-schema" && finding.path === "")
      .map((finding) => finding.file),
  );
  return {
    target: path.relative(displayBase, layout.clusterDir) || ".",
    ...(model.cluster ? { cluster: model.cluster.name, kubernetesVersion: model.cluster.kubernetes.version } : {}),
    kubernetesSchemas: context.schemas.kubernetesVersion,
    kustomize: kustomize ? "kubectl kustomize" : "skipped",
    findings: sortFindings(applied.findings),
    suppressed: sortFindings(applied.suppressed),
    notChecked: talos.notChecked.filter((entry) => !accepted.has(entry.file)),
    stats: { files: loaded.files, objects: documents.length, talosDocuments: talos.documents },
  };
}
