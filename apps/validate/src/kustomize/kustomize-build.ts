// Runs `kubectl kustomize` (kustomize v5 built into kubectl) on a Flux path, offline and with kustomize's
// default load restrictions: files must sit inside the kustomization root, as in any repository we own.
import { execFile } from "node:child_process";
import { availableParallelism } from "node:os";
import { ValidateError } from "../errors.js";

export type KustomizeResult =
  | { readonly ok: true; readonly output: string }
  | { readonly ok: false; readonly message: string };

/** Builds the kustomization in `dir`. */
export type KustomizeBuild = (dir: string) => Promise<KustomizeResult>;

export interface KubectlKustomizeOptions {
  /** kubectl binary. @default "kubectl" */
  readonly kubectl?: string;
  /** Environment of the child. @default process.env (secrets removed, network closed: see kustomizeEnv) */
  readonly env?: NodeJS.ProcessEnv;
}

/** The useful part of kubectl's error output: the `err="…"` text of its structured log line, shortened. */
export function summarizeKustomizeError(output: string): string {
  const first = output.trim().split("\n")[0] ?? "";
  const structured = /err="(.*)"\s*$/.exec(first)?.[1];
  const message = (structured ?? first)
    .replace(/^Error: /, "")
    .replace(/\\"/g, '"')
    .replace(/^accumulating resources: accumulation err='(.*?)': must build at directory.*$/, "$1");
  return message.length > 300 ? `${message.slice(0, 297)}...` : message;
}

/** SOPS variables (SOPS_AGE_KEY holds a private key, SOPS_AGE_KEY_CMD prints one): kustomize reads none of them. */
const SECRET_VARIABLES = /^SOPS_/;

/**
 * The child's environment: `env` without secret variables, and with every network path closed as a second
 * line of defence behind the remote-resource check (HTTP goes to a discard proxy on loopback, git may only
 * read local repositories, no prompt ever waits for a password).
 */
export function kustomizeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || SECRET_VARIABLES.test(name)) continue;
    if (/^(https?|all|no)_proxy$/i.test(name)) continue;
    out[name] = value;
  }
  return {
    ...out,
    HTTP_PROXY: "http://127.0.0.1:9",
    HTTPS_PROXY: "http://127.0.0.1:9",
    NO_PROXY: "",
    GIT_ALLOW_PROTOCOL: "file",
    GIT_TERMINAL_PROMPT: "0",
  };
}

interface ExecResult {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly spawnError?: Error;
}

// node:child_process rather than execa: execa costs ~300 ms of start-up for one call shape we need.
function run(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 256 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
      const code = (error as { code?: unknown } | null)?.code;
      if (error && (code === "ENOENT" || code === "EACCES"))
        resolve({ exitCode: undefined, stdout, stderr, spawnError: error });
      else
        resolve({
          exitCode: error ? (typeof code === "number" ? code : 1) : 0,
          stdout,
          stderr: stderr || (error?.message ?? ""),
        });
    });
  });
}

/** Runs at most `limit` builds at once; the rest wait their turn. */
function limitConcurrency(build: KustomizeBuild, limit: number): KustomizeBuild {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (dir) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await build(dir);
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** A KustomizeBuild that shells out to `kubectl kustomize <dir>`, a few builds at a time. */
export function kubectlKustomize(options: KubectlKustomizeOptions = {}): KustomizeBuild {
  const kubectl = options.kubectl ?? "kubectl";
  const env = kustomizeEnv(options.env);
  const build: KustomizeBuild = async (dir) => {
    const result = await run(kubectl, ["kustomize", dir], env);
    if (result.spawnError) {
      throw new ValidateError(
        "E_KUSTOMIZE_MISSING",
        `cannot run \`${kubectl} kustomize\`: ${result.spawnError.message}`,
        "install kubectl (it includes kustomize), or pass --no-kustomize to skip the build check",
        { cause: result.spawnError },
      );
    }
    if (result.exitCode === 0) return { ok: true, output: result.stdout.replace(/\n$/, "") };
    return { ok: false, message: summarizeKustomizeError(result.stderr || result.stdout) };
  };
  return limitConcurrency(build, Math.max(2, availableParallelism()));
}

/** Wraps a build so each directory is built once, however many callers ask (a prefetch and the rule). */
export function memoizeBuild(build: KustomizeBuild): KustomizeBuild {
  const results = new Map<string, Promise<KustomizeResult>>();
  return (dir) => {
    let result = results.get(dir);
    if (!result) {
      result = build(dir);
      // A rejected build that nobody awaited yet must not crash the process as an unhandled rejection.
      result.catch(() => undefined);
      results.set(dir, result);
    }
    return result;
  };
}
