"""Loading an optional C extension (kernel/compiled.py): the module when it is built and of
the expected version, else None and its Python twin runs; switched off by its variable."""

from __future__ import annotations

import logging
import sys
import types

import pytest

from colony.kernel.compiled import compiled_or_none

NAME = "colony_test_extension"


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    module = types.ModuleType(NAME)
    module.VERSION = 3  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, NAME, module)
    monkeypatch.delenv("COLONY_TEST_PURE", raising=False)
    return module


def test_a_built_extension_of_the_expected_version_is_used(built: types.ModuleType) -> None:
    assert compiled_or_none(NAME, 3, "COLONY_TEST_PURE", "the test's C") is built


@pytest.mark.parametrize(("value", "used"), [("1", False), ("yes", False), ("0", True), ("", True)])
def test_the_variable_switches_it_off(
    built: types.ModuleType, monkeypatch: pytest.MonkeyPatch, value: str, used: bool
) -> None:
    monkeypatch.setenv("COLONY_TEST_PURE", value)
    got = compiled_or_none(NAME, 3, "COLONY_TEST_PURE", "the test's C")
    assert (got is built) is used


def test_another_versions_build_is_not_used_and_says_so(
    built: types.ModuleType, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        assert compiled_or_none(NAME, 4, "COLONY_TEST_PURE", "the test's C") is None
    assert "the test's C is version 3, not 4: rebuild it" in caplog.text


def test_an_extension_not_built_is_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLONY_TEST_PURE", raising=False)
    assert compiled_or_none("colony.no_such_extension", 1, "COLONY_TEST_PURE", "none") is None
