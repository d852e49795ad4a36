"""AutoML steps: Autopilot's job (CreateAutoMLJob) does not run here; the local settings' search
for the step (``automl.<step>``) stands in for it, and the report says so (``substitutedBy``).

The training channel is copied into ``<job>/input/training``; the search's command runs in the job
folder with its tokens replaced: ``{python}``, ``{input}`` (that copy), ``{output}`` (the local
folder of ``<S3OutputPath>/<job name>/``, where Autopilot writes a job's artifacts), ``{target}``
(TargetAttributeName), ``{problemType}``, ``{objective}`` (AutoMLJobObjective.MetricName),
``{maxCandidates}`` and ``{validationFraction}`` (DataSplitConfig's, 0.2 by default, as
Autopilot's). It writes ``{output}/best-candidate.json``:

    {"CandidateName": "...", "ObjectiveMetric": 0.83,
     "InferenceContainer": {"Image": "...", "ModelDataUrl": "<file under output>", "Environment": {...}},
     "Reports": {"ModelInsights": "<file under output>", "Explainability": "<file under output>"},
     "Candidates": [{"CandidateName": "...", "ObjectiveMetric": 0.8}, ...]}

which become the step's properties as DescribeAutoMLJob has them: ``BestCandidate.CandidateName``,
``BestCandidate.FinalAutoMLJobObjectiveMetric.Value``, ``BestCandidate.InferenceContainers[0]``'s
``Image``, ``ModelDataUrl`` and ``Environment['<key>']``, and ``BestCandidateProperties``'
``ModelInsightsJsonReportPath`` and ``ExplainabilityJsonReportPath``. The report lists every
candidate with its objective metric.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from local_runner.settings import expand
from local_runner.values import StepFailed, StepResult, WiringError

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "AutoML"
BEST_CANDIDATE = "best-candidate.json"
DEFAULT_VALIDATION_FRACTION = 0.2


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    search = local.settings.automl.get(name)
    if search is None:
        raise WiringError(f"step {name}: Autopilot does not run here, and {local.settings.source} declares no search for it (automl.{name})")
    args = local.resolve(step["Arguments"], name)
    config = args.get("AutoMLJobConfig", {})
    if config.get("Mode") != "ENSEMBLING":
        raise WiringError(f"step {name}: AutoMLJobConfig.Mode is {config.get('Mode')!r}; a pipeline's AutoML step runs only ENSEMBLING")
    training = [c for c in args["InputDataConfig"] if c.get("ChannelType", "training") == "training"]
    if len(training) != 1:
        raise WiringError(f"step {name}: expected one training channel, found {len(training)}")
    channel = training[0]
    root = local.job_root(name)
    local.copy_in(name, "the training channel", channel["DataSource"]["S3DataSource"]["S3Uri"], root / "input" / "training")
    job_name = f"{name}-{local.execution['PipelineExecutionId']}"
    output_uri = f"{args['OutputDataConfig']['S3OutputPath'].rstrip('/')}/{job_name}"
    output = local.s3_path(output_uri)
    output.mkdir(parents=True, exist_ok=True)
    tokens = {
        "python": local.python,
        "input": str(root / "input" / "training"),
        "output": str(output),
        "target": channel["TargetAttributeName"],
        "problemType": str(args.get("ProblemType", "")),
        "objective": str(args.get("AutoMLJobObjective", {}).get("MetricName", "")),
        "maxCandidates": str(config.get("CompletionCriteria", {}).get("MaxCandidates", 10)),
        "validationFraction": str(config.get("DataSplitConfig", {}).get("ValidationFraction", DEFAULT_VALIDATION_FRACTION)),
    }
    where = f"step {name}: the search in {local.settings.source}"
    command = local.project_command(expand(search["command"], lambda token, argument: tokens.get(token) if argument is None else None, where), where)
    local.execute(name, command, root, {}, root / "log.txt")
    best_file = output / BEST_CANDIDATE
    if not best_file.is_file():
        raise StepFailed(f"step {name}: the search wrote no {BEST_CANDIDATE} to {output}")
    best = json.loads(best_file.read_text(encoding="utf-8"))
    container = best["InferenceContainer"]
    uri = lambda relative: f"{output_uri}/{relative}"  # noqa: E731
    for relative in [container["ModelDataUrl"], *best.get("Reports", {}).values()]:
        if not (output / relative).is_file():
            raise StepFailed(f"step {name}: the search names {relative}, which it did not write under {output}")
    props = {
        "AutoMLJobName": job_name,
        "AutoMLJobArn": f"arn:aws:sagemaker:local:000000000000:automl-job/{job_name}",
        "AutoMLJobStatus": "Completed",
        "BestCandidate.CandidateName": best["CandidateName"],
        "BestCandidate.FinalAutoMLJobObjectiveMetric.Value": best["ObjectiveMetric"],
        "BestCandidate.InferenceContainers[0].Image": container["Image"],
        "BestCandidate.InferenceContainers[0].ModelDataUrl": uri(container["ModelDataUrl"]),
    }
    props.update({f"BestCandidate.InferenceContainers[0].Environment['{key}']": value for key, value in container.get("Environment", {}).items()})
    props.update({f"BestCandidateProperties.{kind}JsonReportPath": uri(relative) for kind, relative in best.get("Reports", {}).items()})
    local.properties[name] = props
    result.outputs["model"] = uri(container["ModelDataUrl"])
    result.outputs["bestCandidate"] = best["CandidateName"]
    result.outputs["candidates"] = best.get("Candidates", [])
    result.metrics[tokens["objective"] or "objective"] = best["ObjectiveMetric"]
    result.outputs["substitutedBy"] = search["description"]
