"""Signed tokens that expire: itsdangerous's timed serializer, on the services' clock.

``URLSafeTimedSerializer`` signs the moment a token is issued beside its payload and checks
its age in ``loads(..., max_age=...)``. Services take ``now`` rather than read the clock (a
test, a command or an import passes the moment it means), so the signer here takes it too.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


# itsdangerous refuses a token "signed in the future" once an age is asked for. Instances'
# clocks differ by a moment (and the timestamp is in whole seconds), so a token issued by one
# and read at once by another could be refused: ages are measured from a little later.
CLOCK_LEEWAY = timedelta(seconds=5)


def timed_reader(salt: str, now: datetime) -> URLSafeTimedSerializer:
    """A serializer to read tokens at ``now``: one issued up to ``CLOCK_LEEWAY`` after it (by
    an instance whose clock is ahead) is accepted; ages count that much longer."""
    return timed_serializer(salt, now + CLOCK_LEEWAY)
