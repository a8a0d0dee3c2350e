"""The rate limits' counters, when the service's own database holds them (``database://``,
the default; commentsvc/limitstore.py): shared by every worker and every instance on it."""

from __future__ import annotations

from sqlalchemy import Float, String
from sqlalchemy.orm import Mapped, mapped_column

from commentsvc.extensions import db


class RateLimitCounter(db.Model):
    """One fixed window of one limit for one reader (``limits``' key: a keyed hash of the
    address, never the address) and how many requests it has counted."""

    key: Mapped[str] = mapped_column(String(500), primary_key=True)
    hits: Mapped[int] = mapped_column(default=0)
    # Seconds since the epoch (as ``limits`` counts): the window ends then, and the row may go.
    expires_at: Mapped[float] = mapped_column(Float, index=True)
