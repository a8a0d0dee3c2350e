"""The instance config of a checkout, as ``make run`` writes it.

``python -m commentsvc.localconfig instance/config.py http://127.0.0.1:5000`` writes a random
``SECRET_KEY`` the first time (never committed), and the demo's address as ``PUBLIC_URL`` on
every run, for the ``HOST`` and ``PORT`` of that run: every ``flask --app commentsvc`` command
in the checkout then starts too, not only the server. The configuration's layers keep a
person's own ``COMMENTSVC_PUBLIC_URL`` winning, and a ``PUBLIC_URL`` they wrote into the file
themselves is left alone. Standard library only: it runs before the service can start.
"""

from __future__ import annotations

import re
import secrets
import sys
from pathlib import Path

# The line this writes ends with this, so that the next run can tell it from a person's own.
MARK = "# make run: the demo's address"
_ASSIGNS = re.compile(r"\s*(SECRET_KEY|PUBLIC_URL)\s*=")


def write_local_config(path: Path, public_url: str) -> bool:
    """Write ``path`` for the local demo at ``public_url``; True when it made a new secret."""
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    lines = [line for line in lines if not line.endswith(MARK)]
    assigned = {m.group(1) for m in map(_ASSIGNS.match, lines) if m}
    new_secret = "SECRET_KEY" not in assigned
    if new_secret:
        lines.insert(0, f"SECRET_KEY = {secrets.token_hex(32)!r}")
    if "PUBLIC_URL" not in assigned:
        lines.append(f"PUBLIC_URL = {public_url!r}  {MARK}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return new_secret


def main(argv: list[str]) -> None:
    path, public_url = Path(argv[0]), argv[1]
    if write_local_config(path, public_url):
        print(f"Wrote {path} with a new SECRET_KEY.")


if __name__ == "__main__":
    main(sys.argv[1:])
