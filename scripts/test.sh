#!/usr/bin/env bash
# `pnpm test`: biome, the summary's own test, then turbo's lint, test and validate; always ends with the
# summary line "Tests: N passed, N failed, N skipped" and a non-zero exit on any failure.
# `--ci` (used by .ci/run): every test and validate task runs again — never a cache replay.
set -uo pipefail
cd "$(dirname "$0")/.."

# The hash of ../shared and the tool versions: an input of every test/validate task (turbo.json).
node scripts/test-fingerprint.mjs || exit 1
# Reports of earlier runs must not be summed: turbo restores a report only on a true cache hit.
node scripts/test-summary.mjs --clean || exit 1

run() {
  pnpm exec biome check . || return
  node --test --test-reporter=dot scripts/test-summary.test.mjs scripts/deadline.test.mjs || return
  if [ "${1:-}" = --ci ]; then
    pnpm exec turbo run lint --continue || return
    # --only: the builds just ran (or were true cache hits); --force: the tests themselves always run.
    # --log-order=stream: what ran so far stays in the log even if the run is stopped. The deadline
    # (normally 4–10 min) turns a hung test into a failure that names the still-running commands,
    # well inside the CI's own limit.
    node scripts/deadline.mjs "${KUBEFORGE_TEST_DEADLINE:-2700}" \
      pnpm exec turbo run test validate --force --only --continue --log-order=stream
  else
    pnpm exec turbo run lint test validate --continue
  fi
}

run "$@"
status=$?
node scripts/test-summary.mjs --exit "$status"
