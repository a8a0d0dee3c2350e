"""The Markdown that Isso's readers typed, as the small set of tags a comment may hold.

Isso stores a comment as typed and renders it as Markdown on every read (mistune, with
strikethrough). What a reader saw there should look the same here, so the common inline
marks become the tags our allowlist keeps: ``**strong**``, ``*em*``/``_em_``, ``~~del~~``,
`` `code` ``, ``[text](https://…)`` and ``> quotation`` lines. Everything else (lists,
headings, code blocks) stays as typed. The result still goes through ``clean_html``, so this
only ever adds tags the allowlist has; a link that is not http(s) stays text.
"""

from __future__ import annotations

import html
import re

_CODE = re.compile(r"`([^`\n]+)`")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s()<>\"']+)\)")
_STRONG = re.compile(r"(\*\*|__)(?=\S)([^\n]+?)(?<=\S)\1")
_EM = re.compile(
    r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])|(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])"
)
_DEL = re.compile(r"~~(?=\S)([^\n]+?)(?<=\S)~~")
_QUOTE = re.compile(r"^ {0,3}>[ ]?")
# Stands for a finished piece (code, a link) while the marks around it are read; made of
# characters a text cannot hold (plain_text removes them), so it never meets a typed one.
_HOLD = "\ufdd0{}\ufdd1"
_HELD = re.compile("\ufdd0(\\d+)\ufdd1")


def to_comment_html(text: str) -> str:
    """``text`` with its Markdown marks as tags; lines starting with ``>`` as quotations."""
    out: list[str] = []
    quote: list[str] = []
    for line in text.split("\n"):
        if _QUOTE.match(line):
            quote.append(_QUOTE.sub("", line, count=1))
            continue
        if quote:
            out.append(f"<blockquote>{_inline(chr(10).join(quote))}</blockquote>")
            quote = []
        out.append(_inline(line))
    if quote:
        out.append(f"<blockquote>{_inline(chr(10).join(quote))}</blockquote>")
    return "\n".join(out)


def _inline(text: str) -> str:
    held: list[str] = []

    def hold(piece: str) -> str:
        held.append(piece)
        return _HOLD.format(len(held) - 1)

    text = _CODE.sub(lambda m: hold(f"<code>{html.escape(m.group(1), quote=False)}</code>"), text)
    text = _LINK.sub(
        lambda m: hold(f'<a href="{html.escape(m.group(2))}">{_marks(m.group(1))}</a>'), text
    )
    text = _marks(text)
    while _HELD.search(text):
        text = _HELD.sub(lambda m: held[int(m.group(1))], text)
    return text


def _marks(text: str) -> str:
    text = _STRONG.sub(r"<strong>\2</strong>", text)
    text = _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", text)
    return _DEL.sub(r"<del>\1</del>", text)
