"""The kinds of setting (a whole number, one of some choices, a flag, a text, a time zone, a
list, a word list): how each checks and cleans a value. The table of settings that uses them
is ``setting_specs.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l

from commentsvc.wordlists import BadEntry, check_entries

# What a database integer column holds: the top of a count that has no natural limit.
LARGEST = 2**31 - 1


class SettingInvalid(ValueError):
    """A value a setting cannot take; ``message`` says what it may be (translatable)."""

    def __init__(self, key: str, message: Any) -> None:
        super().__init__(key, message)
        self.key, self.message = key, message


@dataclass(frozen=True, kw_only=True)
class SettingSpec:
    """One configuration key. ``label`` is its field's label on the settings page (``editable``
    settings) or on a site's page (the other ``per_site`` ones); the installation's own keys
    have none."""

    key: str
    default: Any
    editable: bool = False
    label: Any = None
    # A site may have its own value (``commentsvc site set``; sites/config.py); every
    # setting admins edit is one.
    per_site: bool = False
    # A sentence under the field on the settings page (how to write the value), or None.
    hint: Any = None

    @property
    def of_site(self) -> bool:
        return self.per_site or self.editable

    def check(self, value: Any) -> Any:
        """The value as the service uses it; ``SettingInvalid`` when it cannot be one."""
        raise NotImplementedError

    def refuse(self, message: Any) -> SettingInvalid:
        return SettingInvalid(self.key, message)


@dataclass(frozen=True, kw_only=True)
class WholeNumber(SettingSpec):
    minimum: int = 0
    maximum: int = LARGEST

    def check(self, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.refuse(self.message())
        if not self.minimum <= value <= self.maximum:
            raise self.refuse(self.message())
        return value

    def message(self) -> Any:
        return _l(
            "Enter a whole number from %(minimum)s to %(maximum)s.",
            minimum=self.minimum,
            maximum=self.maximum,
        )


@dataclass(frozen=True, kw_only=True)
class OneOf(SettingSpec):
    """A word from a fixed list; ``choices`` are (value, label) pairs in the form's order."""

    choices: tuple[tuple[str, Any], ...]

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _label in self.choices)

    def check(self, value: Any) -> str:
        if value not in self.values:
            raise self.refuse(_l("Choose one of: %(choices)s.", choices=", ".join(self.values)))
        return value


@dataclass(frozen=True, kw_only=True)
class Flag(SettingSpec):
    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.refuse(_l("Enter true or false."))
        return value


@dataclass(frozen=True, kw_only=True)
class Text(SettingSpec):
    """A string; ``optional`` ones may also be None (not set)."""

    optional: bool = False

    def check(self, value: Any) -> str | None:
        if value is None and self.optional:
            return None
        if not isinstance(value, str):
            # An environment value that parses as JSON (1234, true) is not text: quote it.
            raise self.refuse(_l("Enter text (in an environment variable: a JSON string)."))
        return value


@dataclass(frozen=True, kw_only=True)
class TimeZone(Text):
    """An IANA time zone name (``Europe/Stockholm``): a wrong one would fail every page that
    shows a time, so it is refused where it is set."""

    def check(self, value: Any) -> str:
        name = super().check(value)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.refuse(
                _l("Enter a time zone by its IANA name, like Europe/Stockholm.")
            ) from None
        return name


def _same(item: str) -> str:
    return item


@dataclass(frozen=True, kw_only=True)
class TextList(SettingSpec):
    """A list of strings, or one string of items separated by commas or new lines; each item is
    trimmed and empty ones dropped. None (a form without the field) is the empty list."""

    clean: Callable[[str], str] = _same

    def check(self, value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            value = value.replace(",", "\n").splitlines()
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self.refuse(_l("Enter a list of words."))
        return [self.clean(item.strip()) for item in value if item.strip()]


@dataclass(frozen=True, kw_only=True)
class WordList(TextList):
    """A word list of the moderation policy: each entry must mean something (wordlists.py)."""

    def check(self, value: Any) -> list[str]:
        entries = super().check(value)
        try:
            check_entries(entries)
        except BadEntry as error:
            raise self.refuse(error.message) from None
        return entries
