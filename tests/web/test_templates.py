"""What every template must hold to, read from the files: no inline script or style (the
Content-Security-Policy would block it), no secret, every form that posts carries the CSRF
field, every input has a label."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "colony"
TEMPLATES = sorted(p for p in SRC.glob("*/templates/*/*.html"))


def test_there_are_templates() -> None:
    assert len(TEMPLATES) > 10


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_inline_script_style_or_handler(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text), "inline <script>"
    assert "<style" not in text and " style=" not in text, "inline style"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"
    assert "javascript:" not in text


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_posted_form_carries_the_csrf_field(path: Path) -> None:
    for form in re.findall(r"<form[^>]*>.*?</form>", path.read_text(), re.S):
        if 'method="post"' in form:
            assert 'name="{{ csrf_field }}" value="{{ csrf }}"' in form, form[:200]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_every_field_has_a_label(path: Path) -> None:
    text = path.read_text()
    labelled = set(re.findall(r'<label for="([a-z_]+)"', text))
    for tag, field_id in re.findall(r'<(input|select|textarea)[^>]*\sid="([a-z_]+)"', text):
        assert field_id in labelled, f"<{tag} id={field_id}> has no <label for>"


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_secret_in_a_template(path: Path) -> None:
    assert not re.search(r"(opk|wtok|mk|sk)_[0-9a-f]{16,}", path.read_text())
