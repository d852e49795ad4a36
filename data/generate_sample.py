#!/usr/bin/env python3
"""Generate the synthetic sample of the Women's E-Commerce Clothing Reviews dataset.

The original dataset is no longer public. This script writes a small stand-in with the same
columns, the same kinds of values and a realistic imbalance (category sizes about a tenth of the
original's, mostly positive ratings, a few categories with ten reviews or fewer, some missing
titles and review texts), and review texts that contain commas, quotes and line breaks so that
every reader of the file must handle CSV quoting.

The sample is written as PARTS files of about the same number of reviews, each with the header,
as raw data arrives at scale: the preparation step's instances share the files between them
(ShardedByS3Key shards by object), so one file could feed only one instance.

The output is deterministic for a given seed:

    python3 data/generate_sample.py                # writes data/sample/reviews/...-part-N.csv
    python3 data/generate_sample.py --check        # fails if the committed files differ
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import sys
from pathlib import Path

COLUMNS = [
    "Clothing ID",
    "Age",
    "Title",
    "Review Text",
    "Rating",
    "Recommended IND",
    "Positive Feedback Count",
    "Division Name",
    "Department Name",
    "Class Name",
]

# Reviews per class (Class Name) in the sample, about a tenth of the original's sizes; the two
# smallest classes keep their original counts so that the "drop categories with at most ten
# reviews" rule of the course has something to drop.
CLASS_SIZES = {
    "Dresses": 615,
    "Knits": 463,
    "Blouses": 298,
    "Sweaters": 138,
    "Pants": 135,
    "Jeans": 110,
    "Fine gauge": 110,
    "Skirts": 95,
    "Jackets": 70,
    "Lounge": 69,
    "Swim": 35,
    "Outerwear": 33,
    "Shorts": 32,
    "Sleep": 23,
    "Legwear": 17,
    "Intimates": 15,
    "Layering": 15,
    "Trend": 12,
    "Casual bottoms": 2,
    "Chemises": 1,
}

DEPARTMENTS = {
    "Dresses": "Dresses",
    "Knits": "Tops",
    "Blouses": "Tops",
    "Sweaters": "Tops",
    "Fine gauge": "Tops",
    "Pants": "Bottoms",
    "Jeans": "Bottoms",
    "Skirts": "Bottoms",
    "Shorts": "Bottoms",
    "Casual bottoms": "Bottoms",
    "Jackets": "Jackets",
    "Outerwear": "Jackets",
    "Lounge": "Intimate",
    "Swim": "Intimate",
    "Sleep": "Intimate",
    "Legwear": "Intimate",
    "Intimates": "Intimate",
    "Layering": "Intimate",
    "Chemises": "Intimate",
    "Trend": "Trend",
}

# What a reviewer calls one product of a class.
ITEMS = {
    "Dresses": "dress",
    "Knits": "top",
    "Blouses": "blouse",
    "Sweaters": "sweater",
    "Fine gauge": "sweater",
    "Pants": "pair of pants",
    "Jeans": "pair of jeans",
    "Skirts": "skirt",
    "Shorts": "pair of shorts",
    "Casual bottoms": "pair of joggers",
    "Jackets": "jacket",
    "Outerwear": "coat",
    "Lounge": "lounge set",
    "Swim": "swimsuit",
    "Sleep": "nightgown",
    "Legwear": "pair of leggings",
    "Intimates": "bralette",
    "Layering": "camisole",
    "Chemises": "chemise",
    "Trend": "piece",
}

# Share of each star rating in the original dataset.
RATING_WEIGHTS = {5: 0.559, 4: 0.216, 3: 0.122, 2: 0.067, 1: 0.036}

MISSING_TITLE_RATE = 0.16
MISSING_TEXT_RATE = 0.036

OPENINGS = {
    "positive": [
        "I love this {item}",
        "Absolutely beautiful {item}",
        "This {item} is perfect",
        "So happy with this {item}",
        "Great {item}, great price",
        "My new favorite {item}",
    ],
    "neutral": [
        "This {item} is okay",
        "Not bad, not great",
        "The {item} is fine",
        "Mixed feelings about this {item}",
        "Decent {item}",
    ],
    "negative": [
        "Really disappointed with this {item}",
        "This {item} did not work for me",
        "Sadly, the {item} is going back",
        "Poor quality {item}",
        "I wanted to love this {item}",
    ],
}

DETAILS = {
    "positive": [
        "the fabric is soft, light and drapes nicely",
        "it fits true to size and the length is just right",
        "the color is even prettier in person",
        "I got so many compliments the first time I wore it",
        'the cut is "flattering" on my petite frame',
        "it washes well and keeps its shape",
        "I ordered my usual size and it was perfect",
    ],
    "neutral": [
        "the fabric is thinner than I expected",
        "it runs a little large, so consider sizing down",
        "the color is nice but not as shown",
        "it is comfortable, though the fit is boxy",
        'the "stretch" is minimal, but it works',
        "the length is odd for my height",
    ],
    "negative": [
        "the fabric is scratchy, thin and see-through",
        "the sizing is way off, it was huge on me",
        "the seams started to come apart after one wash",
        "the color looked nothing like the picture",
        'it was "one size fits none", unfortunately',
        "the zipper broke the first time I wore it",
    ],
}

CLOSINGS = {
    "positive": ["Highly recommend!", "Buying it in another color.", "Worth every penny.", ""],
    "neutral": ["Might keep it.", "Wish it were better.", "It is just okay.", ""],
    "negative": ["Returned it.", "Would not recommend.", "Save your money.", ""],
}

TITLES = {
    "positive": ["Love it!", "Perfect", "Beautiful {item}", "So comfortable", "Great buy"],
    "neutral": ["Just okay", "Nice, but...", "Runs large", "Cute but thin", "Fine"],
    "negative": ["Disappointed", "Returned", "Poor quality", "Not as pictured", "Huge"],
}


def tone(rating: int) -> str:
    """The tone of the words of a review with this rating."""
    if rating >= 4:
        return "positive"
    if rating == 3:
        return "neutral"
    return "negative"


def review_text(rng: random.Random, rating: int, item: str) -> str:
    """A review whose words fit its rating; some have commas, quotes or a line break."""
    mood = tone(rating)
    parts = [rng.choice(OPENINGS[mood]).format(item=item) + "."]
    for detail in rng.sample(DETAILS[mood], k=rng.randint(1, 3)):
        parts.append(detail[0].upper() + detail[1:] + ".")
    closing = rng.choice(CLOSINGS[mood])
    if closing:
        parts.append(closing)
    separator = "\n" if rng.random() < 0.05 else " "
    return separator.join(parts)


def rows(seed: int) -> list[list[str]]:
    """All rows of the sample, shuffled, deterministic for a seed."""
    rng = random.Random(seed)
    ratings = list(RATING_WEIGHTS)
    weights = list(RATING_WEIGHTS.values())
    result = []
    clothing_ids: dict[str, list[int]] = {}
    for index, (product_class, size) in enumerate(CLASS_SIZES.items()):
        clothing_ids[product_class] = [1000 + index * 50 + i for i in range(rng.randint(3, 12))]
        department = DEPARTMENTS[product_class]
        item = ITEMS.get(product_class, product_class.lower())
        for _ in range(size):
            rating = rng.choices(ratings, weights)[0]
            mood = tone(rating)
            if department == "Intimate":
                division = "Initmates"  # sic: the original dataset spells it so
            else:
                division = "General" if rng.random() < 0.6 else "General Petite"
            recommended = 1 if rating >= 4 else 0 if rating <= 2 else int(rng.random() < 0.4)
            title = "" if rng.random() < MISSING_TITLE_RATE else rng.choice(TITLES[mood]).format(item=item)
            text = "" if rng.random() < MISSING_TEXT_RATE else review_text(rng, rating, item)
            result.append(
                [
                    str(rng.choice(clothing_ids[product_class])),
                    str(rng.randint(18, 85)),
                    title,
                    text,
                    str(rating),
                    str(recommended),
                    str(min(int(rng.expovariate(0.4)), 120)),
                    division,
                    department,
                    product_class,
                ]
            )
    rng.shuffle(result)
    return result


def _csv(records: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(records)
    return buffer.getvalue()


def render(seed: int) -> str:
    """The whole sample as one CSV text (header, minimal quoting, Unix line endings)."""
    return _csv(rows(seed))


PARTS = 4
PART_NAME = "womens_clothing_ecommerce_reviews-part-{n}.csv"


def render_parts(seed: int, parts: int = PARTS) -> dict[str, str]:
    """The sample as ``parts`` CSV files (file name → text), each with the header: the reviews of
    :func:`render` in order, in runs of about the same size."""
    records = rows(seed)
    size = -(-len(records) // parts)
    return {PART_NAME.format(n=n + 1): _csv(records[n * size : (n + 1) * size]) for n in range(parts)}


DEFAULT_OUTPUT = Path(__file__).resolve().parent / "sample" / "reviews"
DEFAULT_SEED = 42


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="the folder of the part files")
    parser.add_argument("--check", action="store_true", help="fail if the folder holds other files or other contents")
    args = parser.parse_args(argv)
    texts = render_parts(args.seed)
    if args.check:
        present = {p.name: p.read_text(encoding="utf-8") for p in args.output.glob("*") if p.is_file()} if args.output.is_dir() else {}
        if present != texts:
            print(f"{args.output} does not hold what seed {args.seed} generates ({', '.join(texts)}); run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    args.output.mkdir(parents=True, exist_ok=True)
    for stale in args.output.glob("*.csv"):
        if stale.name not in texts:
            stale.unlink()
    for name, text in texts.items():
        (args.output / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(rows(args.seed))} reviews in {len(texts)} files to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
