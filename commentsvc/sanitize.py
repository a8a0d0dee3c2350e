"""What people type, made safe once when it is written: plain lines and texts without control
characters (``plain_line``, ``plain_text``), and the HTML shown for a comment (``clean_html``,
the only place that imports bleach)."""

from __future__ import annotations

import re
import threading
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import bleach

# bleach (with html5lib) is imported by the first comment cleaned, not by every worker at
# start: a worker that only reads never needs it (memory per worker).

# WordPress's allowed comment tags ($allowedtags); paragraphs and breaks are allowed too, and
# added where the text has blank lines and new lines.
ALLOWED_TAGS = frozenset(
    {"a", "abbr", "b", "blockquote", "cite", "code", "del", "em", "i", "q", "s", "strike", "strong"}
)
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "abbr": ["title"],
    "blockquote": ["cite"],
    "del": ["datetime"],
    "q": ["cite"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_TYPED_PARAGRAPH = re.compile(r"</?p\s*>", re.IGNORECASE)
_EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")
_LINK = re.compile(r"<a\s", re.IGNORECASE)


# --- plain text: one rule for every surface -----------------------------------------------------
# A control character or a line separator in a name ends up in a mail's Subject (where
# EmailMessage refuses it and stopped every mail behind it) and in the Atom feeds (where XML
# 1.0 forbids it and every reader's parser fails). The form, the API, the iframe, edits,
# imports, staff replies and reports all write names and texts through these two functions
# (the forms' filters, and ``threads.rows.new_comment`` again), so no surface can store one.

# Characters that break a line somewhere (str.splitlines splits on all of them, and so does the
# email package's header parser): in a text they become a new line, in a name a space.
_LINE_BREAKS = "\n\v\f\r\x1c\x1d\x1e\x85\u2028"
# Everything else that is not text: C0 and C1 controls, lone surrogates (a JSON "\\ud800"),
# and the noncharacters U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane.
_NOT_TEXT = re.compile(
    "[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0, 0x110000, 0x10000)
    )
    + "]"
)
_NEWLINE = re.compile(f"\r\n|[{_LINE_BREAKS}]")
_PARAGRAPH_SEPARATOR = "\u2029"
_LINE_SPACE = re.compile(f"[\t{_LINE_BREAKS}{_PARAGRAPH_SEPARATOR}]+")


def plain_text(value: str) -> str:
    """A multi-line text (a comment, an explanation) as stored: every kind of line break is
    ``\\n`` (U+2029, the paragraph separator, a blank line), a tab is a space, and every other
    control, separator or noncharacter is gone."""
    value = value.replace(_PARAGRAPH_SEPARATOR, "\n\n").replace("\t", " ")
    return _NOT_TEXT.sub("", _NEWLINE.sub("\n", value))


def plain_line(value: str) -> str:
    """A one-line value (a name, a title, a mail header): each run of line breaks and tabs is
    one space, every other control, separator or noncharacter is gone. (An address is not
    mended so: the forms refuse one that holds such a character.)"""
    return _NOT_TEXT.sub("", _LINE_SPACE.sub(" ", value))


# What XML 1.0 cannot carry at all (its Char production), for documents built from rows that
# may predate the rule above: one such character makes the whole document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_chars(document: str) -> str:
    """``document`` without the characters XML 1.0 forbids (old rows written before
    ``plain_text`` may hold them); everything else is left as it is."""
    return _NOT_XML.sub("", document)


# --- HTML ---------------------------------------------------------------------------------------
def _mark_user_link(attrs: dict, new: bool = False) -> dict:
    """Every link, typed or found in the text, is marked as user content and not followed."""
    attrs[(None, "rel")] = LINK_REL
    return attrs


# A bleach Cleaner keeps parser state while it cleans and is not thread-safe (bleach says so):
# shared by gunicorn's threads it mixed up concurrent comments (found by the 200-writer test).
# Each thread builds its own set once.
_per_thread = threading.local()


def _first_pass(*, strip: bool) -> bleach.Cleaner:
    import bleach
    from bleach.linkifier import LinkifyFilter

    return bleach.Cleaner(
        tags=ALLOWED_TAGS | {"br"},
        attributes=ALLOWED_ATTRIBUTES,
        protocols=ALLOWED_PROTOCOLS,
        strip=strip,
        strip_comments=True,
        filters=[partial(LinkifyFilter, callbacks=[_mark_user_link], skip_tags={"code"})],
    )


def _cleaners() -> tuple[bleach.Cleaner, bleach.Cleaner, bleach.Cleaner]:
    """(typed, imported, second pass) cleaners of this thread."""
    if not hasattr(_per_thread, "cleaners"):
        import bleach

        _per_thread.cleaners = (
            # A tag outside the allowlist is shown as typed (escaped), never run or dropped.
            _first_pass(strip=False),
            # Imported comments are HTML the old site already published under its own
            # rules (WordPress's kses, Disqus's editor), not text typed into our form. A tag
            # outside the allowlist is dropped and its text kept, so readers see what they saw.
            _first_pass(strip=True),
            # After paragraphs are added, a second pass re-balances tags a paragraph split apart.
            bleach.Cleaner(
                tags=ALLOWED_TAGS | {"p", "br"},
                attributes=ALLOWED_ATTRIBUTES,
                protocols=ALLOWED_PROTOCOLS,
                strip=True,
            ),
        )
    return _per_thread.cleaners


def clean_html(text: str, *, imported: bool = False) -> str:
    """The HTML shown for a comment typed as ``text``: safe tags, links, paragraphs, breaks.

    ``imported``: the text comes from another comment system; unknown tags are stripped.
    """
    text = plain_text(text)
    text = _TYPED_PARAGRAPH.sub("\n\n", text).strip()
    if not text:
        return ""
    typed, imported_pass, second_pass = _cleaners()
    html = (imported_pass if imported else typed).clean(text)
    paragraphs = (p.strip().replace("\n", "<br>\n") for p in _PARAGRAPH_BREAK.split(html))
    html = second_pass.clean("".join(f"<p>{p}</p>" for p in paragraphs if p))
    # A block (a quotation) closes the paragraph around it, leaving empty ones behind.
    return _EMPTY_PARAGRAPH.sub("", html)


def count_links(html: str) -> int:
    """How many links the sanitized HTML holds (typed and linkified alike)."""
    return len(_LINK.findall(html))


_TAG = re.compile(r"<[^>]*>")


def shows_text(text: str) -> bool:
    """Whether ``text`` holds anything a reader would see beyond markup: ``<script></script>``
    or ``<b> </b>`` does not. (``clean_html`` shows an unknown tag as typed, so its result is
    never empty for them; a moderator's reply or edit of nothing but markup is refused.)"""
    import html

    cleaned = clean_html(text, imported=True)  # unknown tags dropped, their text kept
    return bool(html.unescape(_TAG.sub("", cleaned)).strip())
