"""Proof of work (ALTCHA, self-hosted): when a site turns ``PROOF_OF_WORK`` on, its form
carries a challenge our server made, the reader's browser solves it with our own script
(``static/altcha.js``: SHA-256 through the browser's SubtleCrypto, no request elsewhere), and
the server checks the solution here before the comment may be published at once.

A challenge is signed with a key derived from ``SECRET_KEY``, names its site, expires after
``CHALLENGE_LIFETIME`` and is spent once: its digest is kept as a ``LinkToken`` until it
expires (the tokens' purge deletes it), so a solution sent twice, to any worker or instance,
counts once. A comment without a valid solution (no JavaScript, a forged or reused one) is
held for a moderator (``no-proof-of-work``), never lost or refused.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import altcha
from flask import current_app
from sqlalchemy.exc import IntegrityError

from commentsvc.extensions import db
from commentsvc.models.tokens import LinkToken, TokenPurpose

FIELD = "altcha"  # the form's and the API's field, as ALTCHA's widget names it
ALGORITHM = "SHA-256"
# The largest number the browser may have to try: about 100,000 hashes, a second or two on a
# phone, half of that on average; a program that sends thousands of comments pays for each.
MAX_NUMBER = 100_000
# Long enough to write a comment after the form was shown; the embed fetches a new one
# after each post.
CHALLENGE_LIFETIME = timedelta(hours=2)
LONGEST_PAYLOAD = 2000  # a solution is about 400 characters; anything longer is not one
REASON = "no-proof-of-work"


def required(config: Mapping[str, Any]) -> bool:
    """Whether the site's forms carry a challenge (``PROOF_OF_WORK``)."""
    return bool(config.get("PROOF_OF_WORK"))


def issue_challenge(site_id: str, now: datetime) -> dict[str, Any]:
    """A new challenge for one form of ``site_id``, as ALTCHA's widget and our solver read it
    (``algorithm``, ``challenge``, ``maxNumber``, ``salt``, ``signature``)."""
    challenge = altcha.create_challenge_v1(
        algorithm=ALGORITHM,
        max_number=MAX_NUMBER,
        hmac_key=_key(),
        expires=now + CHALLENGE_LIFETIME,
        params={"site": site_id},
    )
    return challenge.to_dict()


def proof_reasons(
    site_id: str, config: Mapping[str, Any], payload: str, now: datetime
) -> list[str]:
    """``[REASON]`` when the site asks for proof of work and ``payload`` is not a valid,
    unspent solution of one of its challenges; a valid one is spent here."""
    if not required(config):
        return []
    return [] if spend(payload, site_id=site_id, now=now) else [REASON]


def spend(payload: str | None, *, site_id: str, now: datetime) -> bool:
    """Check a solution (base64 JSON, as ALTCHA's widget sends it) and spend its challenge.

    False when it is missing, malformed, signed with another key, for another site, expired,
    or spent before.
    """
    solution = _parsed(payload)
    if solution is None:
        return False
    expires = _expires(solution, site_id)
    if expires is None or expires <= now:
        return False
    valid, _error = altcha.verify_solution_v1(solution, _key(), check_expires=False)
    if not valid:
        return False
    digest = hashlib.sha256(f"{FIELD}:{solution['challenge']}".encode()).hexdigest()
    spent = LinkToken(
        token_digest=digest,
        purpose=TokenPurpose.PROOF_OF_WORK,
        created_at=now,
        expires_at=expires,
        used_at=now,
    )
    # The unique digest decides between two posts of one solution, on any instance.
    try:
        with db.session.begin_nested():
            db.session.add(spent)
    except IntegrityError:
        return False
    return True


def _key() -> bytes:
    # A key of its own, derived from the secret: a signature made here proves nothing else.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"commentsvc proof of work", hashlib.sha256).digest()


def _parsed(payload: str | None) -> dict[str, Any] | None:
    """The solution's fields when they have the types ALTCHA sends, else None."""
    if not payload or len(payload) > LONGEST_PAYLOAD:
        return None
    try:
        solution = json.loads(base64.b64decode(payload, validate=True))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(solution, dict) or solution.get("algorithm") != ALGORITHM:
        return None
    number = solution.get("number")
    if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= MAX_NUMBER:
        return None
    if not all(isinstance(solution.get(k), str) for k in ("challenge", "salt", "signature")):
        return None
    return solution


def _expires(solution: dict[str, Any], site_id: str) -> datetime | None:
    """When the challenge expires, if it names ``site_id`` and an expiry (ours always do)."""
    _nonce, expires, params = altcha.PayloadV1.from_dict(solution).parse_salt()
    if expires is None or params.get("site") != [site_id]:
        return None
    try:
        return datetime.fromtimestamp(expires, UTC)
    except (OverflowError, OSError, ValueError):
        return None
