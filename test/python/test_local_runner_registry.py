"""The local runner finds its executors by step type: a module of ``local_runner/steps`` with
``STEP_TYPE`` and ``run``; a new step type is a new module, and two executors of one type are refused."""

from __future__ import annotations

import sys
import types

import pytest

import local_runner.steps as steps


def test_every_step_type_of_the_definitions_has_its_executor():
    assert sorted(steps.EXECUTORS) == ["AutoML", "Condition", "Fail", "Model", "Processing", "RegisterModel", "Training", "Transform", "Tuning"]
    assert steps.EXECUTORS["Processing"].__module__ == "local_runner.steps.processing"


def test_a_second_executor_of_a_step_type_is_refused_naming_both(monkeypatch):
    twin = types.ModuleType("local_runner.steps.twin")
    twin.STEP_TYPE, twin.run = "Processing", lambda local, step, result: None
    monkeypatch.setitem(sys.modules, "local_runner.steps.twin", twin)
    real = steps.pkgutil.iter_modules

    def with_twin(path):
        yield from real(path)
        yield types.SimpleNamespace(name="twin")

    monkeypatch.setattr(steps.pkgutil, "iter_modules", with_twin)
    with pytest.raises(ImportError, match="step type Processing has two executors, local_runner.steps.processing and local_runner.steps.twin"):
        steps._executors()
