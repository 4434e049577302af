// The fix printed for a plaintext secret, worked out against the repository's own .sops.yaml so that the
// command runs as printed: `kubeforge-sops encrypt -i` only works on a path a creation rule matches.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import jsYaml from "js-yaml";
import { isRecord } from "../rules/rule.js";

export interface SopsConfig {
  readonly file: string;
  readonly pathRegexes: readonly (RegExp | undefined)[];
}

/** The nearest `.sops.yaml` at or above `dir` (how kubeforge-sops and sops find it), with its rules' path_regex. */
export function findSopsConfig(dir: string): SopsConfig | undefined {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const file = path.join(current, ".sops.yaml");
    if (existsSync(file)) {
      let rules: unknown[] = [];
      try {
        const data = jsYaml.load(readFileSync(file, "utf8"), { schema: jsYaml.CORE_SCHEMA });
        rules = isRecord(data) && Array.isArray(data.creation_rules) ? data.creation_rules : [];
      } catch {
        rules = [];
      }
      const pathRegexes = rules.map((rule) => {
        const source = isRecord(rule) && typeof rule.path_regex === "string" ? rule.path_regex : undefined;
        if (source === undefined) return /(?:)/;
        try {
          return new RegExp(source);
        } catch {
          return undefined;
        }
      });
      return { file, pathRegexes };
    }
    if (path.dirname(current) === current) return undefined;
  }
}

/** True when a creation rule of `config` applies to `file` (matched relative to the config's folder). */
export function hasCreationRule(config: SopsConfig, file: string): boolean {
  const relative = path.relative(path.dirname(config.file), path.resolve(file)).split(path.sep).join("/");
  return config.pathRegexes.some((regex) => regex?.test(relative) ?? false);
}

function quote(file: string): string {
  return /^[\w./@+-]+$/.test(file) ? file : `'${file.replace(/'/g, "'\\''")}'`;
}

export interface PlaintextSecretFix {
  /** The Secret's file, absolute. */
  readonly file: string;
  /** Report paths (and the paths in printed commands) are relative to this folder. */
  readonly displayBase: string;
  /** clusters/<name>, when known: where the secrets/ folder the build copies from lives. */
  readonly clusterDir?: string;
  /** metadata.name of the Secret, for the file name of the moved Secret. */
  readonly secretName: string;
}

/**
 * The command that runs as printed: inside a cluster folder `kubeforge secrets`, which finds the age key
 * `kubeforge init` saved for the cluster (.kubeforge/age-key-file); kubeforge-sops only reads SOPS_AGE_KEY_FILE
 * and friends, so without them it cannot open the file.
 */
function sopsCommand(clusterDir: string | undefined): string {
  return clusterDir ? "pnpm exec kubeforge secrets" : "pnpm exec kubeforge-sops";
}

/** The file `kubeforge build` copied `file` from (`<cluster>/secrets/x` for `<cluster>/flux/infrastructure/secrets/x`), if any. */
export function secretSourceOf(file: string, clusterDir: string | undefined): string | undefined {
  if (!clusterDir) return undefined;
  const copies = path.join(path.resolve(clusterDir), "flux", "infrastructure", "secrets");
  const relative = path.relative(copies, path.resolve(file));
  if (relative.startsWith("..") || path.isAbsolute(relative)) return undefined;
  const source = path.join(path.resolve(clusterDir), "secrets", relative);
  return existsSync(source) ? source : undefined;
}

/** The fix for a Secret committed without any encryption. */
export function plaintextSecretHint(fix: PlaintextSecretFix): string {
  const shown = (file: string) => quote(path.relative(fix.displayBase, file) || file);
  const sops = sopsCommand(fix.clusterDir);
  const config = findSopsConfig(path.dirname(fix.file));
  if (!config) {
    return `create a .sops.yaml at the repository root with a creation rule for this file (encrypted_regex: ^(data|stringData)$), then run: ${sops} encrypt -i ${shown(fix.file)}`;
  }
  if (hasCreationRule(config, fix.file)) return `encrypt it in place: ${sops} encrypt -i ${shown(fix.file)}`;
  const name = fix.secretName.replace(/[^A-Za-z0-9._-]/g, "-") || "secret";
  const target = fix.clusterDir ? path.join(fix.clusterDir, "secrets", `${name}.sops.yaml`) : undefined;
  if (target && hasCreationRule(config, target)) {
    return `move the Secret to ${shown(target)} (${shown(config.file)} has a creation rule there and the build copies it into flux/), then run: ${sops} encrypt -i ${shown(target)}`;
  }
  return `add a creation rule matching ${shown(fix.file)} to ${shown(config.file)} (encrypted_regex: ^(data|stringData)$), then run: ${sops} encrypt -i ${shown(fix.file)}`;
}

/**
 * The fix for plaintext values inside a file that is already SOPS-encrypted. A copy `kubeforge build` made
 * (flux/infrastructure/secrets/) is fixed in its source under secrets/, then rebuilt: an edit of the copy would
 * be overwritten by the next build.
 */
export function plaintextInSopsFileHint(options: {
  file: string;
  displayBase: string;
  keys: string[];
  clusterDir?: string;
}): string {
  const source = secretSourceOf(options.file, options.clusterDir);
  const target = source ?? options.file;
  const shown = quote(path.relative(options.displayBase, target) || target);
  const rebuild = source ? ", then run `pnpm exec kubeforge build` (the file in flux/ is its copy)" : "";
  return `delete ${options.keys.join(", ")} from ${source ? shown : "the file"} (sops cannot open a file with a plaintext value where its rules expect ciphertext), then add the value(s) again with: ${sopsCommand(options.clusterDir)} edit ${shown}${rebuild}`;
}
