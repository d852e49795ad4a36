#!/usr/bin/env bash
# Renders the pipelines that the Python checks and local-run tests read into build/pipeline-definitions:
# the default configuration; the managed quality engine with CheckExplainability (`*.managed.json`);
# the monitoring pipeline, which needs a served model (given here by package ARN); and the fixture
# families' pipelines, from an app built with the test's family list (test/fixtures/families); and
# definitions of library steps no pipeline uses yet (library-samples/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/pipeline-definitions
rm -rf "$out"
render=(npx ts-node --swc pipeline-definitions/rendering/render.ts --out "$out")
# Versions 1 and 2 of a group of the served family (the first), as the champion and the challenger.
package=arn:aws:sagemaker:us-east-1:111122223333:model-package/pds-dev-served
"${render[@]}" &
"${render[@]}" --suffix managed -c qualityEngine=managed -c explainability=true &
"${render[@]}" --only endpoint-monitor -c "modelPackageArn=$package/1" -c "challengerModelPackageArn=$package/2" &
npx ts-node --swc test/fixtures/families/render.ts --out "$out" &
npx ts-node --swc test/fixtures/definitions/library-samples.ts --out "$out/library-samples" > /dev/null &
status=0
for job in $(jobs -p); do wait "$job" || status=1; done
exit "$status"
