"""Readable colours: WCAG 2 relative luminance and contrast ratio, and the text colour for a label colour.

A chip filled with a label's colour gets dark or light text, whichever contrasts more (WCAG AA asks 4.5:1 for
text; the two candidates below reach it on any fill where either can). Plain Python: tests check every colour.
"""

from __future__ import annotations

DARK_TEXT = "#000000"  # black, not the theme's near-black: with white, one of the two always reaches 4.5:1
LIGHT_TEXT = "#ffffff"
AA_TEXT = 4.5  # normal text
AA_LARGE = 3.0  # large text, and graphical objects such as a chip's outline


def _channel(c: int) -> float:
    v = c / 255
    return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4


def rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(color: str) -> float:
    r, g, b = rgb(color)
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio between two opaque colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(fill: str) -> str:
    """The text colour (dark or white) that reads best on `fill`."""
    return DARK_TEXT if contrast(fill, DARK_TEXT) >= contrast(fill, LIGHT_TEXT) else LIGHT_TEXT


def blend(color: str, over: str, alpha: float) -> str:
    """`color` at `alpha` painted over the opaque `over` (what a translucent fill looks like)."""
    a, b = rgb(color), rgb(over)
    return "#" + "".join(f"{round(x * alpha + y * (1 - alpha)):02x}" for x, y in zip(a, b, strict=True))


def readable_on(color: str, background: str, minimum: float = AA_TEXT) -> str:
    """`color` darkened (on a light background) or lightened (on a dark one) until it reaches `minimum` contrast
    with `background`: a label's own colour used for text, e.g. its name in a list."""
    if contrast(color, background) >= minimum:
        return color
    target = "#000000" if luminance(background) > 0.18 else "#ffffff"
    for step in range(1, 21):
        mixed = blend(target, color, step / 20)
        if contrast(mixed, background) >= minimum:
            return mixed
    return target
