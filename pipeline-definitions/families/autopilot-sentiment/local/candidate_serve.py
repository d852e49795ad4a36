"""The serving handlers of a candidate of the local search that stands in for Autopilot (shipped
in the candidate's ``code/``, named by its SAGEMAKER_PROGRAM), answering as Autopilot's candidates
answer: ``text/csv`` rows of the training columns without the target and without a header in, a
row per record out with the columns ``SAGEMAKER_INFERENCE_OUTPUT`` names (``predicted_label``
alone by default; of ``SAGEMAKER_INFERENCE_SUPPORTED``: ``predicted_label``, ``probability``,
``probabilities``, ``labels``), lists written as Python writes them (``[0.1, 0.9]``,
``['-1', '1']``). Anything else is refused, as the container answers a client error.
"""

from __future__ import annotations

import csv
import io
import json
import os

CSV = "text/csv"


def model_fn(model_dir: str):
    import joblib

    with open(os.path.join(model_dir, "columns.json"), encoding="utf-8") as handle:
        columns = json.load(handle)
    return {"model": joblib.load(os.path.join(model_dir, "model.joblib")), "columns": columns}


def input_fn(body, content_type: str | None):
    import pandas as pd

    if str(content_type or "").split(";")[0].strip().lower() != CSV:
        raise ValueError(f"content type {content_type!r} is not supported; the candidate reads {CSV}")
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
    return [row for row in csv.reader(io.StringIO(text)) if row], pd


def predict_fn(request, loaded) -> list[dict]:
    rows, pd = request
    columns = loaded["columns"]
    if any(len(row) != len(columns) for row in rows):
        raise ValueError(f"each row must have {len(columns)} columns ({', '.join(columns)})")
    model = loaded["model"]
    frame = pd.DataFrame(rows, columns=columns)
    labels = [str(label) for label in model.classes_]
    answers = []
    for row in model.predict_proba(frame):
        best = max(range(len(row)), key=row.__getitem__)
        answers.append({"predicted_label": labels[best], "probability": round(float(row[best]), 6), "probabilities": [round(float(p), 6) for p in row], "labels": labels})
    return answers


def output_fn(answers: list[dict], accept: str | None) -> str:
    if str(accept or CSV).split(";")[0].strip().lower() not in (CSV, "*/*"):
        raise ValueError(f"accept type {accept!r} is not supported; the candidate answers {CSV}")
    wanted = [name.strip() for name in os.environ.get("SAGEMAKER_INFERENCE_OUTPUT", "predicted_label").split(",")]
    supported = [name.strip() for name in os.environ.get("SAGEMAKER_INFERENCE_SUPPORTED", "predicted_label,probability,probabilities,labels").split(",")]
    unknown = [name for name in wanted if name not in supported]
    if unknown:
        raise ValueError(f"SAGEMAKER_INFERENCE_OUTPUT names {', '.join(unknown)}, which is not in SAGEMAKER_INFERENCE_SUPPORTED ({', '.join(supported)})")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for item in answers:
        writer.writerow([str(item[name]) if isinstance(item[name], list) else item[name] for name in wanted])
    return buffer.getvalue()
