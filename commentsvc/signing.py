"""Signed values that expire: itsdangerous's timed serializer, on the services' clock. Only the
form's anti-spam stamp (threads/antispam.py) uses it: a value in a form, never in a link.
Tokens in links are opaque (commentsvc/tokens.py): a signed value is readable by anyone.

``URLSafeTimedSerializer`` signs the moment a token is issued beside its payload and checks
its age in ``loads(..., max_age=...)``. Services take ``now`` rather than read the clock (a
test, a command or an import passes the moment it means), so the signer here takes it too.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class _SignerAt(TimestampSigner):
    """A timestamp signer whose clock stands at the service's ``now``."""

    def __init__(self, *args, now: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._now = int(now.timestamp())

    def get_timestamp(self) -> int:
        return self._now


def timed_serializer(salt: str, now: datetime) -> URLSafeTimedSerializer:
    """A serializer that signs at ``now`` and measures a token's age from ``now``."""
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"],
        salt=salt,
        signer=_SignerAt,
        signer_kwargs={"now": now},
    )
