import { describe, expect, it } from "vitest";
import { checkImage, imageTag } from "./image-pinned.js";

describe("image references", () => {
  it.each([
    ["nginx:1.27.3", undefined],
    ["registry.local:5000/app:2.0.1", undefined],
    [`ghcr.io/x/y@sha256:${"a".repeat(64)}`, undefined],
    ["nginx", 'image "nginx" has no tag, so it means latest'],
    ["registry.local:5000/app", 'image "registry.local:5000/app" has no tag, so it means latest'],
    ["nginx:latest", 'image "nginx:latest" uses the latest tag'],
  ])("%s", (image, problem) => {
    expect(checkImage(image)).toBe(problem);
  });

  it("does not take a registry port for a tag", () => {
    expect(imageTag("host:5000/app")).toBeUndefined();
    expect(imageTag("host:5000/app:1.0")).toBe("1.0");
  });
});
