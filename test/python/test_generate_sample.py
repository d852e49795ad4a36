"""Tests of the synthetic reviews sample and the script that generates it."""

from __future__ import annotations

import csv
import importlib.util
import io
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "data" / "generate_sample.py"
SAMPLE_DIR = ROOT / "data" / "sample" / "reviews"


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_sample", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


gen = load_generator()


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    records = []
    for part in sorted(SAMPLE_DIR.glob("*.csv")):
        with part.open(newline="", encoding="utf-8") as handle:
            records += list(csv.DictReader(handle))
    return records


def test_committed_sample_is_what_the_default_seed_generates():
    assert {p.name: p.read_text(encoding="utf-8") for p in SAMPLE_DIR.iterdir()} == gen.render_parts(gen.DEFAULT_SEED)


def test_the_sample_is_several_files_of_about_the_same_size_that_add_up_to_the_whole(rows):
    parts = gen.render_parts(gen.DEFAULT_SEED)
    assert len(parts) == gen.PARTS == 4
    sizes = [len(list(csv.DictReader(io.StringIO(text)))) for text in parts.values()]
    assert max(sizes) - min(sizes) <= len(rows) // gen.PARTS // 2
    whole = list(csv.DictReader(io.StringIO(gen.render(gen.DEFAULT_SEED))))
    assert rows == whole and sum(sizes) == len(whole)


def test_check_mode_reports_stale_files(tmp_path: Path, capsys):
    (tmp_path / "reviews.csv").write_text("Clothing ID\n", encoding="utf-8")
    assert gen.main(["--check", "--output", str(tmp_path)]) == 1
    assert "does not hold what seed 42 generates" in capsys.readouterr().err
    assert gen.main(["--output", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(gen.render_parts(gen.DEFAULT_SEED))
    assert gen.main(["--check", "--output", str(tmp_path)]) == 0


def test_generation_is_deterministic_per_seed():
    assert gen.render(7) == gen.render(7)
    assert gen.render(7) != gen.render(8)


def test_columns_are_the_generators(rows):
    # The TypeScript side checks that these are the columns its Glue classifier expects.
    assert list(rows[0].keys()) == gen.COLUMNS


def test_class_sizes_and_a_realistic_imbalance(rows):
    classes = Counter(row["Class Name"] for row in rows)
    assert classes == Counter(gen.CLASS_SIZES)
    ordered = [name for name, _ in classes.most_common(5)]
    assert ordered == ["Dresses", "Knits", "Blouses", "Sweaters", "Pants"]
    # The course drops categories with ten reviews or fewer: the sample has some.
    assert {name for name, count in classes.items() if count <= 10} == {"Casual bottoms", "Chemises"}


def test_ratings_are_mostly_positive(rows):
    ratings = Counter(int(row["Rating"]) for row in rows)
    assert set(ratings) == {1, 2, 3, 4, 5}
    total = sum(ratings.values())
    positive = (ratings[4] + ratings[5]) / total
    negative = (ratings[1] + ratings[2]) / total
    assert 0.70 < positive < 0.85
    assert 0.05 < negative < 0.15
    assert ratings[5] > ratings[4] > ratings[3] > ratings[2] > ratings[1]


def test_values_are_in_their_ranges(rows):
    for row in rows:
        assert 18 <= int(row["Age"]) <= 85
        assert row["Recommended IND"] in {"0", "1"}
        assert int(row["Positive Feedback Count"]) >= 0
        assert row["Department Name"] == gen.DEPARTMENTS[row["Class Name"]]
        assert row["Division Name"] in {"General", "General Petite", "Initmates"}
        rating = int(row["Rating"])
        if rating >= 4:
            assert row["Recommended IND"] == "1"
        if rating <= 2:
            assert row["Recommended IND"] == "0"


def test_some_values_are_missing_as_in_the_original(rows):
    missing_text = sum(1 for row in rows if not row["Review Text"])
    missing_title = sum(1 for row in rows if not row["Title"])
    assert 0.01 < missing_text / len(rows) < 0.07
    assert 0.10 < missing_title / len(rows) < 0.22


def test_review_texts_need_csv_quoting(rows):
    texts = [row["Review Text"] for row in rows]
    assert any("," in text for text in texts)
    assert any('"' in text for text in texts)
    assert any("\n" in text for text in texts)
    # A naive line split would miscount the records.
    assert sum(p.read_text(encoding="utf-8").count("\n") for p in SAMPLE_DIR.iterdir()) > len(rows) + gen.PARTS


def test_words_fit_the_rating():
    text = gen.review_text(gen.random.Random(1), 5, "dress")
    assert any(phrase.format(item="dress").split()[0] in text for phrase in gen.OPENINGS["positive"])
    assert gen.tone(1) == gen.tone(2) == "negative"
    assert gen.tone(3) == "neutral"
    assert gen.tone(4) == gen.tone(5) == "positive"


def test_render_round_trips_through_the_csv_reader():
    text = gen.render(3)
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == gen.COLUMNS
    assert len(parsed) - 1 == sum(gen.CLASS_SIZES.values())
