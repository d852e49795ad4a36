"""The BlazingText family's serving contract: its request and response adapters, each hop with
the Content-Type and Accept SageMaker gives it, and the three containers in order, BlazingText's
answered by the local stand-in (fastText with BlazingText's formats) from a tiny model trained
here.

The hops of one request (a serial inference pipeline: each container's answer is the next one's
request, in the content type it answered in; a container before the last answers in its
SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT, the last in the caller's Accept):

    caller → request adapter    Content-Type application/jsonlines (batch) or application/json,
                                Accept application/json (its default)
    → BlazingText               Content-Type application/json, Accept application/json
    → response adapter          Content-Type application/json, Accept the caller's
                                (application/jsonlines for batch: equal to the Content-Type)
"""

from __future__ import annotations

import json
import sys
import tarfile
from pathlib import Path

import pytest

FAMILY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(FAMILY.parents[2] / "test" / "python"))
from family_runs import ROOT, json_lines as lines, load_module as load, package_code  # noqa: E402

sys.path.insert(0, str(ROOT / "pipeline-definitions" / "local_runner"))
import transform_job  # noqa: E402

JSONL = "application/jsonlines"
JSON = "application/json"
TEXTS = ["I love this dress, it fits perfectly!", "Poor quality. I returned it.", "It is okay, nothing special."]


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> dict[str, Path]:
    """The adapters' archive as the PackageAdapters step builds it, and a tiny BlazingText-format
    model (model.bin) trained by the stand-in's fastText on labelled lines as the preparation
    writes them."""
    work = tmp_path_factory.mktemp("blazingtext-serving")
    adapters = package_code(work, FAMILY / "code", ["request_adapter.py", "response_adapter.py", "tokens.py"])
    tokens = load(FAMILY / "code" / "tokens.py", "tokens")
    lines_file = work / "train.txt"
    examples = [(1, "I love it, it fits perfectly"), (1, "Love this dress, great fit"), (-1, "Poor quality, returned it"), (-1, "Terrible, I returned it"), (0, "It is okay"), (0, "Okay, nothing special")]
    lines_file.write_text("".join(tokens.training_line(s, t) + "\n" for s, t in examples * 20))
    import fasttext

    model_dir = work / "model"
    model_dir.mkdir()
    fasttext.train_supervised(input=str(lines_file), epoch=25, lr=0.5, wordNgrams=2, minCount=1, thread=1, seed=1, verbose=0).save_model(str(model_dir / "model.bin"))
    algorithm = work / "algorithm.tar.gz"
    with tarfile.open(algorithm, "w:gz") as tar:
        tar.add(model_dir / "model.bin", arcname="model.bin")
    return {"adapters": adapters, "algorithm": algorithm, "work": work}


@pytest.fixture(scope="module")
def containers(archives) -> list[transform_job.Container]:
    """The three containers in order, with the environments the pipeline gives them."""
    work = archives["work"] / "containers"
    return [
        transform_job.Container(archives["adapters"], work / "0", {"SAGEMAKER_PROGRAM": "request_adapter.py", "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": JSON}),
        transform_job.Container(archives["algorithm"], work / "1", {"SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": JSON}, str(FAMILY / "local" / "blazingtext_serving.py")),
        transform_job.Container(archives["adapters"], work / "2", {"SAGEMAKER_PROGRAM": "response_adapter.py"}),
    ]


def hop(container: transform_job.Container, body: bytes, content_type: str | None, accept: str | None) -> tuple[str, str]:
    return transform_job.invoke(container.handlers, container.loaded, body, content_type, accept)


def test_the_adapters_archive_carries_both_adapters_the_normalisation_and_the_serving_code(archives):
    with tarfile.open(archives["adapters"]) as tar:
        names = sorted(tar.getnames())
    assert names == sorted(f"code/{n}" for n in ("request_adapter.py", "response_adapter.py", "tokens.py", "serving.py", "contract.py", "contract.json"))


def test_the_request_adapter_turns_batch_json_lines_into_blazingtexts_json_with_every_label(containers):
    answered, body = hop(containers[0], lines(*({"review_body": t} for t in TEXTS)), JSONL, JSON)
    assert answered == JSON
    request = json.loads(body)
    assert request["configuration"] == {"k": 3}
    # Normalised as training normalised it: lower case, words and marks as tokens.
    assert request["instances"][0] == "i love this dress , it fits perfectly !"
    assert len(request["instances"]) == 3


def test_the_request_adapter_reads_a_json_document_and_every_text_field_of_the_contract(containers):
    _, body = hop(containers[0], json.dumps([{"features": ["Great"]}, "Awful", {"review_body": "Fine"}]).encode(), JSON, JSON)
    assert json.loads(body)["instances"] == ["great", "awful", "fine"]


@pytest.mark.parametrize(
    "body, content_type, accept, status, words",
    [
        (b'{"review_body": "ok"}\n', None, JSON, 415, "no content type"),
        (b"ok", "text/csv", JSON, 415, "not supported"),
        (b'{"review_body": "ok"}\nnot json\n{"title": 1}\n', JSONL, JSON, 400, "line 2: not JSON"),
        (b'{"review_body": "ok"}\n', JSONL, "text/csv", 406, "accept type 'text/csv' is not supported"),
        (b"\n\n", JSONL, JSON, 400, "the request has no records"),
        (b"[1, 2", JSON, JSON, 400, "not one JSON document"),
    ],
)
def test_the_request_adapter_refuses_a_bad_request_as_a_whole_naming_the_problem(containers, body, content_type, accept, status, words):
    handlers = containers[0].handlers
    with pytest.raises(Exception) as refused:
        handlers.output_fn(handlers.predict_fn(handlers.input_fn(body, content_type), containers[0].loaded), accept)
    assert getattr(refused.value, "status_code", None) == status
    assert words in str(refused.value)


def test_should_the_callers_json_lines_accept_reach_it_it_answers_blazingtexts_json_lines_form(containers):
    """Which Accept SageMaker gives a container before the last is not checked here: the adapter
    answers either of BlazingText's forms, as its Accept says."""
    answered, body = hop(containers[0], lines({"review_body": "Great fit"}, {"review_body": "Bad"}), JSONL, JSONL)
    assert answered == JSONL
    assert [json.loads(line) for line in body.splitlines()] == [{"source": "great fit", "k": 3}, {"source": "bad", "k": 3}]


def test_the_normalisation_is_unicode_stable_and_keeps_no_label_token():
    tokens = load(FAMILY / "code" / "tokens.py", "tokens_under_test")
    assert tokens.normalise("Cafe\u0301 CAFÉ") == tokens.normalise("café café") == "café café"
    assert tokens.normalise("nice __label__1 dress") == "nice dress"
    assert tokens.training_line(-1, "Too small!") == "__label__-1 too small !"


def test_a_request_with_one_unscorable_record_names_every_such_record(containers):
    handlers = containers[0].handlers
    with pytest.raises(Exception) as refused:
        handlers.input_fn(lines({"review_body": "ok"}, {"title": 1}, {"review_body": 7}), JSONL)
    message = str(refused.value)
    assert "2 of 3 records cannot be scored" in message and "line 2:" in message and "line 3:" in message


def test_blazingtext_answers_every_label_most_likely_first(containers):
    _, request = hop(containers[0], lines({"review_body": "Love this dress, great fit"}), JSONL, JSON)
    answered, body = hop(containers[1], request.encode(), JSON, JSON)
    assert answered == JSON
    [item] = json.loads(body)
    assert sorted(item["label"]) == ["__label__-1", "__label__0", "__label__1"]
    assert item["label"][0] == "__label__1" and item["prob"] == sorted(item["prob"], reverse=True)


def test_the_response_adapter_answers_the_contract_in_the_contracts_label_order(containers):
    blazingtext = [{"label": ["__label__0", "__label__-1", "__label__1"], "prob": [0.7, 0.2, 0.1]}, {"label": ["__label__1"], "prob": [0.9]}]
    answered, body = hop(containers[2], json.dumps(blazingtext).encode(), JSON, JSONL)
    assert answered == JSONL
    first, second = [json.loads(line) for line in body.splitlines()]
    assert first == {"predicted_label": 0, "confidence": 0.7, "probabilities": {"-1": 0.2, "0": 0.7, "1": 0.1}}
    # A label BlazingText did not return has probability 0.
    assert second == {"predicted_label": 1, "confidence": 0.9, "probabilities": {"-1": 0.0, "0": 0.0, "1": 0.9}}
    assert list(first["probabilities"]) == ["-1", "0", "1"]


def test_the_response_adapter_reads_blazingtexts_json_lines_form_too(containers):
    body = b'{"label": ["__label__-1"], "prob": [0.8]}\n{"label": ["__label__0"], "prob": [0.6]}\n'
    answers = [json.loads(line) for line in hop(containers[2], body, JSONL, JSONL)[1].splitlines()]
    assert [a["predicted_label"] for a in answers] == [-1, 0]


def test_the_response_adapter_answers_json_as_an_object_for_one_answer_and_an_array_for_more(containers):
    one = json.dumps([{"label": ["__label__-1"], "prob": [0.8]}]).encode()
    assert json.loads(hop(containers[2], one, JSON, JSON)[1])["predicted_label"] == -1
    two = json.dumps([{"label": ["__label__-1"], "prob": [0.8]}] * 2).encode()
    assert len(json.loads(hop(containers[2], two, JSON, JSON)[1])) == 2


@pytest.mark.parametrize(
    "body, content_type, status, words",
    [
        (b'[{"label": ["__label__1"], "prob": [1.0]}]', "text/csv", 415, "not BlazingText's answer"),
        (b"[{", JSON, 400, "not JSON"),
        (b'{"label": []}', JSON, 400, "not a list"),
    ],
)
def test_the_response_adapter_refuses_what_is_not_blazingtexts_answer(containers, body, content_type, status, words):
    handlers = containers[2].handlers
    with pytest.raises(Exception) as refused:
        handlers.input_fn(body, content_type)
    assert getattr(refused.value, "status_code", None) == status and words in str(refused.value)


def test_an_answer_it_cannot_read_is_an_error_record_in_its_place(containers):
    body = json.dumps(
        [{"label": ["__label__1"], "prob": [0.9]}, {"label": ["__label__7"], "prob": [0.9]}, {"prob": [1]}, {"label": [], "prob": []}, {"label": ["__label__0"], "prob": [None]}]
    ).encode()
    answers = [json.loads(line) for line in hop(containers[2], body, JSON, JSONL)[1].splitlines()]
    assert answers[0]["predicted_label"] == 1
    assert answers[1] == {"error": "item 2: label '__label__7' is not one of the contract's labels (-1, 0, 1)"}
    assert answers[2]["error"].startswith("item 3:")
    assert answers[3] == {"error": "item 4: BlazingText returned no label"}
    assert answers[4] == {"error": "item 5: the probability of __label__0 is null, not a number"}


def test_the_three_containers_in_order_answer_as_every_family_does(containers, monkeypatch):
    """A batch transform mini-batch through the serial pipeline, each hop's headers recorded."""
    hops = []
    real = transform_job.invoke

    def recorded(handlers, loaded, body, content_type, accept):
        answered, answer = real(handlers, loaded, body, content_type, accept)
        hops.append((content_type, accept, answered))
        return answered, answer

    monkeypatch.setattr(transform_job, "invoke", recorded)
    answered, body = transform_job.invoke_serial(containers, lines({"review_body": "Love this dress, great fit"}, {"review_body": "Terrible, I returned it"}), JSONL, JSONL)
    assert hops == [(JSONL, JSON, JSON), (JSON, JSON, JSON), (JSON, JSONL, JSONL)]
    assert answered == JSONL
    good, bad = [json.loads(line) for line in body.splitlines()]
    assert good["predicted_label"] == 1 and bad["predicted_label"] == -1
    for answer in (good, bad):
        assert set(answer) == {"predicted_label", "confidence", "probabilities"}
        assert answer["confidence"] == max(answer["probabilities"].values())
        assert abs(sum(answer["probabilities"].values()) - 1) < 0.01


def test_the_three_containers_answer_alike_should_every_container_get_the_callers_accept(containers):
    """Were SageMaker to give every container the caller's Accept (JSON Lines, batch transform's),
    the hops would carry BlazingText's JSON Lines form, and the answer would be the same."""
    body = lines({"review_body": "Love this dress, great fit"}, {"review_body": "Terrible, I returned it"})
    expected = transform_job.invoke_serial(containers, body, JSONL, JSONL)[1]
    for container in containers:
        answered, body = hop(container, body if isinstance(body, bytes) else body.encode(), answered if container is not containers[0] else JSONL, JSONL)
    assert answered == JSONL
    assert body == expected


def test_an_endpoint_caller_gets_the_contracts_json_through_the_three_containers(containers):
    answered, body = transform_job.invoke_serial(containers, json.dumps({"review_body": "Love this dress, great fit"}).encode(), JSON, JSON)
    assert answered == JSON
    assert json.loads(body)["predicted_label"] == 1
