"""requirements.lock is what every install gets: it must cover pyproject.toml's ranges, pin
each package to one version inside its range, and carry the hash of every file it allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def _locked() -> dict[str, tuple[str, int]]:
    """Locked name -> (version, number of hashes)."""
    pins: dict[str, tuple[str, int]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = _PIN.match(line)
        if match:
            current = canonicalize_name(match.group(1))
            assert current not in pins, f"{current} is pinned twice"
            pins[current] = (match.group(2), 0)
        elif line.strip().startswith("--hash=sha256:") and current is not None:
            version, hashes = pins[current]
            pins[current] = (version, hashes + 1)
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = project["project"]["optional-dependencies"]
    names = project["project"]["dependencies"] + extras["dev"] + extras["train"]
    names += project["build-system"]["requires"]
    return [Requirement(text) for text in names]


def test_every_declared_dependency_is_locked_inside_its_range() -> None:
    locked = _locked()
    outside = {
        req.name: locked.get(canonicalize_name(req.name), ("missing", 0))[0]
        for req in _declared()
        if locked.get(canonicalize_name(req.name), ("", 0))[0] not in req.specifier
        or canonicalize_name(req.name) not in locked
    }
    assert outside == {}, "run scripts/lock and review the diff"


def test_every_locked_file_is_pinned_by_hash() -> None:
    locked = _locked()
    assert len(locked) > 40
    assert [name for name, (_, hashes) in locked.items() if hashes == 0] == []
