// Opens the current kubeconfig for live checks, failing clearly when there is none (client-node would
// otherwise silently talk to http://localhost:8080), and turns ApiException into a short typed error.
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { ValidateError } from "../errors.js";

export interface OpenKubeConfigOptions {
  /** A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig?: string;
  /** Context to use instead of the current one. */
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
}

function kubeconfigFiles(options: OpenKubeConfigOptions): string[] {
  if (options.kubeconfig) return [options.kubeconfig];
  const env = options.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(path.delimiter).filter(Boolean);
  return [path.join(env.HOME ?? homedir(), ".kube", "config")];
}

export function openKubeConfig(options: OpenKubeConfigOptions = {}): KubeConfig {
  const files = kubeconfigFiles(options);
  const existing = files.filter((file) => existsSync(file));
  if (existing.length === 0) {
    throw new ValidateError(
      "E_KUBECONFIG",
      `no kubeconfig found (looked at ${files.join(", ")})`,
      "set KUBECONFIG or pass --kubeconfig (e.g. the one `talosctl kubeconfig` writes)",
    );
  }
  const config = new KubeConfig();
  try {
    config.loadFromFile(existing[0] ?? "");
    for (const file of existing.slice(1)) {
      const other = new KubeConfig();
      other.loadFromFile(file);
      config.mergeConfig(other);
    }
  } catch (cause) {
    throw new ValidateError(
      "E_KUBECONFIG",
      `cannot read kubeconfig ${existing.join(", ")}: ${(cause as Error).message}`,
      "fix the kubeconfig file",
      { cause },
    );
  }
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new ValidateError(
        "E_KUBECONFIG",
        `kubeconfig has no context "${options.context}"`,
        `use one of: ${config
          .getContexts()
          .map((c) => c.name)
          .join(", ")}`,
      );
    }
    config.setCurrentContext(options.context);
  }
  const cluster = config.getCurrentCluster();
  if (!config.getCurrentContext() || !cluster?.server) {
    throw new ValidateError(
      "E_KUBECONFIG",
      "kubeconfig has no current context with a cluster server",
      "run `kubectl config use-context <name>` or pass --context",
    );
  }
  return config;
}

/** Status code of a client-node ApiException (or undefined for other errors). */
export function apiStatus(error: unknown): number | undefined {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "number" ? code : undefined;
}

/** Wraps any client error into a ValidateError without dumping headers and bodies. */
export function toApiError(error: unknown, what: string): ValidateError {
  const status = apiStatus(error);
  const body = (error as { body?: unknown })?.body;
  let detail = status ? `HTTP ${status}` : ((error as Error)?.message?.split("\n")[0] ?? String(error));
  if (typeof body === "string") {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) detail = `${detail}: ${parsed.message}`;
    } catch {
      // body is not JSON; the status is enough
    }
  }
  return new ValidateError(
    "E_API",
    `${what} failed: ${detail}`,
    "check the API server is reachable and the credentials allow it",
    { cause: error },
  );
}
