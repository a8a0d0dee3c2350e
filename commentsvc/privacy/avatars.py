"""Identicons drawn from an avatar key: no outside service, no email in the picture."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

GRID = 5
CELL = 8
SIZE = GRID * CELL


def identicon_svg(key: str) -> str:
    """A symmetric 5×5 pattern in one colour, both taken from the hex ``key``."""
    digest = bytes.fromhex(key.ljust(32, "0")[:32])
    hue = int.from_bytes(digest[:2], "big") % 360
    colour = f"hsl({hue}, 55%, 45%)"
    bits = int.from_bytes(digest[2:], "big")
    cells = []
    half = (GRID + 1) // 2
    for row in range(GRID):
        for col in range(half):
            if bits >> (row * half + col) & 1:
                for x in {col, GRID - 1 - col}:
                    cells.append(
                        f'<rect x="{x * CELL}" y="{row * CELL}" width="{CELL}" height="{CELL}"/>'
                    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}">'
        f'<rect width="{SIZE}" height="{SIZE}" fill="#f0f0f0"/>'
        f"<g fill={quoteattr(colour)}>{''.join(cells)}</g></svg>"
    )
