// Labels and names every chart shares, so objects are traceable to kubeforge and stable across builds.

export const MANAGED_BY = { "app.kubernetes.io/managed-by": "kubeforge" } as const;

/** A DNS-1123 label made from free text: `admins@homelab.local` → `admins-homelab-local`. */
export function slugify(text: string, maxLength = 63): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug.slice(0, maxLength).replace(/-+$/, "") || "x";
}

/** The minor of a Kubernetes version, as Pod Security labels take it: v1.35.2 → v1.35. */
export function kubernetesMinor(version: string): string {
  return version.split(".").slice(0, 2).join(".");
}
