import { expect, it } from "vitest";
import { verifySummary } from "./init.js";

it("says clean only when build + validate found nothing (it said clean right after printing a warning)", () => {
  expect(verifySummary([])).toBe("build + validate: clean");
  expect(verifySummary([{ severity: "warning" }])).toBe("build + validate: 1 warning (above)");
  expect(verifySummary([{ severity: "error" }, { severity: "error" }, { severity: "warning" }])).toBe(
    "build + validate: 2 errors, 1 warning (above)",
  );
});
