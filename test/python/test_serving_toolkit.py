"""The serving contract through the serving containers' own toolkits.

The model artifact is made as training leaves it (train.save: the tiny model, its tokenizer and
``code/`` = conftest.MODEL_CODE), packed as model.tar.gz and extracted as the container extracts
it. One Python process (the DRIVER below, a fresh interpreter outside the repository, as in the
container) then serves it as the Hugging Face inference image does: multi-model-server's own
model loader imports ``sagemaker_huggingface_inference_toolkit.handler_service`` (the versions of
requirements-dev.txt / requirements-reference.txt: those of the image in dsl/images.ts), whose
single class, HuggingFaceHandlerService, gets the model server's Context (system properties
``model_dir``, ``gpu_id``, ``batch_size``) and loads ``code/inference.py`` by SAGEMAKER_PROGRAM;
each request is framed as the model server's frontend sends it to its Python worker, decoded by
the worker's own protocol code and answered by ``mms.service.Service.predict``, which calls the
handler service's ``handle(data, context)``; the answer frame gives the status, the message, the
response content type and the body. The same process calls the handlers directly on some bodies,
and runs the local runner's batch transform (transform_job.py) on a test split, for comparison.

The requests are those of callers and of batch transform (MultiRecord mini-batches of JSON lines):
see requests_for. The facts relied on (toolkit 2.5.0, sagemaker-inference 1.10.1, MMS 1.1.11): the
handler service turns a missing or ``*/*`` Accept into ``application/json`` and labels the
response with it; it decodes ``application/json`` (and ``text/csv``) bodies to text, others stay
bytes; a missing Content-Type reaches input_fn as None; any exception of the handlers becomes
``PredictionException(str(error), 400)``, which the worker answers with that status and message.

The last test runs train.py's argument handling through sagemaker-training's mapping of the
training step's hyperparameters and of the SM_* variables.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from conftest import CODE_DIR, CODE_PATH, MODEL_CODE, RENDERED_DIR, ROOT, TINY_MAX_SEQ_LENGTH, bert

pytest.importorskip("sagemaker_huggingface_inference_toolkit", reason="the Hugging Face inference toolkit (requirements-reference.txt) is not installed")
pytest.importorskip("mms", reason="multi-model-server (requirements-dev.txt) is not installed")

JSONL = "application/jsonlines"
JSON = "application/json"
HANDLER = "sagemaker_huggingface_inference_toolkit.handler_service"
SPREAD = 40.0  # the tiny model's classifier scaled up (see model_archive)
TEXTS = ["I love this dress, it fits perfectly", "Poor quality, returned it", "It is fine I guess", "Runs large, order a size down"]

# The model server's Python side, as the inference image runs it. argv: spec.json result.json.
DRIVER = r'''
import io, json, os, struct, sys, time, traceback
os.environ.setdefault("MMS_DECODE_INPUT_REQUEST", "false")  # sagemaker-inference's default-mms.properties: decode_input_request=false
from mms.model_loader import ModelLoaderFactory
from mms.protocol.otf_message_handler import retrieve_msg

spec = json.load(open(sys.argv[1]))
result = {"requests": {}, "direct": {}}

def blob(data):
    return struct.pack("!i", len(data)) + data

def frame(request_id, headers, body):
    """An inference request as the frontend writes it to the worker (MMS's OTF protocol)."""
    message = b"I" + blob(request_id.encode())
    for name, value in headers.items():
        message += blob(name.encode()) + blob(value.encode())
    message += struct.pack("!i", -1)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    message += blob(b"body") + blob(content_type.encode()) + blob(body)
    message += struct.pack("!i", -1) + struct.pack("!i", -1)
    return message

class Socket:
    def __init__(self, data):
        self.data = io.BytesIO(data)
    def recv(self, size):
        return self.data.read(size)

def unframe(message):
    """The worker's answer frame: overall code and message; per request its content type, status, headers, body."""
    position = 0
    def integer():
        nonlocal position
        value = struct.unpack_from("!i", message, position)[0]
        position += 4
        return value
    def data():
        nonlocal position
        size = integer()
        value = bytes(message[position:position + size])
        position += size
        return value
    code, text = integer(), data().decode()
    answers = []
    while True:
        size = integer()
        if size == -1:
            break
        position += size  # the request id
        content_type = data().decode()
        status, _phrase = integer(), data()
        headers = {data().decode(): data().decode() for _ in range(integer())}
        answers.append({"content_type": content_type, "status": status, "headers": headers, "body": data().decode("utf-8", "replace")})
    return code, text, answers

started = time.perf_counter()
# What the worker does on the frontend's load command (mms.model_service_worker.load_model): CPU, gpu None.
service = ModelLoaderFactory.get_model_loader(spec["model_dir"]).load("model", spec["model_dir"], spec["handler"], None, 1)
result["load_seconds"] = time.perf_counter() - started
result["torch_threads"] = sys.modules["torch"].get_num_threads()
result["entry_point"] = type(service._entry_point.__self__).__module__ + "." + type(service._entry_point.__self__).__qualname__
for number, request in enumerate(spec["requests"]):
    body = request["body"].encode("utf-8") if "body" in request else bytes.fromhex(request["body_hex"])
    cmd, batch = retrieve_msg(Socket(frame(f"request-{number}", request["headers"], body)))
    started = time.perf_counter()
    code, text, answers = unframe(service.predict(batch))
    result["requests"][request["name"]] = {"code": code, "message": text, **answers[0], "seconds": time.perf_counter() - started}
handlers = sys.modules["inference"]  # the module the handler service imported from the model's code/
result["inference_file"] = handlers.__file__
result["contract_file"] = sys.modules["contract"].__file__
loaded = service._entry_point.__self__.model
for call in spec["direct"]:
    try:
        records = handlers.input_fn(call["body"].encode("utf-8"), call["content_type"])
        result["direct"][call["name"]] = {"body": handlers.output_fn(handlers.predict_fn(records, loaded), call["accept"])}
    except Exception as error:
        result["direct"][call["name"]] = {"error": type(error).__name__, "status_code": getattr(error, "status_code", None), "message": str(error)}
if spec.get("transform"):
    sys.path.insert(0, spec["transform"]["runner_dir"])
    import transform_job
    out = io.StringIO()
    sys.stdout, stdout = out, sys.stdout
    try:
        from pathlib import Path
        arguments = spec["transform"]["args"]
        transform_job.run(*map(Path, arguments[:3]), *arguments[3:])
    finally:
        sys.stdout = stdout
    result["transform"] = json.loads(out.getvalue().splitlines()[-1])
json.dump(result, open(sys.argv[2], "w"))
'''


def lines(*records) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def request(name: str, body: str, content_type: str | None = JSONL, accept: str | None = JSONL, headers: dict | None = None) -> dict:
    sent = dict(headers or {})
    if content_type is not None:
        sent["Content-Type"] = content_type
    if accept is not None:
        sent["Accept"] = accept
    return {"name": name, "body": body, "headers": sent}


def mini_batch_records(test_split: Path, count: int) -> list[str]:
    """Records as batch transform sends them: lines of the test split (InputFilter $)."""
    return test_split.read_text(encoding="utf-8").splitlines()[:count]


def requests_for(test_split: Path) -> list[dict]:
    one = {"features": [TEXTS[0]]}
    batch = mini_batch_records(test_split, 40)  # more than inference.BATCH_SIZE: two model batches
    bad = [lines({"review_body": TEXTS[0]}).strip(), "{not json", lines({"features": [TEXTS[1]]}).strip(), '{"features": []}', '{"review_body": 5}', '{"features": [{"text": "x"}]}', "[1, 2]", '{"title": "no text field"}', json.dumps(TEXTS[2])]
    return [
        request("one-line", lines(one)),
        request("mini-batch", "\n".join(batch)),  # SplitType Line, MultiRecord: the records joined by newlines
        request("mini-batch-mixed-shapes", lines({"features": [TEXTS[0]]}, {"review_body": TEXTS[1]}, TEXTS[2], {"features": TEXTS[3]})),
        request("json-object", json.dumps({"review_body": TEXTS[1]}), JSON, JSON),
        request("json-array", json.dumps([{"features": [t]} for t in TEXTS[:3]]), JSON, JSON),
        request("json-pretty-object", json.dumps({"review_body": TEXTS[1]}, indent=2), JSON, JSON),
        request("json-pretty-array", json.dumps([{"features": [TEXTS[0]]}, {"review_body": TEXTS[1]}, {"features": []}], indent=2), JSON, JSON),
        request("json-array-to-lines", json.dumps([{"features": [t]} for t in TEXTS[:3]]), JSON, JSONL),
        request("lines-to-json", lines(*({"features": [t]} for t in TEXTS[:3])), JSONL, JSON),
        request("no-accept-one-line", lines(one), accept=None),
        request("no-accept-lines", lines(*({"features": [t]} for t in TEXTS[:3])), accept=None),
        request("any-accept-lines", lines(*({"features": [t]} for t in TEXTS[:3])), accept="*/*"),
        request("any-accept-json-object", json.dumps({"review_body": TEXTS[1]}), JSON, "*/*"),
        request("blank-line", f'{json.dumps(one)}\n\n{json.dumps({"review_body": TEXTS[1]})}\n   \r\n{json.dumps(TEXTS[2])}\n'),
        request("bad-line", "\n".join(bad)),
        request("empty-features", '{"features": []}\n'),
        request("non-text-feature", lines({"review_body": 42}, {"features": [None]})),
        request("charset-parameter", lines(one), "application/jsonlines; charset=utf-8", "application/jsonlines; charset=utf-8"),
        request("lowercase-headers", lines(one), None, None, {"content-type": JSONL, "accept": JSONL}),
        request("no-content-type", lines(one), None),
        request("csv", TEXTS[0], "text/csv"),
        request("octet-stream", lines(one), "application/octet-stream"),
        request("unsupported-accept", lines(one), JSONL, "text/csv"),
        request("json-not-a-document", lines(one, one), JSON, JSON),
        request("json-empty", "", JSON, JSON),
    ]


DIRECT = [
    # (name, request name whose body is sent, content type, accept)
    ("mini-batch", "mini-batch", JSONL, JSONL),
    ("bad-line", "bad-line", JSONL, JSONL),
    ("json-array", "json-array", JSON, JSON),
    ("no-accept", "no-accept-lines", JSONL, None),
    ("any-accept", "any-accept-lines", JSONL, "*/*"),
    ("any-accept-json", "any-accept-json-object", JSON, "*/*"),
    ("csv", "csv", "text/csv", JSONL),
    ("no-content-type", "no-content-type", None, JSONL),
]


@pytest.fixture(scope="module")
def model_archive(tmp_path_factory, tiny_pretrained) -> Path:
    """model.tar.gz as the training job leaves it: train.save of the tiny model (the fine-tuning
    itself is the training tests' subject), packed as SageMaker packs /opt/ml/model."""
    import torch
    from transformers import AutoTokenizer, RobertaForSequenceClassification

    train = bert("train")
    work = tmp_path_factory.mktemp("toolkit-model")
    model = RobertaForSequenceClassification.from_pretrained(tiny_pretrained, num_labels=train.NUM_LABELS)
    with torch.no_grad():  # answers that differ by text (the untrained head is nearly uniform), so a shifted answer shows
        model.classifier.out_proj.weight *= SPREAD
        model.classifier.out_proj.bias *= SPREAD
    model.config.id2label, model.config.label2id = train.label_maps()
    tokenizer = AutoTokenizer.from_pretrained(tiny_pretrained)
    tokenizer.model_max_length = TINY_MAX_SEQ_LENGTH  # what train.train stores: the length trained on
    train.save(model, tokenizer, str(work / "model"))
    with tarfile.open(work / "model.tar.gz", "w:gz") as tar:
        for path in sorted((work / "model").iterdir()):
            tar.add(path, arcname=path.name)
    return work / "model.tar.gz"


def rendered_definition() -> dict:
    path = RENDERED_DIR / "bert-sentiment.json"
    assert path.exists(), f"{path} is missing: `npm test` renders the pipeline definitions before the Python tests"
    return json.loads(path.read_text())


def rendered_serving() -> tuple[dict, list[str]]:
    """The serving environment of the rendered pipeline's model (CreateModel's container) and the
    Transform step's mini-batching and timeout, as transform_job.py's last three arguments."""
    from local_runner.values import all_steps

    steps = {step["Name"]: step for step in all_steps(rendered_definition()["Steps"])}
    environment = steps["CreateModel"]["Arguments"]["PrimaryContainer"]["Environment"]
    transform = steps["Transform"]["Arguments"]
    return environment, [transform["BatchStrategy"], str(transform["MaxPayloadInMB"]), str(transform["ModelClientConfig"]["InvocationsTimeoutInSeconds"])]


@pytest.fixture(scope="module")
def served(tmp_path_factory, model_archive, test_split_dir) -> dict:
    """Every request of REQUESTS through the model server and the toolkit, the DIRECT calls, and the
    local transform of a test split; one process."""
    work = tmp_path_factory.mktemp("toolkit-serving")
    model_dir = work / "opt" / "ml" / "model"  # where the container extracts model.tar.gz
    model_dir.mkdir(parents=True)
    with tarfile.open(model_archive) as tar:
        tar.extractall(model_dir, filter="data")
    requests = requests_for(test_split_dir / "test.jsonl")
    bodies = {r["name"]: r["body"] for r in requests}
    transform_input = work / "transform-input"
    transform_input.mkdir()
    # The test split with a record that cannot be scored in the middle (still a JSON object, so batch transform can join it).
    split = mini_batch_records(test_split_dir / "test.jsonl", 30)
    unscorable = json.loads(split[10])
    unscorable["review_body"] = 7
    split[10] = json.dumps(unscorable)
    (transform_input / "test.jsonl").write_text("\n".join(split) + "\n")
    environment, transform_limits = rendered_serving()
    spec = {
        "model_dir": str(model_dir),
        "handler": HANDLER,
        "requests": requests,
        "direct": [{"name": name, "body": bodies[source], "content_type": ct, "accept": accept} for name, source, ct, accept in DIRECT],
        "transform": {
            "runner_dir": str(ROOT / "pipeline-definitions" / "local_runner"),
            "args": [str(model_archive), str(transform_input), str(work / "transform-output"), JSONL, JSONL, "Input", *transform_limits],
        },
    }
    (work / "spec.json").write_text(json.dumps(spec))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(work), "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
    # The model's container environment as the pipeline's CreateModel step gives it, the code
    # directory where the model was extracted here.
    env.update({**environment, "SAGEMAKER_SUBMIT_DIRECTORY": str(model_dir / "code")})
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", DRIVER, str(work / "spec.json"), str(work / "result.json")], cwd=str(work), env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-4000:]
    result = json.loads((work / "result.json").read_text())
    result["process_seconds"] = time.perf_counter() - started
    result["bodies"] = bodies
    result["transform_input"] = transform_input / "test.jsonl"
    result["transform_output"] = work / "transform-output" / "test.jsonl.out"
    result["environment"] = environment
    result["model_dir"] = model_dir
    return result


def answer(served: dict, name: str) -> dict:
    return served["requests"][name]


def body_lines(text: str) -> list[dict]:
    """The records of a JSON Lines body: every line, each one JSON object (a trailing newline ends the last)."""
    assert text.endswith("\n"), repr(text[-40:])
    return [json.loads(line) for line in text[:-1].split("\n")]


def input_records(body: str) -> list[str]:
    return [line for line in body.split("\n") if line.strip()]


def is_prediction(record) -> bool:
    return (
        isinstance(record, dict)
        and set(record) == {"predicted_label", "confidence", "probabilities"}
        and record["predicted_label"] in (-1, 0, 1)
        and set(record["probabilities"]) == {"-1", "0", "1"}
        and record["confidence"] == max(record["probabilities"].values())
    )


def is_error(record, *words: str) -> bool:
    return isinstance(record, dict) and set(record) == {"error"} and all(word in record["error"] for word in words)


def same(a: dict, b: dict) -> bool:
    """The same prediction, up to the float noise of scoring in another batch."""
    return a["predicted_label"] == b["predicted_label"] and all(abs(a["probabilities"][k] - b["probabilities"][k]) < 1e-5 for k in a["probabilities"])


def ok(reply: dict, content_type: str) -> None:
    assert (reply["code"], reply["status"]) == (200, 200), reply
    assert reply["content_type"] == content_type, reply


# The handler service is the image's, and it runs the shipped code.


def test_the_model_server_loads_the_toolkit_handler_service_with_the_shipped_code(served):
    assert served["entry_point"] == f"{HANDLER}.HuggingFaceHandlerService"
    code = served["model_dir"] / "code"
    assert sorted(p.name for p in code.iterdir() if p.is_file()) == sorted(MODEL_CODE)
    assert (served["inference_file"], served["contract_file"]) == (str(code / "inference.py"), str(code / "contract.py"))


def test_each_model_server_worker_scores_with_the_torch_threads_the_model_gives_it(served):
    # The server starts a worker per vCPU; OMP_NUM_THREADS keeps them from contending for the cores.
    assert served["environment"]["OMP_NUM_THREADS"] == "1"
    assert served["torch_threads"] == 1


def test_the_pinned_toolkits_are_those_of_the_inference_image():
    from importlib.metadata import version

    assert (version("sagemaker-huggingface-inference-toolkit"), version("sagemaker-inference"), version("multi-model-server")) == ("2.5.0", "1.10.1", "1.1.11")
    images = (ROOT / "pipeline-definitions" / "dsl" / "images.ts").read_text()
    assert "huggingFaceInference: { repository: 'huggingface-pytorch-inference', tag: '2.6.0-transformers4.49.0-cpu-py312-ubuntu22.04' }" in images, (
        "the inference image changed: pin the toolkits of its Dockerfile in requirements-dev.txt / requirements-reference.txt"
    )


# JSON Lines in, JSON Lines out; one output per record, in its place.


def test_one_json_lines_record_answers_one_line(served):
    reply = answer(served, "one-line")
    ok(reply, JSONL)
    [prediction] = body_lines(reply["body"])
    assert is_prediction(prediction)


def test_a_multi_record_mini_batch_answers_each_record_in_order(served):
    reply = answer(served, "mini-batch")
    ok(reply, JSONL)
    outputs = body_lines(reply["body"])
    assert len(outputs) == len(input_records(served["bodies"]["mini-batch"])) == 40
    assert all(is_prediction(o) for o in outputs)
    # The handlers called directly answer the same body with the same bytes.
    assert served["direct"]["mini-batch"]["body"] == reply["body"]


def test_every_request_shape_of_the_contract_is_read(served):
    reply = answer(served, "mini-batch-mixed-shapes")
    ok(reply, JSONL)
    outputs = body_lines(reply["body"])
    assert len(outputs) == 4 and all(is_prediction(o) for o in outputs)


def test_a_blank_line_is_no_record_and_shifts_nothing(served):
    reply = answer(served, "blank-line")
    ok(reply, JSONL)
    outputs = body_lines(reply["body"])
    assert len(outputs) == len(input_records(served["bodies"]["blank-line"])) == 3
    assert all(is_prediction(o) for o in outputs)
    # Each output is that of its own record: the same texts alone give the same answers.
    assert same(outputs[0], body_lines(answer(served, "one-line")["body"])[0])


def test_a_bad_line_gets_an_error_record_in_its_place_and_the_others_are_scored(served):
    reply = answer(served, "bad-line")
    ok(reply, JSONL)
    outputs = body_lines(reply["body"])
    assert len(outputs) == len(input_records(served["bodies"]["bad-line"])) == 9
    expected = [
        is_prediction,
        lambda o: is_error(o, "line 2", "not JSON"),
        is_prediction,
        lambda o: is_error(o, "line 4", '"features" is an empty list'),
        lambda o: is_error(o, "line 5", '"review_body" is 5, not a text'),
        lambda o: is_error(o, "line 6", 'the first item of "features" is {"text": "x"}, not a text'),
        lambda o: is_error(o, "line 7", "the record is [1, 2]", '"features" or "review_body"'),
        lambda o: is_error(o, "line 8", "none of the text fields"),
        is_prediction,
    ]
    assert [check(o) for check, o in zip(expected, outputs)] == [True] * 9, outputs
    assert same(outputs[0], body_lines(answer(served, "one-line")["body"])[0])
    assert served["direct"]["bad-line"]["body"] == reply["body"]


def test_empty_features_and_non_text_features_are_error_records_naming_the_problem(served):
    [empty] = body_lines(answer(served, "empty-features")["body"])
    assert is_error(empty, "line 1", '"features" is an empty list')
    number, none = body_lines(answer(served, "non-text-feature")["body"])
    assert is_error(number, "line 1", '"review_body" is 42, not a text')
    assert is_error(none, "line 2", 'the first item of "features" is null, not a text')


def test_content_type_parameters_and_header_spelling_are_accepted(served):
    ok(answer(served, "charset-parameter"), "application/jsonlines; charset=utf-8")
    assert is_prediction(body_lines(answer(served, "charset-parameter")["body"])[0])
    ok(answer(served, "lowercase-headers"), JSONL)


# application/json in, JSON out: an object for an object, an array for an array.


def test_a_json_object_answers_a_json_object(served):
    for name in ("json-object", "json-pretty-object"):
        reply = answer(served, name)
        ok(reply, JSON)
        assert is_prediction(json.loads(reply["body"])), name


def test_a_json_array_answers_an_array_with_an_answer_per_item(served):
    reply = answer(served, "json-array")
    ok(reply, JSON)
    outputs = json.loads(reply["body"])
    assert isinstance(outputs, list) and len(outputs) == 3 and all(is_prediction(o) for o in outputs)
    assert served["direct"]["json-array"]["body"] == reply["body"]
    pretty = json.loads(answer(served, "json-pretty-array")["body"])
    assert [is_prediction(pretty[0]), is_prediction(pretty[1]), is_error(pretty[2], "item 3", '"features" is an empty list')] == [True] * 3
    # The same records as JSON Lines answer the same predictions.
    assert body_lines(answer(served, "json-array-to-lines")["body"]) == outputs
    as_json = answer(served, "lines-to-json")
    ok(as_json, JSON)
    assert json.loads(as_json["body"]) == outputs


# No Accept, or */*: the body is what the response's content type says.


def test_no_accept_or_any_accept_gets_a_body_of_its_response_content_type(served):
    for name, records in (("no-accept-one-line", 1), ("no-accept-lines", 3), ("any-accept-lines", 3), ("any-accept-json-object", 1)):
        reply = answer(served, name)
        assert (reply["code"], reply["status"]) == (200, 200), reply
        assert reply["content_type"] == JSON, (name, reply["content_type"])  # the toolkit's choice
        document = json.loads(reply["body"])  # the whole body is one JSON document
        answers = [document] if records == 1 else document
        assert isinstance(answers, list) and len(answers) == records and all(is_prediction(a) for a in answers), (name, document)
        assert not (records == 1 and isinstance(document, list)), name  # one record: an object
    # Called directly, no Accept or */* answers in the request's own type.
    assert len(body_lines(served["direct"]["no-accept"]["body"])) == 3
    assert served["direct"]["any-accept"]["body"] == served["direct"]["no-accept"]["body"]
    assert is_prediction(json.loads(served["direct"]["any-accept-json"]["body"]))


# Requests that cannot be answered at all: a 4xx naming what is supported.


@pytest.mark.parametrize(
    "name, words",
    [
        ("no-content-type", ["has no content type", "application/jsonlines", "application/json"]),
        ("csv", ["'text/csv' is not supported", "application/jsonlines", "application/json"]),
        ("octet-stream", ["'application/octet-stream' is not supported", "application/jsonlines", "application/json"]),
        ("unsupported-accept", ["accept type 'text/csv' is not supported", "application/jsonlines", "application/json"]),
        ("json-not-a-document", ["not one JSON document", "application/jsonlines for one record per line"]),
        ("json-empty", ["the application/json body is empty"]),
    ],
)
def test_an_unreadable_request_is_a_client_error_naming_the_supported_types(served, name, words):
    reply = answer(served, name)
    assert 400 <= reply["code"] < 500 and reply["status"] == reply["code"], reply
    for word in words:
        assert word in reply["message"], (word, reply["message"])
    for python in ("NoneType", "object has no attribute", "Traceback", "Error:", "Exception"):
        assert python not in reply["message"], reply["message"]


def test_called_directly_an_unreadable_request_raises_a_client_error():
    from sagemaker_inference.errors import GenericInferenceToolkitError

    inference = bert("inference")

    for body, content_type, status in ((b"x", "text/csv", 415), (b"x", None, 415), (b"", "", 415), (b"{", JSON, 400)):
        with pytest.raises(inference.RequestError) as raised:
            inference.input_fn(body, content_type)
        # sagemaker-inference's transformer (other serving containers) answers it with its status;
        # its text is the message alone (what the Hugging Face toolkit returns).
        assert isinstance(raised.value, GenericInferenceToolkitError) and isinstance(raised.value, ValueError)
        assert raised.value.status_code == status
        assert str(raised.value) == raised.value.message and "application/json" in str(raised.value)
    with pytest.raises(inference.RequestError, match="accept type 'text/csv' is not supported; accept application/jsonlines or application/json") as raised:
        inference.output_fn([], "text/csv")
    assert raised.value.status_code == 406


def test_a_record_the_model_fails_on_is_an_error_record_and_its_batch_is_scored():
    import torch

    inference = bert("inference")

    class Tokenizer:
        model_max_length = 4

        def __call__(self, texts, **_):
            if "boom" in texts:
                raise ValueError("cannot tokenize boom")
            return {"input_ids": torch.ones((len(texts), 4), dtype=torch.long), "attention_mask": torch.ones((len(texts), 4), dtype=torch.long)}

    class Model:
        def __call__(self, input_ids, attention_mask):
            return type("Output", (), {"logits": torch.tensor([[0.0, 0.0, 1.0]] * len(input_ids))})()

    records = inference.input_fn(lines(*({"review_body": t} for t in ["a", "boom", "c"])), JSONL)
    answers = inference.predict_fn(records, {"model": Model(), "tokenizer": Tokenizer()})
    assert [a.get("predicted_label") for a in answers] == [1, None, 1]
    assert answers[1] == {"error": "line 2: the model could not score it (ValueError: cannot tokenize boom)"}


def test_direct_calls_refuse_what_the_toolkit_refuses(served):
    assert served["direct"]["csv"] == {"error": "RequestError", "status_code": 415, "message": answer(served, "csv")["message"]}
    assert served["direct"]["no-content-type"]["message"] == answer(served, "no-content-type")["message"]


# The local runner's batch transform answers as the toolkit does.


def test_the_local_transform_joins_one_answer_per_record_keeping_error_records(served):
    records = [json.loads(line) for line in served["transform_input"].read_text().splitlines() if line.strip()]
    joined = [json.loads(line) for line in served["transform_output"].read_text().splitlines()]
    assert len(joined) == len(records) == 30
    assert served["transform"] == {"records": 30, "requests": 1}
    for record, out in zip(records, joined):
        assert {k: v for k, v in out.items() if k != "SageMakerOutput"} == record  # JoinSource Input
    assert is_error(joined[10]["SageMakerOutput"], "line 11", '"review_body" is 7, not a text')
    assert all(is_prediction(out["SageMakerOutput"]) for i, out in enumerate(joined) if i != 10)
    # The mini-batch's answers are the toolkit's for the same records.
    toolkit = body_lines(answer(served, "mini-batch")["body"])
    assert all(same(out["SageMakerOutput"], t) for i, (out, t) in enumerate(zip(joined, toolkit)) if i != 10)


def test_the_model_gates_count_error_records_and_fail_above_the_allowed_share(served, tmp_path, capsys):
    import quality_gate as gate

    predictions = served["transform_output"].parent
    for name in ("model-quality", "model-bias"):
        out = tmp_path / name
        code = gate.run(gate.parse_args([name, "--predictions-dir", str(predictions), "--output-dir", str(out)]))
        outcome = json.loads((out / "gate.json").read_text())
        assert code == 1 and not outcome["passed"], outcome
        [violation] = outcome["violations"]
        assert violation.startswith(f"{gate.GATE_NAMES[name]}: 1 of 30 predictions are error records (3.33%; allowed: --max-error-share 0.0)"), violation
        assert 'the first, record 11: line 11: "review_body" is 7, not a text' in violation
        # Within the allowed share the gate reads the other records, and says so.
        code = gate.run(gate.parse_args([name, "--predictions-dir", str(predictions), "--output-dir", str(out), "--max-error-share", "0.05"]))
        assert code == 0, json.loads((out / "gate.json").read_text())
        assert "1 of 30 predictions are error records" in capsys.readouterr().out
    statistics = json.loads((tmp_path / "model-quality" / "statistics.json").read_text())
    cells = statistics["multiclass_classification_metrics"]["confusion_matrix"]
    assert sum(sum(row.values()) for row in cells.values()) == 29
    with pytest.raises(SystemExit):
        gate.parse_args(["model-quality", "--predictions-dir", str(predictions), "--output-dir", str(tmp_path), "--max-error-share", "1.5"])


def test_the_local_transform_makes_mini_batches_as_batch_transform_does(tmp_path):
    from local_runner import transform_job

    records = [(n, b"x" * size) for n, size in ((1, 400_000), (3, 600_000), (4, 100_000), (5, 1_000_000))]
    assert [[n for n, _ in batch] for batch in transform_job.mini_batches(records, "MultiRecord", 1_048_576, tmp_path)] == [[1, 3], [4], [5]]
    assert [[n for n, _ in batch] for batch in transform_job.mini_batches(records, "SingleRecord", 1_048_576, tmp_path)] == [[1], [3], [4], [5]]
    with pytest.raises(SystemExit, match="line 5 is 1000000 bytes, more than MaxPayloadInMB"):
        transform_job.mini_batches(records, "MultiRecord", 999_999, tmp_path)
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"a": 1}\n\n  \n{"a": 2}\r\n{"a": 3}')
    assert transform_job.records_of(source) == [(1, b'{"a": 1}'), (4, b'{"a": 2}'), (5, b'{"a": 3}')]


# train.py's arguments as sagemaker-training passes them.


def training_step() -> dict:
    definition = rendered_definition()
    defaults = {p["Name"]: p.get("DefaultValue") for p in definition["Parameters"]}
    step = next(s for s in definition["Steps"] if s["Type"] == "Training")

    def value(v):  # a pipeline value at its parameter's default, as the training job receives it (text)
        if isinstance(v, dict) and "Std:Join" in v:
            return v["Std:Join"]["On"].join(value(part) for part in v["Std:Join"]["Values"])
        if isinstance(v, dict) and "Get" in v:
            default = defaults[v["Get"].removeprefix("Parameters.")]
            return json.dumps(default) if isinstance(default, bool) else str(default)
        return str(v)

    arguments = step["Arguments"]
    return {
        "hyperparameters": {k: value(v) for k, v in arguments["HyperParameters"].items()},
        "channels": [c["ChannelName"] for c in arguments["InputDataConfig"]],
        "defaults": defaults,
    }


TRAINING_DRIVER = r'''
import json, os, sys
from sagemaker_training import environment
env = environment.Environment()
os.environ.update(env.to_env_vars())
sys.path.insert(0, sys.argv[1])
import train
argv = env.to_cmd_args()
print(json.dumps({"argv": argv, "args": vars(train.parse_args(argv)), "entry_point": env.user_entry_point, "module_dir": env.module_dir}))
'''


def test_train_arguments_through_sagemaker_training_hyperparameters_and_sm_variables(tmp_path):
    pytest.importorskip("sagemaker_training", reason="sagemaker-training (requirements-dev.txt) is not installed")
    step = training_step()
    base = tmp_path / "opt" / "ml"
    config = base / "input" / "config"
    config.mkdir(parents=True)
    # What SageMaker writes for the training job (hyperparameters are strings).
    (config / "hyperparameters.json").write_text(json.dumps(step["hyperparameters"]))
    (config / "resourceconfig.json").write_text(json.dumps({"current_host": "algo-1", "hosts": ["algo-1"], "network_interface_name": "eth0"}))
    (config / "inputdataconfig.json").write_text(json.dumps({c: {"TrainingInputMode": "File", "S3DistributionType": "FullyReplicated", "RecordWrapperType": "None"} for c in step["channels"]}))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "SAGEMAKER_BASE_DIR": str(base), "PYTHONPATH": CODE_PATH}
    done = subprocess.run([sys.executable, "-c", TRAINING_DRIVER, str(CODE_DIR)], cwd=str(tmp_path), env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    args, defaults = result["args"], step["defaults"]
    assert result["entry_point"] == "train.py" and not any(a.startswith("--sagemaker_") for a in result["argv"])
    passed = {k for k in step["hyperparameters"] if not k.startswith("sagemaker_")}
    assert {a[2:] for a in result["argv"][::2]} == passed
    assert passed <= set(args), f"hyperparameters train.py does not read (parse_known_args drops them): {sorted(passed - set(args))}"
    assert (args["epochs"], args["learning_rate"], args["train_batch_size"], args["train_steps_per_epoch"]) == (defaults["Epochs"], defaults["LearningRate"], defaults["TrainBatchSize"], defaults["TrainStepsPerEpoch"])
    assert (args["validation_batch_size"], args["validation_steps_per_epoch"], args["seed"]) == (defaults["ValidationBatchSize"], defaults["ValidationStepsPerEpoch"], defaults["Seed"])
    assert (args["freeze_bert_layer"], args["run_validation"]) == (defaults["FreezeBertLayer"], defaults["RunValidation"])
    # The channels and folders arrive as SM_CHANNEL_*, SM_MODEL_DIR and SM_OUTPUT_DATA_DIR.
    assert {name: args[name] for name in ("train", "validation", "pretrained")} == {name: str(base / "input" / "data" / name) for name in ("train", "validation", "pretrained")}
    assert (args["model_dir"], args["output_data_dir"]) == (str(base / "model"), str(base / "output" / "data"))


def test_the_local_transform_fails_a_request_slower_than_the_invocation_timeout(tmp_path):
    import tarfile

    from local_runner import transform_job

    model = tmp_path / "model"
    (model / "code").mkdir(parents=True)
    (model / "code" / "inference.py").write_text(
        "import json, time\n"
        "def model_fn(model_dir): return None\n"
        "def input_fn(body, content_type): return [l for l in (body if isinstance(body, str) else body.decode()).split('\\n') if l.strip()]\n"
        "def predict_fn(records, model):\n    time.sleep(0.2)\n    return [{'n': i} for i, _ in enumerate(records)]\n"
        "def output_fn(predictions, accept): return ''.join(json.dumps(p) + '\\n' for p in predictions)\n"
    )
    archive = tmp_path / "model.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(model / "code", arcname="code")
    source = tmp_path / "in"
    source.mkdir()
    (source / "part.jsonl").write_text('{"a": 1}\n{"a": 2}\n')
    args = (archive, source, tmp_path / "out", "application/jsonlines", "application/jsonlines", "Input", "MultiRecord", 1)
    with pytest.raises(SystemExit, match=r"lines 1-2: the request took 0\.\d s, more than the invocation timeout of 0\.05 s \(ModelClientConfig\)"):
        transform_job.run(*args, 0.05)
    assert transform_job.run(*args, 60) == 0
    assert len((tmp_path / "out" / "part.jsonl.out").read_text().splitlines()) == 2
