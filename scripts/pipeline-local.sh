#!/usr/bin/env bash
# npm run pipeline:local -- <pipeline> [--param Name=Value ...] [--report FILE] [--work DIR]
# Runs a pipeline of the app on this machine: installs what it needs (as npm test does), renders
# the pipeline definitions from the app's code, and runs the rendering with the local runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
npx ts-node --swc pipeline-definitions/review.ts build/pipeline-definitions > /dev/null
exec .venv/bin/python pipeline-definitions/local_runner/runner.py "$@"
