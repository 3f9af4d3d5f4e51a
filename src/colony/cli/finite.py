"""The values a float option takes: finite ones only.

Click's FloatRange compares a value with its bounds, and every comparison with NaN is false,
so `nan` passes any range (and `inf` any range without a maximum): a simulation of NaN
payments a day then makes none without a word, and a wait of NaN fails deep inside, after the
demo has half run. Every float option takes `callback=finite`, refused before the command
runs; tests/cli/test_float_options.py holds every float option of the CLI to it.
"""

from __future__ import annotations

import math

import typer


def finite(value: float) -> float:
    """`value`, if it is a number; a usage error naming the option (exit 2) if NaN or infinite."""
    if not math.isfinite(value):
        raise typer.BadParameter(f"must be a finite number, not {value}")
    return value
