// The summary must never be a false green: fixture repositories with every way a run can go wrong.
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { removeReports, summarize } from "./test-summary.mjs";

// Every fixture lives in one scratch folder, removed when the file is done.
const scratch = mkdtempSync(path.join(tmpdir(), "kubeforge-summary-"));
after(() => rmSync(scratch, { recursive: true, force: true }));

function report(overrides = {}) {
  return {
    numTotalTests: 3,
    numPassedTests: 2,
    numFailedTests: 0,
    numPendingTests: 1,
    numTodoTests: 0,
    success: true,
    testResults: [
      {
        name: "/x/src/a.test.ts",
        status: "passed",
        message: "",
        assertionResults: [{ title: "a", fullName: "a", status: "passed", failureMessages: [] }],
      },
    ],
    ...overrides,
  };
}

/** A fixture root with packages/{a,b} (both with a test script) and packages/c (no tests). */
function fixture(reports) {
  const root = mkdtempSync(path.join(scratch, "fixture-"));
  for (const name of ["a", "b", "c"]) {
    const dir = path.join(root, "packages", name);
    mkdirSync(dir, { recursive: true });
    const scripts = name === "c" ? { lint: "tsc" } : { test: "vitest run" };
    writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, scripts }));
    if (reports[name] !== undefined) {
      const text = typeof reports[name] === "string" ? reports[name] : JSON.stringify(reports[name]);
      writeFileSync(path.join(dir, ".test-results.json"), text);
    }
  }
  return root;
}

describe("test-summary", () => {
  it("sums every report when all pass", () => {
    const summary = summarize(fixture({ a: report(), b: report() }));
    assert.equal(summary.line, "Tests: 4 passed, 0 failed, 2 skipped");
    assert.deepEqual(summary.problems, []);
    assert.equal(summary.ok, true);
  });

  it("fails on a missing report of a package with tests", () => {
    const summary = summarize(fixture({ a: report() }));
    assert.equal(summary.ok, false);
    assert.equal(summary.line, "Tests: 2 passed, 1 failed, 1 skipped");
    assert.match(summary.problems[0], /packages\/b: no \.test-results\.json/);
  });

  it("counts a suite that failed at import as a failure, not as skipped tests", () => {
    const broken = report({
      success: false,
      numFailedTests: 0,
      testResults: [
        {
          name: "/x/src/b.test.ts",
          status: "failed",
          message: "Cannot find module './gone.js' imported from /x/src/b.test.ts",
          assertionResults: [],
        },
      ],
    });
    const summary = summarize(fixture({ a: report(), b: broken }));
    assert.equal(summary.ok, false);
    assert.equal(summary.line, "Tests: 4 passed, 1 failed, 2 skipped");
    assert.match(summary.problems[0], /suite .*b\.test\.ts failed: Cannot find module/);
  });

  it("fails on success:false even when no test failed", () => {
    const summary = summarize(fixture({ a: report(), b: report({ success: false }) }));
    assert.equal(summary.ok, false);
    assert.match(summary.line, /1 failed/);
    assert.match(summary.problems[0], /success: false/);
  });

  it("names each failing test", () => {
    const failing = report({
      success: false,
      numFailedTests: 1,
      testResults: [
        {
          name: "/x/src/q.test.ts",
          status: "failed",
          message: "",
          assertionResults: [{ title: "q", fullName: "quorum q", status: "failed", failureMessages: ["boom\nstack"] }],
        },
      ],
    });
    const summary = summarize(fixture({ a: report(), b: failing }));
    assert.equal(summary.line, "Tests: 4 passed, 1 failed, 2 skipped");
    assert.match(summary.problems[0], /quorum q: boom$/);
  });

  it("fails on an unreadable report and on a report without tests", () => {
    const summary = summarize(fixture({ a: "{not json", b: report({ numTotalTests: 0, numPassedTests: 0 }) }));
    assert.equal(summary.ok, false);
    assert.equal(summary.problems.length, 2);
  });

  it("fails when the run failed although every report passed", () => {
    const summary = summarize(fixture({ a: report(), b: report() }), { runExit: 1 });
    assert.equal(summary.ok, false);
    assert.match(summary.problems[0], /the run exited with 1/);
  });

  it("--clean removes stale reports, so a package that does not run again shows as missing", () => {
    const root = fixture({ a: report(), b: report() });
    removeReports(root);
    const summary = summarize(root);
    assert.equal(summary.ok, false);
    assert.equal(summary.line, "Tests: 0 passed, 2 failed, 0 skipped");
  });
});
