#!/usr/bin/env bash
# Synthesizes the app once per variant of scripts/synth-variants.json (dev, prod, and "full" with
# every optional stack on) and runs cfn-lint over every template: no errors and no warnings pass.
set -euo pipefail
cd "$(dirname "$0")/.."
export CDK_DISABLE_VERSION_CHECK=1

out=cdk.out.lint
rm -rf "$out"
for variant in $(node -e 'console.log(Object.keys(require("./scripts/synth-variants.json")).join(" "))'); do
  mapfile -t flags < <(node -e '
    const ctx = require("./scripts/synth-variants.json")[process.argv[1]];
    for (const [k, v] of Object.entries(ctx)) console.log(`-c\n${k}=${v}`);' "$variant")
  # An unknown setting in a variant fails its synth instead of being ignored.
  flags+=(-c strictSettings=true)
  echo "cfn-lint: synthesizing the $variant variant"
  npx cdk synth --quiet "${flags[@]}" --output "$out/$variant" > "$out.$variant.log" 2>&1 || {
    cat "$out.$variant.log"; exit 1; }
  rm -f "$out.$variant.log"
done
shopt -s nullglob
templates=("$out"/*/*.template.json)
[ ${#templates[@]} -gt 0 ] || { echo "cfn-lint: no templates were synthesized" >&2; exit 1; }
echo "cfn-lint: checking ${#templates[@]} templates"
.venv/bin/cfn-lint -- "${templates[@]}"
echo "cfn-lint: no errors, no warnings"
