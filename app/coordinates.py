"""Reading a latitude or longitude as people and programs write it."""

from __future__ import annotations

import math

from flask_babel import gettext as _


class CoordinateError(ValueError):
    """A coordinate that is not a number in its range; the message says why, in German."""


def parse_coordinate(raw: str | float | None, low: float, high: float) -> float:
    """A finite decimal number within [low, high]; accepts a German decimal comma."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        value = float(raw)
    else:
        value = _number(raw if isinstance(raw, str) else "")
    if not math.isfinite(value):
        raise CoordinateError(_("Bitte eine endliche Zahl eingeben."))
    if not low <= value <= high:
        raise CoordinateError(
            _("Der Wert muss zwischen %(low)s und %(high)s liegen.", low=low, high=high)
        )
    return value


def _number(raw: str) -> float:
    text = raw.strip().replace(",", ".")
    try:
        # "1_000" is a Python literal, not a coordinate anyone writes.
        if not text or len(text) > 40 or "_" in text:
            raise ValueError
        return float(text)
    except ValueError:
        raise CoordinateError(_("Bitte eine Zahl eingeben, zum Beispiel 51,1657.")) from None
