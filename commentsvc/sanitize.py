"""The only module that imports bleach: turns what a reader typed into safe HTML, once."""

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
    text = text.replace("\r\n", "\n").replace("\r", "\n")
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
