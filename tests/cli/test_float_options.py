"""Every float option of the CLI refuses NaN and infinity before its command runs, naming
the option: Click's ranges let NaN through (every comparison with it is false)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from colony.cli.main import app


def _float_options() -> list[tuple[list[str], str]]:
    """(the command's words, the option) for every float option of every command."""
    found: list[tuple[list[str], str]] = []

    def walk(command: Any, words: list[str]) -> None:
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*words, name])
        for param in command.params:
            # By the type's name: Typer carries its own copy of Click's classes.
            if param.param_type_name == "option" and param.type.name in ("float", "float range"):
                found.append((words, param.opts[0]))

    walk(typer.main.get_command(app), [])
    return found


FLOAT_OPTIONS = _float_options()


def test_the_cli_has_float_options() -> None:
    assert (["simulate", "market"], "--payments-per-day") in FLOAT_OPTIONS
    assert (["demo"], "--expiry-wait") in FLOAT_OPTIONS


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
@pytest.mark.parametrize(
    ("words", "option"), FLOAT_OPTIONS, ids=[" ".join([*w, o]) for w, o in FLOAT_OPTIONS]
)
def test_a_float_option_refuses_what_is_not_a_finite_number(
    words: list[str], option: str, value: str, tmp_path: Path
) -> None:
    # A database of the test's own, should a command ever run past its options.
    env = {"COLONY_DATABASE_URL": f"sqlite:///{tmp_path}/colony.db"}
    result = CliRunner().invoke(app, [*words, option, value], env=env)
    assert result.exit_code == 2, result.output
    said = " ".join(re.sub("[│╭╮╰╯─]", " ", result.stderr).split())  # out of Rich's box
    # An infinity past a bound is refused by the range first, which names the option too.
    assert option in said and ("must be a finite number" in said or "not in the range" in said)
    if value == "nan":
        assert f"must be a finite number, not {value}" in said
