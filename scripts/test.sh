#!/usr/bin/env bash
# Every test of the project: type-check, jest (CDK assertions, snapshots, cdk-nag), the Python
# tests, cfn-lint over every synthesized template, and actionlint over the GitHub workflows.
# Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit

mkdir -p build
echo "== jest"
npx jest --ci --json --outputFile=build/jest-results.json

echo "== rendering the pipeline definitions for review and the Python checks"
bash scripts/render-for-checks.sh

echo "== Python tests (pytest): the platform's, each family package's, the fixture families'"
.venv/bin/python -m pytest -q test/python pipeline-definitions/families test/fixtures/families --junit-xml=build/pytest-results.xml

echo "== cfn-lint"
bash scripts/cfn-lint.sh

echo "== actionlint (the GitHub Actions workflows, ShellCheck on their scripts)"
PATH="$PWD/.venv/bin:$PATH" .venv/bin/actionlint
echo "actionlint: no findings"

# One closing line for the whole run: jest and pytest counts together (the linters passed above).
node -e '
  const fs = require("fs");
  const jest = JSON.parse(fs.readFileSync("build/jest-results.json", "utf-8"));
  const xml = fs.readFileSync("build/pytest-results.xml", "utf-8");
  const attr = (name) => Number((xml.match(new RegExp(`<testsuite [^>]*${name}="(\\d+)"`)) || [0, 0])[1]);
  const pyFailed = attr("failures") + attr("errors");
  const passed = jest.numPassedTests + attr("tests") - pyFailed - attr("skipped");
  const failed = jest.numFailedTests + pyFailed;
  const skipped = jest.numPendingTests + attr("skipped");
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));'
