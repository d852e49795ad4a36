"""The Autopilot family's serving contract: its request and response adapters, each hop with the
Content-Type and Accept SageMaker gives it, and the three containers in order around a candidate
of the local search (which answers as Autopilot's candidates do: CSV in, the columns
SAGEMAKER_INFERENCE_OUTPUT names out).

The hops of one request:

    caller → request adapter    Content-Type application/jsonlines (batch) or application/json,
                                Accept text/csv (its default)
    → the candidate             Content-Type text/csv, Accept text/csv
    → response adapter          Content-Type text/csv, Accept the caller's
                                (application/jsonlines for batch: equal to the Content-Type)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

FAMILY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(FAMILY.parents[2] / "test" / "python"))
from family_runs import ROOT, json_lines as lines, load_module as load, package_code  # noqa: E402

sys.path.insert(0, str(ROOT / "pipeline-definitions" / "local_runner"))
import transform_job  # noqa: E402

JSONL = "application/jsonlines"
JSON = "application/json"
CSV = "text/csv"
OUTPUT = "predicted_label,probability,probabilities,labels"


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[str, Path]:
    """The adapters' archive as the PackageAdapters step builds it, and the best candidate of the
    local search on a small labelled CSV as the preparation writes it."""
    work = tmp_path_factory.mktemp("autopilot-serving")
    adapters = package_code(work, FAMILY / "code", ["request_adapter.py", "response_adapter.py"])
    data = work / "input"
    data.mkdir()
    examples = [("1", "I love it, it fits perfectly", "Dresses"), ("1", "Love this dress, great fit", "Dresses"), ("-1", "Poor quality, returned it", "Knits"), ("-1", "Terrible, I returned it", "Knits"), ("0", "It is okay", "Blouses"), ("0", "Okay, nothing special", "Blouses")]
    (data / "train.csv").write_text("review_body,product_category,sentiment\n" + "".join(f'"{t}",{c},{s}\n' for s, t, c in examples * 10))
    search = load(FAMILY / "local" / "candidate_search.py", "candidate_search")
    best = search.run(search.parse_args(["--input", str(data), "--output", str(work / "automl"), "--target", "sentiment", "--problem-type", "MulticlassClassification", "--objective", "Accuracy", "--max-candidates", "3"]))
    return {"adapters": adapters, "candidate": work / "automl" / best["InferenceContainer"]["ModelDataUrl"], "environment": best["InferenceContainer"]["Environment"], "work": work}


@pytest.fixture(scope="module")
def containers(archives) -> list[transform_job.Container]:
    """The three containers in order, with the environments the pipeline gives them."""
    work = archives["work"] / "containers"
    candidate_environment = {**archives["environment"], "SAGEMAKER_INFERENCE_OUTPUT": OUTPUT, "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": CSV}
    return [
        transform_job.Container(archives["adapters"], work / "0", {"SAGEMAKER_PROGRAM": "request_adapter.py", "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": CSV}),
        transform_job.Container(archives["candidate"], work / "1", candidate_environment),
        transform_job.Container(archives["adapters"], work / "2", {"SAGEMAKER_PROGRAM": "response_adapter.py"}),
    ]


def hop(container: transform_job.Container, body: bytes, content_type: str | None, accept: str | None) -> tuple[str, str]:
    with container.environ():
        return transform_job.invoke(container.handlers, container.loaded, body, content_type, accept)


def test_the_request_adapter_writes_the_candidates_csv_rows_with_each_records_category(containers):
    answered, body = hop(containers[0], lines({"review_body": "Great fit, \"love\" it", "product_category": "Dresses"}, {"features": ["Too\nsmall"]}), JSONL, CSV)
    assert answered == CSV
    assert body == '"Great fit, ""love"" it",Dresses\nToo small,\n'


@pytest.mark.parametrize(
    "body, content_type, accept, status, words",
    [
        (b'{"review_body": "ok"}\n', None, CSV, 415, "no content type"),
        (b"ok", "text/plain", CSV, 415, "not supported"),
        (b'{"review_body": "ok"}\nnot json\n{"title": 1}\n', JSONL, CSV, 400, "2 of 3 records cannot be scored"),
        (b"\n", JSONL, CSV, 400, "the request has no records"),
    ],
)
def test_the_request_adapter_refuses_a_bad_request_as_a_whole_naming_the_problem(containers, body, content_type, accept, status, words):
    handlers = containers[0].handlers
    with pytest.raises(Exception) as refused:
        handlers.output_fn(handlers.predict_fn(handlers.input_fn(body, content_type)), accept)
    assert getattr(refused.value, "status_code", None) == status
    assert words in str(refused.value)


def test_the_request_adapter_answers_csv_whatever_accept_reaches_it(containers):
    """Which Accept SageMaker gives a container before the last is not checked here: the candidate reads CSV alone."""
    handlers = containers[0].handlers
    assert handlers.output_fn(handlers.predict_fn(handlers.input_fn(b'{"review_body": "ok"}', JSONL)), JSONL) == "ok,\n"


def test_the_candidate_answers_every_column_the_model_asks_for(containers):
    answered, body = hop(containers[1], b'"Love this dress, great fit",Dresses\n', CSV, CSV)
    assert answered == CSV
    label, probability, probabilities, labels = next(iter(__import__("csv").reader([body])))
    assert label == "1" and labels == "['-1', '0', '1']" and float(probability) == max(json.loads(probabilities))


def test_the_response_adapter_answers_the_contract_in_the_contracts_label_order(containers):
    body = "0,0.7,\"[0.2, 0.7, 0.1]\",\"['-1', '0', '1']\"\n1,0.9,\"[0.1, 0.9]\",\"['0', '1']\"\n"
    answered, text = hop(containers[2], body.encode(), CSV, JSONL)
    assert answered == JSONL
    first, second = [json.loads(line) for line in text.splitlines()]
    assert first == {"predicted_label": 0, "confidence": 0.7, "probabilities": {"-1": 0.2, "0": 0.7, "1": 0.1}}
    # A label the candidate did not return has probability 0.
    assert second == {"predicted_label": 1, "confidence": 0.9, "probabilities": {"-1": 0.0, "0": 0.1, "1": 0.9}}


def test_a_row_it_cannot_read_is_an_error_record_in_its_place(containers):
    body = "1,0.9,\"[0.1, 0.9]\",\"['0', '1']\"\n1\n1,0.9,\"[0.9]\",\"['7']\"\n1,0.9,nope,\"['1']\"\n"
    answers = [json.loads(line) for line in hop(containers[2], body.encode(), CSV, JSONL)[1].splitlines()]
    assert answers[0]["predicted_label"] == 1
    assert answers[1]["error"].startswith("row 2: 1 columns, expected 4") and "SAGEMAKER_INFERENCE_OUTPUT" in answers[1]["error"]
    assert answers[2] == {"error": "row 3: label '7' is not one of the contract's labels (-1, 0, 1)"}
    assert answers[3] == {"error": "row 4: probabilities 'nope' is not a list"}


def test_the_response_adapter_refuses_what_is_not_the_candidates_csv(containers):
    with pytest.raises(Exception) as refused:
        containers[2].handlers.input_fn(b"[]", JSON)
    assert getattr(refused.value, "status_code", None) == 415 and "not the candidate's answer" in str(refused.value)


def test_without_its_inference_output_the_candidate_answers_the_label_alone_and_the_adapter_says_so(archives):
    """The candidate answers predicted_label alone unless SAGEMAKER_INFERENCE_OUTPUT says more: why the model sets it."""
    work = archives["work"] / "default-output"
    plain = transform_job.Container(archives["candidate"], work, archives["environment"])
    _, body = hop(plain, b"Great fit,Dresses\n", CSV, CSV)
    assert body.strip() == "1"


def test_the_three_containers_in_order_answer_as_every_family_does(containers, monkeypatch):
    """A batch transform mini-batch through the serial pipeline, each hop's headers recorded."""
    hops = []
    real = transform_job.invoke

    def recorded(handlers, loaded, body, content_type, accept):
        answered, answer = real(handlers, loaded, body, content_type, accept)
        hops.append((content_type, accept, answered))
        return answered, answer

    monkeypatch.setattr(transform_job, "invoke", recorded)
    body = lines({"review_body": "Love this dress, great fit", "product_category": "Dresses"}, {"review_body": "Terrible, I returned it"})
    answered, text = transform_job.invoke_serial(containers, body, JSONL, JSONL)
    assert hops == [(JSONL, CSV, CSV), (CSV, CSV, CSV), (CSV, JSONL, JSONL)]
    good, bad = [json.loads(line) for line in text.splitlines()]
    assert good["predicted_label"] == 1 and bad["predicted_label"] == -1
    for answer in (good, bad):
        assert set(answer) == {"predicted_label", "confidence", "probabilities"}
        assert answer["confidence"] == max(answer["probabilities"].values())


def test_an_endpoint_caller_gets_the_contracts_json_through_the_three_containers(containers):
    answered, body = transform_job.invoke_serial(containers, json.dumps({"review_body": "Love this dress, great fit"}).encode(), JSON, JSON)
    assert answered == JSON
    assert json.loads(body)["predicted_label"] == 1
