"""The executors of the local runner, one module per step type, registered by the step's ``Type``.

An executor is ``run(local, step, result)``: ``local`` is the :class:`~local_runner.runner.LocalRun`
(values, S3 and container paths, job folders, commands, the stand-ins), ``step`` the step as
rendered, ``result`` its report entry (outputs, metrics, status). It sets the step's properties in
``local.properties`` and returns the steps to run next (a Condition's branch) or None. It raises
WiringError for wiring the runner cannot follow and StepFailed when the step's program fails.

A step that the local settings substitute runs :func:`substituted.run` whatever its type
(ClarifyCheck and QualityCheck have no executor of their own: their services do not run here).
"""

from __future__ import annotations

from local_runner.steps import condition, fail, model, processing, register_model, substituted, training, transform

EXECUTORS = {
    "Processing": processing.run,
    "Training": training.run,
    "Model": model.run,
    "Transform": transform.run,
    "RegisterModel": register_model.run,
    "Condition": condition.run,
    "Fail": fail.run,
}

__all__ = ["EXECUTORS", "substituted"]
