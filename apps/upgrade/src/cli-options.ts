// The options of kubeforge-upgrade, in node:util parseArgs form. Its own module (no imports) so that
// \`kubeforge upgrade\` (apps/cli) reads the command line exactly as kubeforge-upgrade will, to find the cluster and
// its saved age key, without loading the upgrade code.
export const UPGRADE_OPTIONS = {
  cluster: { type: "string" },
  talosctl: { type: "string" },
  talosconfig: { type: "string" },
  kubeconfig: { type: "string" },
  "kube-context": { type: "string" },
  "etcd-endpoints": { type: "string" },
  "etcd-ca": { type: "string" },
  "etcd-cert": { type: "string" },
  "etcd-key": { type: "string" },
  "state-dir": { type: "string" },
  evidence: { type: "string", multiple: true },
  releases: { type: "string" },
  timeout: { type: "string", multiple: true },
  poll: { type: "string" },
  "dry-run": { type: "boolean" },
  force: { type: "boolean" },
  reason: { type: "string" },
  "assume-talos": { type: "string" },
  "assume-kubernetes": { type: "string" },
  "retry-node": { type: "string" },
  "evidence-key": { type: "string" },
  "evidence-max-age": { type: "string" },
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;
