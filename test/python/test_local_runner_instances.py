"""The local runner's jobs of several instances: side by side, one failing stops the others, the
instance count checked, and no two instances writing the same file of an output (a processing
output, the model folder)."""

from __future__ import annotations

import sys
import time

import pytest

from local_runner import runner as local
from local_runner.steps import processing


def test_one_instance_failing_stops_the_others_and_fails_the_job(tmp_path):
    run = local.LocalRun({"Steps": []}, tmp_path)
    began = time.monotonic()
    with pytest.raises(local.StepFailed) as failed:
        run.execute_all(
            "Train",
            [
                ([sys.executable, "-c", "import time; time.sleep(60)"], tmp_path, {}, tmp_path / "algo-1.txt"),
                ([sys.executable, "-c", "import sys; print('rank 1 broke'); sys.exit(3)"], tmp_path, {}, tmp_path / "algo-2.txt"),
            ],
        )
    assert time.monotonic() - began < 30
    message = str(failed.value)
    assert "was stopped: another instance of the job failed" in message
    assert "exited with 3" in message and "rank 1 broke" in message


def test_instances_run_side_by_side(tmp_path):
    run = local.LocalRun({"Steps": []}, tmp_path)
    began = time.monotonic()
    outputs = run.execute_all("P", [([sys.executable, "-c", f"import time; time.sleep(1); print({n})"], tmp_path, {}, tmp_path / f"{n}.txt") for n in range(3)])
    assert [o.strip() for o in outputs] == ["0", "1", "2"]
    assert time.monotonic() - began < 2.8


@pytest.mark.parametrize("count", [0, -1, "2", 1.5, True])
def test_an_instance_count_that_is_not_a_positive_whole_number_is_refused(tmp_path, count):
    with pytest.raises(local.WiringError, match=r"step Processing: an instance count of .* \(ProcessingResources.ClusterConfig.InstanceCount\) is not allowed"):
        local.LocalRun({"Steps": []}, tmp_path).hosts("Processing", count, "ProcessingResources.ClusterConfig.InstanceCount")


def test_sharded_files_are_dealt_in_key_order_and_two_instances_may_not_write_the_same_file(tmp_path):
    assert [processing.share(["c", "a", "d", "b", "e"], i, 2) for i in (0, 1)] == [["a", "c", "e"], ["b", "d"]]
    assert processing.share(["a"], 1, 3) == []
    run = local.LocalRun({"Steps": []}, tmp_path)
    roots = {host: tmp_path / host for host in ("algo-1", "algo-2")}
    for root in roots.values():
        (root / "processing" / "output" / "train").mkdir(parents=True)
        (root / "processing" / "output" / "train" / "train.jsonl").write_text("{}\n")
    item = {"OutputName": "sentiment-train", "S3Output": {"S3Uri": "s3://lake/run/train", "LocalPath": "/opt/ml/processing/output/train"}}
    with pytest.raises(local.WiringError, match=r"instances algo-1 and algo-2 both wrote train.jsonl to output sentiment-train \(s3://lake/run/train\)"):
        processing.upload(run, "Processing", roots, item)


def test_the_instances_files_of_one_output_are_listed_by_host_and_a_name_written_twice_is_refused(tmp_path):
    run = local.LocalRun({"Steps": []}, tmp_path)
    folders = {host: tmp_path / host / "model" for host in ("algo-1", "algo-2")}
    (folders["algo-1"] / "code").mkdir(parents=True)
    (folders["algo-1"] / "code" / "inference.py").write_text("")
    (folders["algo-1"] / "model.safetensors").write_text("")
    folders["algo-2"].mkdir(parents=True)
    assert [name for _, name in run.instance_files("Train", folders, "the model folder")] == ["code/inference.py", "model.safetensors"]
    (folders["algo-2"] / "model.safetensors").write_text("")
    with pytest.raises(local.WiringError, match=r"step Train: instances algo-1 and algo-2 both wrote model.safetensors to the model folder; one rank writes the model"):
        run.instance_files("Train", folders, "the model folder; one rank writes the model")


def _rendered_bert():
    import json

    from conftest import RENDERED_DIR

    return json.loads((RENDERED_DIR / "bert-sentiment.json").read_text())


@pytest.mark.parametrize(
    "name, value, reason",
    [
        ("ProcessingInstanceCount", "1000", r"step Processing puts it into ProcessingResources.ClusterConfig.InstanceCount, which takes from 1 to \d+ here \(SageMaker's limit 100;"),
        ("ProcessingInstanceCount", "0", r"step Processing puts it into ProcessingResources.ClusterConfig.InstanceCount, which takes from 1 to"),
        ("TrainInstanceCount", "64", r"step Train puts it into ResourceConfig.InstanceCount, which takes from 1 to \d+ here"),
        ("TrainInstanceCount", "0", r"step Train puts it into ResourceConfig.InstanceCount, which takes from 1 to \d+ here"),
        ("DeployInstanceCount", "-1", r"step Transform puts it into TransformResources.InstanceCount, which takes from 1 to \d+ here \(this machine"),
    ],
)
def test_every_parameter_is_checked_where_it_is_used_before_any_step_runs(tmp_path, name, value, reason):
    with pytest.raises(local.WiringError, match=rf"parameter {name}: {value} is not allowed: {reason}"):
        local.LocalRun(_rendered_bert(), tmp_path, parameters={name: value})
    assert not (tmp_path / "s3").exists() and not (tmp_path / "jobs").exists()  # nothing ran, no seed written


def test_the_instance_counts_this_machine_runs_pass(tmp_path):
    from local_runner.ranges import LOCAL_MAX_INSTANCES

    local.LocalRun(_rendered_bert(), tmp_path, parameters={"ProcessingInstanceCount": str(LOCAL_MAX_INSTANCES), "TrainInstanceCount": "2"})


def test_the_command_line_refuses_a_bad_value_with_exit_2_and_no_run(tmp_path, capsys):
    from conftest import RENDERED_DIR

    assert local.main(["bert-sentiment", "--param", "ProcessingInstanceCount=1000", "--work", str(tmp_path), "--definitions", str(RENDERED_DIR)]) == 2
    assert "pipeline:local: parameter ProcessingInstanceCount: 1000 is not allowed" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
