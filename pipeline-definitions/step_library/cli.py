"""Command-line helpers shared by the step scripts."""

from __future__ import annotations

import argparse


def str2bool(value: str) -> bool:
    """A boolean argument as SageMaker passes parameters: true/false (also 1/0, yes/no)."""
    if str(value).lower() in ("true", "1", "yes"):
        return True
    if str(value).lower() in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError(f"{value!r} is not a boolean")


def positive_int(text: str) -> int:
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} is not allowed; expected 1 or more")
    return value
