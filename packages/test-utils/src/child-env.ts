// The environment for child processes that need no secrets (kubectl kustomize): the caller's, minus
// SOPS' age keys and anything named like a credential, so a key in the test environment never reaches
// a tool (or a plugin it runs) that has no use for it.

const SECRET_NAME = /^SOPS_|(^|_)(AGE_KEY|PRIVATE_KEY|SECRET|TOKEN|PASSWORD|PASSPHRASE)(_|$)/i;

/** A copy of `env` without secret-bearing variables (SOPS_AGE_KEY, SOPS_AGE_KEY_FILE, SOPS_AGE_KEY_CMD…). */
export function envWithoutSecrets(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && !SECRET_NAME.test(name)) kept[name] = value;
  }
  return kept;
}
