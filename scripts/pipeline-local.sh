#!/usr/bin/env bash
# npm run pipeline:local -- <pipeline> [-c key=value ...] [--param Name=Value ...] [--report FILE] [--work DIR]
# Runs a pipeline of the app on this machine: installs what it needs (as npm test does), renders
# the app's pipelines for the configuration (cdk.json and the -c values, as cdk synth takes them),
# and runs the chosen one with the local runner.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
context=()
runner=()
while [ $# -gt 0 ]; do
  case "$1" in
    -c|--context) [ $# -ge 2 ] || { echo "pipeline:local: $1 needs key=value" >&2; exit 2; }
      context+=(-c "$2"); shift 2 ;;
    *) runner+=("$1"); shift ;;
  esac
done
definitions=build/pipeline-definitions/local
rm -rf "$definitions"
npx ts-node --swc pipeline-definitions/rendering/render.ts --out "$definitions" "${context[@]}" > /dev/null
exec .venv/bin/python pipeline-definitions/local_runner/runner.py --definitions "$definitions" "${runner[@]}"
