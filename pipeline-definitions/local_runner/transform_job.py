"""Batch transform on this machine, as SageMaker runs it, with the model's own inference handlers
(``code/inference.py`` inside model.tar.gz):

- each input file is split into records at line ends (SplitType Line; a blank line is no record);
- the records go to the handlers in mini-batches, one request each (BatchStrategy MultiRecord: as
  many records as fit in MaxPayloadInMB, newline-separated; SingleRecord: one);
- each request is answered as the serving container's toolkit answers it (the Hugging Face
  toolkit's handler service: an Accept that is missing or ``*/*`` becomes ``application/json``, an
  ``application/json`` or ``text/csv`` body is decoded to text, then ``input_fn``, ``predict_fn``,
  ``output_fn``); a request the handlers refuse fails the job, as the container's 400 does;
- the answer must hold one line per record of its mini-batch, else the job fails as SageMaker's
  does; each line is joined with its input record (JoinSource Input: the record with the answer
  under ``SageMakerOutput``; a record that is not a JSON object goes under ``SageMakerInput``),
  whatever the model answered for it, an error record included, kept in its place;
- one ``<input>.out`` per input file, a line per record (AssembleWith Line; OutputFilter ``$``).

A model of several containers (a serial inference pipeline, InferenceExecutionConfig Serial)
answers each request through its containers in order: each container's answer is the next one's
request, in the content type it answered in; a container before the last answers in its
``SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT`` (which it must have), the last in the transform's
Accept. Each container runs its own handlers from its own archive (its ``code/`` modules are not
shared with the others'). The first argument is then a JSON file listing the containers in order,
``[{"archive": "<model.tar.gz>", "environment": {...}}, ...]``; a container whose image's code is
not in its archive (a built-in algorithm's, stood in for here) names its handlers file too,
``"handlers": "<path>"``, which loads the model from the archive's folder. Each container's
handlers load and answer with its own environment set (``os.environ``), as in its own container.

Run as ``python transform_job.py <model.tar.gz or containers.json> <input dir> <output dir> <content type> <accept>
<join source> [<batch strategy> [<max payload in MB> [<invocation timeout in seconds>]]]``
(default MultiRecord, 6 and 600: SageMaker's defaults); a request that takes longer than the
timeout fails the job, as ModelClientConfig's InvocationsTimeoutInSeconds does (measured after
the request: the job is not stopped early). Prints ``{"records": n, "requests": r}``.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
import tarfile
import tempfile
import time
from pathlib import Path

OUTPUT_KEY = "SageMakerOutput"  # the contract's response.transformOutputKey (batch transform's own name)
INPUT_KEY = "SageMakerInput"
DEFAULT_MAX_PAYLOAD_MB = 6
DEFAULT_INVOCATION_TIMEOUT_SECONDS = 600
# The toolkit's content_types.UTF8_TYPES: bodies it decodes before input_fn.
TEXT_TYPES = ("application/json", "text/csv")


class TransformFailed(SystemExit):
    pass


def load_handlers(model_dir: Path, program: str = "inference.py"):
    """A model's handlers (``code/<program>``, the container's SAGEMAKER_PROGRAM), with the modules
    they import from their own ``code/`` folder as they load: a module of the same name loaded
    before (another container's, or this process's) is set aside while they load and put back
    after, and so is the import path, so each container's handlers keep their own. (Handlers that
    import their own modules only when called are not isolated: this local runner loads them at
    the top.)"""
    code = model_dir / "code"
    own = {path.stem for path in code.glob("*.py")} | {path.parent.name for path in code.glob("*/__init__.py")}
    saved = {name: sys.modules.pop(name) for name in list(sys.modules) if name.split(".")[0] in own}
    path = list(sys.path)
    try:
        spec = importlib.util.spec_from_file_location("inference", code / program)
        if spec is None or spec.loader is None:
            raise TransformFailed(f"{model_dir}: the model has no code/{program} (SAGEMAKER_PROGRAM)")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for name in [n for n in sys.modules if n.split(".")[0] in own]:
            del sys.modules[name]
        sys.modules.update(saved)
        sys.path[:] = path
    return module


def load_file(path: Path):
    """Handlers from a file of their own (a built-in algorithm's stand-in)."""
    spec = importlib.util.spec_from_file_location(f"standin_{path.stem}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise TransformFailed(f"{path}: the stand-in's handlers do not exist")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Container:
    """One container of the model: its handlers, the model they loaded, what it answers in."""

    def __init__(self, archive: Path, work: Path, environment: dict | None = None, handlers: str | None = None):
        with tarfile.open(archive) as tar:
            tar.extractall(work, filter="data")
        self.environment = {key: str(value) for key, value in (environment or {}).items()}
        with self.environ():
            self.handlers = load_file(Path(handlers)) if handlers else load_handlers(work, self.environment.get("SAGEMAKER_PROGRAM", "inference.py"))
            self.loaded = self.handlers.model_fn(str(work))
        self.default_accept = self.environment.get("SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT")

    @contextlib.contextmanager
    def environ(self):
        """The container's environment set while its handlers run, and the process's put back after."""
        saved = {key: os.environ.get(key) for key in self.environment}
        os.environ.update(self.environment)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def containers_of(model: Path) -> list[dict]:
    """The containers of the first argument: one archive, or a JSON list of them in order."""
    if model.suffix == ".json":
        listed = json.loads(model.read_text(encoding="utf-8"))
        if not isinstance(listed, list) or not listed:
            raise TransformFailed(f"{model}: expected a non-empty list of containers")
        return listed
    return [{"archive": str(model)}]


def invoke_serial(containers: list[Container], body: bytes, content_type: str | None, accept: str | None) -> tuple[str, str]:
    """(response content type, body) of one request through the containers in order."""
    for position, container in enumerate(containers):
        last = position == len(containers) - 1
        if not last and not container.default_accept:
            raise TransformFailed(f"container {position + 1} of {len(containers)} has no SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT: what it answers the next container in is the model's to say")
        with container.environ():
            answered_type, answer = invoke(container.handlers, container.loaded, body, content_type, accept if last else container.default_accept)
        if last:
            return answered_type, answer
        body, content_type = answer.encode("utf-8"), answered_type
    raise TransformFailed("the model has no container")


def invoke(handlers, loaded, body: bytes, content_type: str | None, accept: str | None) -> tuple[str, str]:
    """(response content type, body) of one request, the handlers called as the Hugging Face
    toolkit's ``HuggingFaceHandlerService.handle`` calls them."""
    if not accept or accept == "*/*":
        accept = "application/json"
    data = body.decode("utf-8") if content_type in TEXT_TYPES else body
    answer = handlers.output_fn(handlers.predict_fn(handlers.input_fn(data, content_type), loaded), accept)
    return accept, answer.decode("utf-8") if isinstance(answer, (bytes, bytearray)) else str(answer)


def records_of(source: Path) -> list[tuple[int, bytes]]:
    """(line number, record) of each record of an input file (SplitType Line)."""
    lines = source.read_bytes().split(b"\n")
    return [(number, line.rstrip(b"\r")) for number, line in enumerate(lines, start=1) if line.strip()]


def mini_batches(records: list[tuple[int, bytes]], strategy: str, max_payload_bytes: int, source: Path) -> list[list[tuple[int, bytes]]]:
    """The records in requests: one each (SingleRecord), or as many as fit in the payload (MultiRecord)."""
    batches: list[list[tuple[int, bytes]]] = []
    size = 0
    for number, record in records:
        if len(record) > max_payload_bytes:
            raise TransformFailed(f"{source}: line {number} is {len(record)} bytes, more than MaxPayloadInMB ({max_payload_bytes // (1024 * 1024)} MB); SageMaker fails such a job")
        if strategy == "SingleRecord" or not batches or size + 1 + len(record) > max_payload_bytes:
            batches.append([])
            size = -1
        batches[-1].append((number, record))
        size += 1 + len(record)
    return batches


def joined(number: int, record: bytes, answer, source: Path) -> dict:
    try:
        value = json.loads(record)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TransformFailed(f"{source}: line {number} is not JSON; batch transform cannot join it with its answer (JoinSource Input)") from None
    if isinstance(value, dict):
        return {**value, OUTPUT_KEY: answer}
    return {INPUT_KEY: value, OUTPUT_KEY: answer}


def run(
    model_archive: Path,
    input_dir: Path,
    output_dir: Path,
    content_type: str,
    accept: str,
    join_source: str,
    batch_strategy: str = "MultiRecord",
    max_payload_mb: int = DEFAULT_MAX_PAYLOAD_MB,
    invocation_timeout_seconds: float = DEFAULT_INVOCATION_TIMEOUT_SECONDS,
) -> int:
    if batch_strategy not in ("MultiRecord", "SingleRecord"):
        raise TransformFailed(f"BatchStrategy {batch_strategy!r} is not one of MultiRecord, SingleRecord")
    output_dir.mkdir(parents=True, exist_ok=True)
    count = requests = 0
    with tempfile.TemporaryDirectory() as work:
        containers = [
            Container(Path(spec["archive"]), Path(work) / str(index), spec.get("environment"), spec.get("handlers"))
            for index, spec in enumerate(containers_of(model_archive))
        ]
        for source in sorted(p for p in input_dir.rglob("*") if p.is_file()):
            outputs = []
            for batch in mini_batches(records_of(source), batch_strategy, int(max_payload_mb) * 1024 * 1024, source):
                first, last = batch[0][0], batch[-1][0]
                began = time.monotonic()
                try:
                    answered_type, answer = invoke_serial(containers, b"\n".join(record for _, record in batch), content_type, accept)
                except Exception as error:  # the container answers 400 and the job fails
                    raise TransformFailed(f"{source}: lines {first}-{last}: the model container refused the request (400): {error}") from None
                took = time.monotonic() - began
                if took > float(invocation_timeout_seconds):
                    raise TransformFailed(
                        f"{source}: lines {first}-{last}: the request took {took:.1f} s, more than the invocation timeout of "
                        f"{float(invocation_timeout_seconds):g} s (ModelClientConfig); a smaller MaxPayloadInMB or a longer timeout is needed"
                    )
                requests += 1
                rendered = answer.split("\n")
                if rendered and rendered[-1] == "":
                    rendered.pop()
                if len(rendered) != len(batch):
                    raise TransformFailed(
                        f"{source}: lines {first}-{last}: {len(batch)} records gave {len(rendered)} output lines ({answered_type}); SageMaker fails such a job"
                    )
                for (number, record), line in zip(batch, rendered):
                    try:
                        answer_value = json.loads(line)
                    except json.JSONDecodeError:
                        answer_value = line
                    if join_source == "Input":
                        outputs.append(json.dumps(joined(number, record, answer_value, source)))
                    else:
                        outputs.append(line)
            target = output_dir / source.relative_to(input_dir)
            target = target.with_name(target.name + ".out")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text("".join(o + "\n" for o in outputs), encoding="utf-8")
            count += len(outputs)
    print(json.dumps({"records": count, "requests": requests}))
    return 0


if __name__ == "__main__":
    model, source, target, content_type, accept, join_source = sys.argv[1:7]
    extra = sys.argv[7:10]
    sys.exit(run(Path(model), Path(source), Path(target), content_type, accept, join_source, *extra))
