"""Which characters a report's texts may hold: shared by the rulebook and its parts."""

from __future__ import annotations

import re
import unicodedata

# Control characters (NUL, escape sequences …) have no place in a report; newlines and tabs do.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A name is one line: no line breaks or tabs either (it may end up in a mail header).
LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ufffe\uffff]")


def shown_again(typed: str | None, limit: int) -> str:
    """A refused text goes back into its field so nothing typed is lost: without control
    characters, and not without end (four times the limit)."""
    text = "".join(c for c in (typed or "") if c in "\n\t" or unicodedata.category(c) != "Cc")
    return text[: 4 * limit]
