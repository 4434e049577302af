// Container images are pinned: a tag other than `latest`, or a digest.
import type { Finding } from "../finding.js";
import { findingAt, type Rule } from "./rule.js";
import { containersOf } from "./workloads.js";

/** The tag of an image reference, or undefined; a registry port (`host:5000/app`) is not a tag. */
export function imageTag(image: string): string | undefined {
  const withoutDigest = image.split("@")[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const lastColon = withoutDigest.lastIndexOf(":");
  return lastColon > lastSlash ? withoutDigest.slice(lastColon + 1) : undefined;
}

export function checkImage(image: string): string | undefined {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  const tag = imageTag(image);
  if (tag === undefined) return `image "${image}" has no tag, so it means latest`;
  if (tag === "latest") return `image "${image}" uses the latest tag`;
  return undefined;
}

export const imagePinnedRule: Rule = {
  id: "image-pinned",
  description: "Container images carry a version tag (not latest) or a sha256 digest.",
  check({ documents }) {
    const findings: Finding[] = [];
    for (const document of documents) {
      for (const { path, container } of containersOf(document)) {
        const image = typeof container.image === "string" ? container.image : "";
        const problem = image ? checkImage(image) : `container "${String(container.name)}" has no image`;
        if (!problem) continue;
        findings.push(
          findingAt(document, {
            rule: "image-pinned",
            path: [...path, "image"],
            message: problem,
            hint: "pin a released version tag (e.g. nginx:1.27.3) or a digest (@sha256:…)",
          }),
        );
      }
    }
    return findings;
  },
};
