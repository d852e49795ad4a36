#!/usr/bin/env bash
# npm run synth -- [-c key=value ...] [-o DIR] [any other cdk synth option or stack name]
# Synthesizes the app exactly as `cdk synth` does with the same arguments (every -c value reaches
# the app), then renders its pipeline definitions from that assembly into DIR/pipeline-definitions
# (DIR is cdk.out unless -o/--output names another).
set -euo pipefail
cd "$(dirname "$0")/.."
out=cdk.out
args=("$@")
for ((i = 0; i < ${#args[@]}; i++)); do
  case "${args[i]}" in
    -o|--output) out="${args[i + 1]:-$out}" ;;
    --output=*) out="${args[i]#--output=}" ;;
  esac
done
CDK_DISABLE_VERSION_CHECK=1 npx cdk synth --quiet "$@"
npx ts-node --swc pipeline-definitions/rendering/render.ts --assembly "$out" --out "$out/pipeline-definitions"
