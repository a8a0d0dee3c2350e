"""The attacking suite: the moderation fixtures (accounts made through the service, a
moderator's browser-like client) and the public test data it attacks with."""

from __future__ import annotations

import json
import random

import pytest

from tests.conftest import TESTDATA
from tests.moderation.conftest import (  # noqa: F401 - fixtures used by this package
    PASSWORD,
    ModeratorClient,
    admin,
    held,
    make_moderator,
    mod,
)

# One seed for every sample, so a failing case comes back on the next run.
SEED = 20261130


def naughty_strings() -> list[str]:
    """The Big List of Naughty Strings, or a skip with the reason when it is not there."""
    path = TESTDATA / "blns.json"
    if not path.exists():
        pytest.skip(f"the naughty strings are not at {path} (shared/testdata/blns.json)")
    return [s for s in json.loads(path.read_text(encoding="utf-8")) if isinstance(s, str)]


def xss_payloads(sample: int | None = None) -> list[str]:
    """The public XSS payload list; ``sample`` of them chosen with the fixed seed."""
    path = TESTDATA / "xss-payload-list.txt"
    if not path.exists():
        pytest.skip(f"the XSS payload list is not at {path} (shared/testdata)")
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    payloads = list(dict.fromkeys(line for line in lines if line.strip()))
    if sample is None or sample >= len(payloads):
        return payloads
    return random.Random(SEED).sample(payloads, sample)
