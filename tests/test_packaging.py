"""What the wheel is made of (the wheel itself is built and served in tests/test_wheel.py)."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_python_package_of_the_source_goes_into_the_wheel():
    """pyproject.toml lists the packages (templates/ is mapped in): a new one must be added."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "commentsvc").rglob("__init__.py")
    }
    assert found - listed == set()
    assert "commentsvc.templates" in listed
