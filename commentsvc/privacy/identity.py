"""A person's email address as the key that finds their data: one normalization everywhere.

Every table that stores an address keeps this form of it in a column of its own, so that
export and erasure match a person exactly (``eva@…`` never finds ``greta.eva@…``).
"""

from __future__ import annotations

import contextlib

from email_validator import EmailNotValidError, validate_email


def normalize_address(email: str | None) -> str:
    """The address as email-validator normalizes it, lower-cased; ``""`` for none.

    An address that does not validate (old imports) is kept trimmed and lower-cased, so it
    can still be found and erased exactly.
    """
    address = (email or "").strip()
    if not address:
        return ""
    with contextlib.suppress(EmailNotValidError):
        address = validate_email(address, check_deliverability=False).normalized
    # lower(), not casefold(): the same as the database's lower() on stored rows.
    return address.lower()
