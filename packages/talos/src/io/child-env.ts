// The environment of child processes (talosctl, git): everything but the secrets they do not need. talosctl
// never reads SOPS keys, and a key in its environment is visible to anything it spawns or logs.

/** Variables never passed on: SOPS/age key material and cloud KMS credentials SOPS may use. */
const SECRET_NAMES = /^(SOPS_|AGE_|AWS_SECRET_ACCESS_KEY$|AWS_SESSION_TOKEN$|VAULT_TOKEN$|AZURE_CLIENT_SECRET$)/;

/** A copy of `env` without secret variables; pass it with `extendEnv: false`. Pure. */
export function childEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && !SECRET_NAMES.test(entry[0]),
    ),
  );
}
