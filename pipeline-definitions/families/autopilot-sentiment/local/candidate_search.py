"""What stands in here for Autopilot's job: a small search of candidate models of the project's own
on the same input (a CSV file with a header row, the target among its columns), run by the local
runner's AutoML executor (see its ``steps/automl.py`` for the arguments and what it reads back).

Each candidate is a scikit-learn pipeline: TF-IDF features of the text column (word 1- and
2-grams) and the other columns one-hot encoded, then a classifier (a logistic regression, a
complement naive Bayes, a linear model trained by stochastic gradient descent), at most
``--max-candidates``. Each is fitted on the input less a validation share held out with a fixed
seed (``--validation-fraction``, stratified by the target), and the best by the objective on that
share (Accuracy or F1macro) is the best candidate: its model.tar.gz holds the fitted pipeline and
its serving handlers (candidate_serve.py, in ``code/``); its model-insights report holds its
validation metrics and confusion matrix, its explainability report the terms that weigh most for
each label. Differences from Autopilot: a few linear models instead of AutoGluon's ensembles, no
hyperparameter search, one process.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEXT_COLUMN = "review_body"
OBJECTIVES = ("Accuracy", "F1macro")
SEED = 0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--input", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--problem-type", required=True)
    parser.add_argument("--objective", required=True)
    parser.add_argument("--max-candidates", type=int, required=True)
    parser.add_argument("--validation-fraction", type=float, default=0.2)
    return parser.parse_args(argv)


def candidates():
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB

    return [
        ("logistic-regression", LogisticRegression(C=4.0, max_iter=2000)),
        ("complement-naive-bayes", ComplementNB(alpha=0.5)),
        ("sgd-modified-huber", SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=SEED)),
    ]


def pipeline(classifier, columns: list[str]):
    from sklearn.compose import ColumnTransformer
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder

    others = [c for c in columns if c != TEXT_COLUMN]
    features = ColumnTransformer(
        [("text", TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True), TEXT_COLUMN)]
        + ([("categories", OneHotEncoder(handle_unknown="ignore"), others)] if others else [])
    )
    return Pipeline([("features", features), ("classifier", classifier)])


def score(objective: str, actual, predicted) -> float:
    from sklearn.metrics import accuracy_score, f1_score

    return float(accuracy_score(actual, predicted) if objective == "Accuracy" else f1_score(actual, predicted, average="macro"))


def top_terms(model, labels: list[str], count: int = 10) -> dict[str, list[str]]:
    """The terms with the largest weight for each label, where the classifier has weights."""
    import numpy as np

    classifier = model.named_steps["classifier"]
    weights = getattr(classifier, "coef_", None)
    if weights is None:
        weights = getattr(classifier, "feature_log_prob_", None)
    if weights is None:
        return {}
    names = model.named_steps["features"].get_feature_names_out()
    return {label: [str(names[i]).split("__", 1)[-1] for i in np.argsort(row)[::-1][:count]] for label, row in zip(labels, np.atleast_2d(weights))}


def run(args: argparse.Namespace) -> dict:
    import joblib
    import pandas as pd
    from sklearn.metrics import confusion_matrix
    from sklearn.model_selection import train_test_split

    if args.problem_type != "MulticlassClassification" or args.objective not in OBJECTIVES:
        raise SystemExit(f"candidate search: {args.problem_type} with {args.objective} does not stand in here; expected MulticlassClassification with {' or '.join(OBJECTIVES)}")
    files = sorted(glob.glob(os.path.join(args.input, "**", "*.csv"), recursive=True))
    if not files:
        raise SystemExit(f"candidate search: no CSV file under {args.input}")
    data = pd.concat([pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True)
    if args.target not in data.columns:
        raise SystemExit(f"candidate search: the target {args.target} is not a column ({', '.join(data.columns)})")
    columns = [c for c in data.columns if c != args.target]
    if TEXT_COLUMN not in columns:
        raise SystemExit(f"candidate search: no {TEXT_COLUMN} column to read text from")
    train, validation = train_test_split(data, test_size=args.validation_fraction, random_state=SEED, stratify=data[args.target])
    tried = []
    for name, classifier in candidates()[: max(1, args.max_candidates)]:
        model = pipeline(classifier, columns).fit(train[columns], train[args.target])
        tried.append((score(args.objective, validation[args.target], model.predict(validation[columns])), name, model))
    objective_value, best_name, best = max(tried, key=lambda t: t[0])
    labels = [str(label) for label in best.classes_]
    output = Path(args.output)
    with tempfile.TemporaryDirectory() as work:
        folder = Path(work)
        joblib.dump(best, folder / "model.joblib")
        (folder / "columns.json").write_text(json.dumps(columns))
        (folder / "code").mkdir()
        shutil.copy(HERE / "candidate_serve.py", folder / "code" / "candidate_serve.py")
        archive = output / "candidates" / best_name / "model.tar.gz"
        archive.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive, "w:gz") as tar:
            for path in sorted(folder.rglob("*")):
                tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
    reports = output / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    matrix = confusion_matrix(validation[args.target], best.predict(validation[columns]), labels=best.classes_).tolist()
    (reports / "model_insights.json").write_text(json.dumps({"candidate": best_name, "objective": {args.objective: objective_value}, "labels": labels, "confusion_matrix": matrix}, indent=2))
    (reports / "explainability.json").write_text(json.dumps({"candidate": best_name, "top_terms_by_label": top_terms(best, labels)}, indent=2))
    best_candidate = {
        "CandidateName": best_name,
        "ObjectiveMetric": objective_value,
        "InferenceContainer": {
            "Image": "local/autopilot-candidate-search:scikit-learn",
            "ModelDataUrl": f"candidates/{best_name}/model.tar.gz",
            "Environment": {
                "MODEL_NAME": best_name,
                "SAGEMAKER_DEFAULT_INVOCATIONS_ACCEPT": "text/csv",
                "SAGEMAKER_SUBMIT_DIRECTORY": "/opt/ml/model/code",
                "SAGEMAKER_INFERENCE_SUPPORTED": "predicted_label,probability,probabilities,labels",
                "SAGEMAKER_INFERENCE_OUTPUT": "predicted_label",
                "SAGEMAKER_PROGRAM": "candidate_serve.py",
            },
        },
        "Reports": {"ModelInsights": "reports/model_insights.json", "Explainability": "reports/explainability.json"},
        "Candidates": [{"CandidateName": name, "ObjectiveMetric": value} for value, name, _ in tried],
    }
    (output / "best-candidate.json").write_text(json.dumps(best_candidate, indent=2))
    for value, name, _ in tried:
        print(f"candidate {name}: {args.objective} {value:.4f}")
    print(f"best candidate: {best_name}")
    return best_candidate


if __name__ == "__main__":
    run(parse_args())
