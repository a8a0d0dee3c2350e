"""Data-subject requests and retention (GDPR): a person's data exported or erased, found by
exact address in every table that holds it (``sources``), and the purge of old data.

The rules these apply (anonymized addresses, the normalized address, avatars) are
``commentsvc.privacy``."""
