"""The only module that imports bleach: turns what a reader typed into safe HTML, once."""

from __future__ import annotations

import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter

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


# A tag outside the allowlist is shown as typed (escaped), never run or silently dropped.
_first_pass = bleach.Cleaner(
    tags=ALLOWED_TAGS | {"br"},
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=False,
    filters=[partial(LinkifyFilter, callbacks=[_mark_user_link], skip_tags={"code"})],
)
# Issue 5: imported comments are HTML that the old site already published under its own rules
# (WordPress's kses, Disqus's editor), not text typed into our form. A tag outside the allowlist
# is dropped and its text kept, so readers see what they saw before instead of raw markup.
_first_pass_imported = bleach.Cleaner(
    tags=ALLOWED_TAGS | {"br"},
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_mark_user_link], skip_tags={"code"})],
)
# After paragraphs are added, a second pass re-balances tags that a paragraph split apart.
_second_pass = bleach.Cleaner(
    tags=ALLOWED_TAGS | {"p", "br"},
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
)


def clean_html(text: str, *, imported: bool = False) -> str:
    """The HTML shown for a comment typed as ``text``: safe tags, links, paragraphs, breaks.

    ``imported``: the text comes from another comment system; unknown tags are stripped.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _TYPED_PARAGRAPH.sub("\n\n", text).strip()
    if not text:
        return ""
    html = (_first_pass_imported if imported else _first_pass).clean(text)
    paragraphs = (p.strip().replace("\n", "<br>\n") for p in _PARAGRAPH_BREAK.split(html))
    html = _second_pass.clean("".join(f"<p>{p}</p>" for p in paragraphs if p))
    # A block (a quotation) closes the paragraph around it, leaving empty ones behind.
    return _EMPTY_PARAGRAPH.sub("", html)


def count_links(html: str) -> int:
    """How many links the sanitized HTML holds (typed and linkified alike)."""
    return len(_LINK.findall(html))
