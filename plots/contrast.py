"""Contrast of data colours against the white of every figure (WCAG 2.1).

A colour map's light end can be too faint to read as a line or marker on white; the
figures pass such colours through :func:`readable`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from matplotlib.colors import to_hex, to_rgb

NON_TEXT_CONTRAST = 3.0
"""The least contrast with white of a line or marker that carries data (WCAG 2.1,
non-text contrast): the light end of a sequential colour map falls short of it."""


def _linear(c: float) -> float:
    """An sRGB channel in linear light."""
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _gamma(c: float) -> float:
    """A linear-light channel in sRGB."""
    return 12.92 * c if c <= 0.0031308 else 1.055 * c ** (1 / 2.4) - 0.055


def _luminance(rgb: Sequence[float]) -> float:
    """Relative luminance of an sRGB colour (WCAG 2.1)."""
    lin = [_linear(c) for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast_on_white(colour: Any) -> float:
    """Contrast ratio of ``colour`` against a white background (1 to 21)."""
    return 1.05 / (_luminance(to_rgb(colour)) + 0.05)


def readable(colour: Any, contrast: float = NON_TEXT_CONTRAST) -> str:
    """``colour`` darkened, keeping its hue, to at least ``contrast`` on white: the
    yellow end of cividis, the fourth of four quantities, was 1.75:1, faint beside the
    others.

    The limit is soft: luminance is left alone up to two thirds of the most the
    contrast allows, and above that it is compressed smoothly toward that most. So
    colours in order of lightness stay in that order and distinct (a hard limit gave
    the lightest two of five milestones the same lightness)."""
    rgb = to_rgb(colour)
    most = 1.05 / (contrast + 0.05) - 0.05  # a margin for the rounding to 8 bits
    knee = 2.0 * most / 3.0
    lum = _luminance(rgb)
    if lum <= knee:
        return to_hex(rgb)
    target = knee + (most - knee) * (1.0 - math.exp(-(lum - knee) / (most - knee)))
    # scaled in linear light, which keeps the hue and scales luminance exactly
    r, g, b = (min(1.0, _gamma(_linear(c) * target / lum)) for c in rgb)
    return to_hex((r, g, b))
