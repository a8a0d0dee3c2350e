"""The rules for personal data, used from the models up: what of an address or an email may be
kept, and in what form (anonymized IPs, keyed avatars, the normalized address that finds a
person exactly). Export, erasure and retention, which apply them, are ``commentsvc.gdpr``."""
