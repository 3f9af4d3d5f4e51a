"""docs/result-codes.md is generated from the enums; this keeps it from going stale."""

from pathlib import Path

from colony.ledger.results import reference_markdown

DOC = Path(__file__).resolve().parents[2] / "docs" / "result-codes.md"


def test_result_code_reference_is_current() -> None:
    assert DOC.read_text() == reference_markdown(), "regenerate docs/result-codes.md"
