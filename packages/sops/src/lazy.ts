// Libraries that the common paths (decrypt, exec-env, --version) never touch, loaded on first use.
// Importing them up front cost a batch decrypt of 1,000 files ~55 ms of its ~520 (yaml 37 ms, re2js 10,
// shlex 5; shamir-secret-sharing, 9 ms, is an `import()` in shamir.ts, whose callers are async).
// `createRequire`, not `import()`: these callers are synchronous, and each package ships a CommonJS build.
import { createRequire } from "node:module";

const load = createRequire(import.meta.url);

function once<T>(name: string): () => T {
  let module: T | undefined;
  return () => {
    module ??= load(name) as T;
    return module;
  };
}

/** The `yaml` package: YAML that the fast reader (formats/yaml-fast.ts) hands over, `.sops.yaml`, emitting odd scalars. */
export const yamlLibrary = once<typeof import("yaml")>("yaml");
/** re2js: Go regex semantics for `.sops.yaml` rules and --encrypted-regex & co. */
export const re2Library = once<typeof import("re2js")>("re2js");
/** shlex: splits SOPS_AGE_KEY_CMD / SOPS_AGE_SSH_PRIVATE_KEY_CMD. */
export const shlexLibrary = once<typeof import("shlex")>("shlex");
