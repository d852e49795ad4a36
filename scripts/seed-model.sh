#!/usr/bin/env bash
# npm run seed-model -- [--from DIR] [--cache-dir DIR] [-c key=value ...]
# Puts each model family's declared pre-trained model into the lake prefix its pipeline reads
# (scripts/seed_model/seed.py): the plan from the families for the configuration (cdk.json and the
# -c values, as cdk synth takes them), then the download, the checks and the upload.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh >&2
mkdir -p build
plan=build/seed-model-plan.json
npx ts-node --swc scripts/seed_model/plan.ts "$@" > "$plan"
exec .venv/bin/python scripts/seed_model/seed.py --plan "$plan" "$@"
