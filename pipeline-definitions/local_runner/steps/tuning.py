"""Tuning steps: the training job definition run once per sampled set of hyperparameters, the best
by the objective metric, as CreateHyperParameterTuningJob does.

- The ranges (``ParameterRanges``) are sampled with a seeded generator: the local settings' seed
  for the step (``tuning.<step>.seed``, default 0), so a run is repeatable; the local settings may
  scale a range for a stand-in model (``tuning.<step>.ranges``, with a note), and the report lists
  it. Continuous and integer ranges follow their ScalingType (Linear and Auto uniformly,
  Logarithmic uniformly in log space, ReverseLogarithmic in log space of ``1 - x``); a categorical
  range draws one of its values.
- ``Random`` samples as above. ``Bayesian`` has no model of the objective here: it samples the same
  way, and the report says so (``substitutedBy``). Early stopping does not stop a job here.
- ``MaxNumberOfTrainingJobs`` jobs run, ``MaxParallelTrainingJobs`` at a time, each as a Training
  step runs (training.py), named ``<step>-<NNN>-<execution>``, its model under the definition's
  ``S3OutputPath``/``<job>``/``output/model.tar.gz``.
- The step's properties: ``TrainingJobSummaries[k]`` best first, ``BestTrainingJob``; the report
  lists every job with its hyperparameters and objective metric. A job that reports no objective
  metric fails the step, naming it.
"""

from __future__ import annotations

import math
import random
from typing import TYPE_CHECKING

from local_runner.steps import training
from local_runner.values import StepFailed, StepResult, WiringError, as_text

if TYPE_CHECKING:
    from local_runner.runner import LocalRun

# The step type this module runs (steps/__init__.py finds the executors by it).
STEP_TYPE = "Tuning"


def sample(ranges: dict, rng: random.Random) -> dict[str, str]:
    """One set of hyperparameters drawn from the API's ParameterRanges, as text."""
    drawn: dict[str, str] = {}
    for kind in ("ContinuousParameterRanges", "IntegerParameterRanges"):
        for item in ranges.get(kind, []):
            low, high = float(item["MinValue"]), float(item["MaxValue"])
            scaling = item.get("ScalingType", "Auto")
            if scaling == "Logarithmic":
                value = math.exp(rng.uniform(math.log(low), math.log(high)))
            elif scaling == "ReverseLogarithmic":
                value = 1 - math.exp(rng.uniform(math.log(1 - high), math.log(1 - low)))
            else:
                value = rng.uniform(low, high)
            drawn[item["Name"]] = str(round(value)) if kind == "IntegerParameterRanges" else f"{value:.6g}"
    for item in ranges.get("CategoricalParameterRanges", []):
        drawn[item["Name"]] = str(rng.choice(item["Values"]))
    return drawn


def scaled(ranges: dict, overrides: dict, step: str) -> dict:
    """The ranges with the local settings' scaled bounds or values (for a stand-in model)."""
    out = {kind: [dict(item) for item in items] for kind, items in ranges.items()}
    names = {item["Name"]: item for items in out.values() for item in items}
    for name, override in overrides.items():
        if name not in names:
            raise WiringError(f"step {step}: the local settings scale range {name}, which the step does not tune; it tunes {', '.join(names)}")
        item = names[name]
        if "values" in override:
            item["Values"] = [str(v) for v in override["values"]]
        item.update({key: str(override[source]) for key, source in (("MinValue", "min"), ("MaxValue", "max")) if source in override})
    return out


def run(local: "LocalRun", step: dict, result: StepResult) -> None:
    name = step["Name"]
    args = local.resolve(step["Arguments"], name)
    config = args["HyperParameterTuningJobConfig"]
    definition = args.get("TrainingJobDefinition")
    if definition is None:
        raise WiringError(f"step {name}: runs here with one TrainingJobDefinition; TrainingJobDefinitions is not supported locally")
    objective = config["HyperParameterTuningJobObjective"]
    metric, maximize = objective["MetricName"], objective["Type"] == "Maximize"
    limits = config["ResourceLimits"]
    total, parallel = int(limits["MaxNumberOfTrainingJobs"]), int(limits["MaxParallelTrainingJobs"])
    local_tuning = local.settings.tuning.get(name, {})
    ranges = scaled(config.get("ParameterRanges") or definition.get("HyperParameterRanges") or {}, local_tuning.get("ranges") or {}, name)
    rng = random.Random(local_tuning.get("seed", 0))
    execution = local.execution["PipelineExecutionId"]
    static = {k: as_text(v) for k, v in (definition.get("StaticHyperParameters") or {}).items()}
    request = {key: value for key, value in definition.items() if key not in ("StaticHyperParameters", "HyperParameterRanges", "DefinitionName", "TuningObjective")}

    jobs = []
    for batch in range(0, total, parallel):
        prepared = []
        for number in range(batch + 1, min(batch + parallel, total) + 1):
            tuned = sample(ranges, rng)
            job_name = f"{name}-{number:03d}-{execution}"
            job = training.prepare(local, name, job_name, {**request, "HyperParameters": {**static, **tuned}}, folder=f"{name}-{number:03d}")
            prepared.append((job, tuned))
        # The batch's jobs side by side, each with its instances.
        logs = local.execute_all(name, [run for job, _ in prepared for run in job.runs])
        at = 0
        for job, tuned in prepared:
            artifact, metrics = training.finish(local, job, logs[at])
            at += len(job.runs)
            if metric not in metrics:
                raise StepFailed(f"step {name}: training job {job.name} reported no {metric} (the objective metric); its log: {job.roots[next(iter(job.roots))] / 'log.txt'}")
            jobs.append({"trainingJobName": job.name, "hyperParameters": tuned, "objective": metrics[metric], "model": artifact})

    ranked = sorted(jobs, key=lambda j: -j["objective"] if maximize else j["objective"])
    best = ranked[0]
    props = {
        "HyperParameterTuningJobName": f"{name}-{execution}",
        "BestTrainingJob.TrainingJobName": best["trainingJobName"],
        "BestTrainingJob.FinalHyperParameterTuningJobObjectiveMetric.Value": best["objective"],
    }
    props.update({f"TrainingJobSummaries[{k}].TrainingJobName": j["trainingJobName"] for k, j in enumerate(ranked)})
    local.properties[name] = props
    result.metrics[metric] = best["objective"]
    result.outputs.update({"trainingJobs": jobs, "best": best["trainingJobName"], "model": best["model"], "seed": local_tuning.get("seed", 0)})
    if local_tuning.get("ranges"):
        result.outputs["scaledRanges"] = {"ranges": local_tuning["ranges"], "note": local_tuning.get("note")}
    if config.get("Strategy") == "Bayesian":
        result.outputs["substitutedBy"] = "random sampling with the step's seed: Bayesian optimization does not run here"
