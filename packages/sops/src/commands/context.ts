// What every file command needs: the file, formats, where .sops.yaml and identities come from.
import { formatFromPath, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { loadAgeIdentities } from "../keys/age.js";
import { type CreationRule, findSopsConfig, matchCreationRule, type SopsConfig } from "../rules.js";

export interface FileCommandOptions {
  readonly file: string;
  readonly inputType?: SopsFormat;
  readonly outputType?: SopsFormat;
  /** Explicit .sops.yaml (--config); default: SOPS_CONFIG, then search upwards from cwd. */
  readonly configPath?: string;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** YAML/JSON indent (--indent). */
  readonly indent?: number;
}

export function formatsOf(options: FileCommandOptions): { input: SopsFormat; output: SopsFormat } {
  const input = options.inputType ?? formatFromPath(options.file);
  return { input, output: options.outputType ?? (options.inputType ? input : formatFromPath(options.file)) };
}

export async function identitiesOf(options: FileCommandOptions): Promise<string[]> {
  return loadAgeIdentities(options.env ?? process.env);
}

export async function configOf(options: FileCommandOptions): Promise<SopsConfig | undefined> {
  return findSopsConfig({ cwd: options.cwd, configPath: options.configPath, env: options.env });
}

/** The rule for the file; undefined when there is no .sops.yaml (or it has no creation_rules). */
export function ruleOf(config: SopsConfig | undefined, options: FileCommandOptions): CreationRule | undefined {
  return config ? matchCreationRule(config, options.file, options.cwd) : undefined;
}

export function storeOptionsOf(config: SopsConfig | undefined, options: FileCommandOptions): StoreOptions {
  const indent = options.indent;
  return {
    yamlIndent: indent ?? config?.yamlIndent,
    jsonIndent: indent ?? config?.jsonIndent,
  };
}

/** Store options from flags and the nearest .sops.yaml `stores` (a broken config is ignored here). */
export async function storesFor(options: FileCommandOptions): Promise<StoreOptions> {
  const config = await configOf(options).catch(() => undefined);
  return storeOptionsOf(config, options);
}
