"""CI's dependency audit (.ci/audit): fails on a known vulnerability, and says plainly when
pip-audit could not reach its vulnerability source instead of reporting a clean result."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

AUDIT = Path(__file__).resolve().parents[1] / ".ci" / "audit"


def run_audit(tmp_path: Path, report: dict, **env) -> subprocess.CompletedProcess:
    """.ci/audit with a stand-in pip-audit that prints ``report``."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python").symlink_to(sys.executable)
    fake = bin_dir / "pip-audit"
    fake.write_text(f"#!/bin/sh\ncat <<'EOF'\n{json.dumps(report)}\nEOF\n")
    fake.chmod(0o755)
    return subprocess.run(
        [str(bin_dir / "python"), str(AUDIT)],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


CLEAN = {"name": "flask", "version": "3.1.3", "vulns": []}
UNREACHABLE = {"name": "werkzeug", "skip_reason": "Dependency not found on PyPI"}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.5",
    "vulns": [{"id": "GHSA-test-0000-0000", "fix_versions": ["3.1.6"]}],
}


@pytest.mark.parametrize(
    ("dependencies", "env", "code", "says"),
    [
        ([CLEAN], {}, 0, "1 of 1 installed packages audited, 0 known"),
        ([CLEAN, VULNERABLE], {}, 1, "jinja2 3.1.5: GHSA-test-0000-0000 (fixed in 3.1.6)"),
        ([CLEAN, UNREACHABLE], {}, 0, "NOT AUDITED: 1 packages"),
        ([CLEAN, UNREACHABLE], {"COMMENTSVC_AUDIT_REQUIRED": "1"}, 1, "NOT AUDITED"),
    ],
    ids=["clean", "vulnerable", "unreachable", "unreachable-required"],
)
def test_the_audit_fails_on_vulnerabilities_and_names_what_it_could_not_audit(
    tmp_path, dependencies, env, code, says
):
    done = run_audit(tmp_path, {"dependencies": dependencies, "fixes": []}, **env)
    assert done.returncode == code, done.stdout + done.stderr
    assert says in done.stdout + done.stderr
