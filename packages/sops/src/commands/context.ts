// What every file command needs: the file, formats, where .sops.yaml and identities come from.
import { formatFromPath, type SopsFormat, type StoreOptions } from "../formats/index.js";
import { type KeySource, keySourceFromEnv } from "../keys/sources.js";
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
  /** The file to read when `file` is a --filename-override (default: `file`; `-` is stdin). */
  readonly readPath?: string;
  /** Shared key sources (batch decrypt reads key files once). */
  readonly keySource?: KeySource;
  /** Receives warnings (e.g. skipped age plugin identities); the CLI prints them. */
  readonly onWarning?: (message: string) => void;
}

export function formatsOf(options: FileCommandOptions): { input: SopsFormat; output: SopsFormat } {
  const input = options.inputType ?? formatFromPath(options.file);
  return { input, output: options.outputType ?? (options.inputType ? input : formatFromPath(options.file)) };
}

const sources = new WeakMap<object, KeySource>();

/** The key sources for a command (one per options object, so files and commands are read once). */
export async function identitiesOf(options: FileCommandOptions): Promise<KeySource> {
  if (options.keySource) return options.keySource;
  let source = sources.get(options);
  if (!source) {
    const created = keySourceFromEnv(options.env ?? process.env);
    const reported = new Set<string>();
    source = {
      warnings: created.warnings,
      describe: () => created.describe(),
      async identitiesFor(recipient) {
        const found = await created.identitiesFor(recipient);
        for (const warning of created.warnings) {
          if (!reported.has(warning)) options.onWarning?.(warning);
          reported.add(warning);
        }
        return found;
      },
    };
    sources.set(options, source);
  }
  return source;
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
