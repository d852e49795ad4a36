#!/usr/bin/env bash
# Every test of the project: type-check, jest (CDK assertions, snapshots, cdk-nag), the Python
# tests, and cfn-lint over every synthesized template. Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh

echo "== type-check (tsc --noEmit)"
npx tsc --noEmit

echo "== jest"
npx jest --ci

echo "== Python tests (pytest)"
.venv/bin/python -m pytest -q test/python

echo "== cfn-lint"
bash scripts/cfn-lint.sh
