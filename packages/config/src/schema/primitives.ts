// Shared scalar schemas: versions, addresses, CIDRs, Kubernetes names and quantities.
import ipaddr from "ipaddr.js";
import { z } from "zod";

/** A DNS-1123 label: what Kubernetes accepts for namespace, node and most object names. */
export const dns1123Label = z
  .string()
  .max(63, "must be at most 63 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, {
    message: "must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
  });

/** A DNS-1123 subdomain: what Kubernetes accepts for ClusterRole, PriorityClass and StorageClass names. */
export const dns1123Subdomain = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message: "must be a DNS-1123 subdomain: lowercase letters, digits, '-' and '.'",
  });

/** A version as Talos and Kubernetes spell it: v1.13.9, or a pre-release such as v1.14.0-rc.1. */
export const versionLike = (example: string) =>
  z.string().regex(/^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, {
    message: `must be a full version with a leading v, e.g. ${example}`,
  });

/** A Talos version (the example in its message is one). */
export const version = versionLike("v1.13.9");

export const ipAddress = z.string().refine((value) => ipaddr.isValid(value) && !value.includes("/"), {
  message: "must be an IPv4 or IPv6 address",
});

/** A CIDR block; host bits are checked by the cross-field checks so the message can name the fix. */
export const cidr = z.string().refine(
  (value) => {
    try {
      ipaddr.parseCIDR(value);
      return true;
    } catch {
      return false;
    }
  },
  { message: "must be a CIDR block, e.g. 192.168.1.0/24" },
);

/** A Kubernetes resource quantity (cpu: 500m, memory: 512Mi). */
export const quantity = z.string().regex(/^[+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|[KMGTPE]i|[mkMGTPE])?$/, {
  message: "must be a Kubernetes quantity, e.g. 500m, 2, 512Mi or 10Gi",
});

export const macAddress = z
  .string()
  .regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, { message: "must be a lowercase MAC address, e.g. 52:54:00:12:34:56" });

export const duration = z.string().regex(/^(\d+(ms|s|m|h))+$/, { message: "must be a Go duration, e.g. 10m or 1h30m" });

// Strings below reach another language (a Corefile, API-server flags, Grafana's JMESPath), so they are
// limited to characters that carry no syntax there instead of being escaped at every use.

/** A DNS domain such as cluster.local: written as is into CoreDNS' Corefile and the kubelet's config. */
export const dnsDomain = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/, {
    message:
      "must be a DNS domain: lowercase labels of letters, digits and '-' joined by '.', e.g. cluster.local (no spaces, braces or newlines: it is written into the Corefile)",
  });

/**
 * An OIDC claim name: letters, digits and `_ . : / -` (Zitadel's `urn:zitadel:iam:org:project:roles`
 * fits). No quotes, brackets, spaces or commas: it becomes an API-server flag and a JMESPath expression.
 */
export const claimName = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.:/-]*$/, {
    message:
      "must be a claim name of letters, digits, '_', '.', ':', '/' and '-' (no spaces, quotes, brackets or commas)",
  });

/** A prefix the API server puts before user or group names; may be empty, or `-` for none. */
export const claimPrefix = z
  .string()
  .max(253, "must be at most 253 characters")
  .regex(/^[A-Za-z0-9_.:/@-]*$/, {
    message: "must use only letters, digits, '_', '.', ':', '/', '@' and '-' (no spaces, quotes or commas)",
  });

/**
 * A group name as the identity provider sends it: any printable text without quotes, backslashes or
 * control characters (it becomes a JMESPath string literal and an RBAC subject).
 */
export const oidcGroupName = z
  .string()
  .min(1, "must not be empty")
  .max(253, "must be at most 253 characters")
  // `*`, not `+`: an empty name is "must not be empty" alone, not also a character complaint
  .regex(/^[^'"`\\\p{Cc}]*$/u, {
    message: "must not contain quotes, backslashes or control characters (newlines, tabs)",
  });
