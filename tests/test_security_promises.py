"""SECURITY.md lists each promise with the tests that hold it: every promise names at least one
test, and every test it names exists (a renamed or deleted test would leave a promise that
nothing holds). docs/security.md names its tests the same way and is held to them too."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# `tests/x.py::test_name`, `tests/x.py` (a whole file), or `::test_name` (the file named before).
NAMED = re.compile(r"`(tests/[\w/]+\.py)?(?:::(\w+))?(?:\[[^\]`]*\])?`")


def promises() -> list[str]:
    text = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    section = text.split("## What the service promises", 1)[1].split("\n## ", 1)[0]
    # One promise per bullet, its lines joined.
    return [b.replace("\n  ", " ") for b in re.split(r"\n- ", section)[1:]]


@cache
def functions(path: str) -> frozenset[str]:
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    return frozenset(n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef))


def named_tests(text: str) -> list[tuple[str, str | None]]:
    """The (file, test or None) pairs a text names, a bare ``::name`` taking the last file."""
    found, last = [], None
    for path, name in NAMED.findall(text):
        if path:
            last = path
        elif not name or last is None:
            continue
        found.append((path or last, name or None))
    return found


def missing(text: str) -> list[str]:
    gone = []
    for path, name in named_tests(text):
        if not (ROOT / path).is_file():
            gone.append(path)
        elif name and name not in functions(path):
            gone.append(f"{path}::{name}")
    return gone


@pytest.mark.parametrize("promise", promises(), ids=lambda p: p[:60])
def test_every_promise_in_security_md_names_a_test_that_exists(promise):
    assert named_tests(promise), f"names no test: {promise[:120]}"
    assert not missing(promise), missing(promise)


def test_the_promises_are_read_whole():
    # A near miss for the parser above: the section has many promises, each with a name.
    found = promises()
    assert len(found) >= 30
    assert all(p.startswith("**") for p in found)


def test_every_test_named_in_docs_security_md_exists():
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    assert len(named_tests(text)) > 50
    assert not missing(text)


def test_a_renamed_test_is_caught():
    assert missing("`tests/test_security_promises.py::test_that_does_not_exist`")
    assert missing("`tests/no_such_file.py`")
    assert not missing(
        "`tests/test_security_promises.py::test_a_renamed_test_is_caught`, "
        "`::test_the_promises_are_read_whole`"
    )
