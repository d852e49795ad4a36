"""The BlazingText family's text normalisation, the same in training and in serving: Unicode NFKC
(so composed and decomposed accents are one token), lower case, words and punctuation marks as
tokens (a regular expression: nothing to download at run time), separated by single spaces, and
no token that BlazingText would read as a label (``__label__...`` in a review is dropped).
BlazingText and fastText split on whitespace, so the model sees the tokens the preparation wrote.

Standard library only: it runs in the preparation's container and in the request adapter's.
"""

from __future__ import annotations

import re
import unicodedata

LABEL_PREFIX = "__label__"
# A run of word characters (letters, digits, underscore, in any script), or one mark that is
# neither a word character nor a space.
TOKEN = re.compile(r"\w+|[^\w\s]")


def normalise(text: str) -> str:
    """The text as the model reads it: its tokens, lower case, separated by single spaces."""
    tokens = TOKEN.findall(unicodedata.normalize("NFKC", str(text)).lower())
    return " ".join(token for token in tokens if not token.startswith(LABEL_PREFIX))


def training_line(sentiment: int, text: str) -> str:
    """One line of BlazingText's supervised input: the label, then the normalised text."""
    return f"{LABEL_PREFIX}{int(sentiment)} {normalise(text)}"


def sentiment_of(label: str) -> int:
    """The sentiment a BlazingText label names (``__label__-1`` is -1); ValueError otherwise."""
    if not isinstance(label, str) or not label.startswith(LABEL_PREFIX):
        raise ValueError(f"label {label!r} does not start with {LABEL_PREFIX}")
    return int(label[len(LABEL_PREFIX):])
