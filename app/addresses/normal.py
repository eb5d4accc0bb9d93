"""How street names and searches are compared: one normal form for both."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

SPELLED_OUT = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
NOT_LETTER_OR_DIGIT = re.compile(r"[^a-z0-9]+")
# "Kölner Str 5a", "Kölner Straße 5 a", "Kölner Str. 5-7" (the first number counts).
WITH_NUMBER = re.compile(r"^(?P<street>.*?\D)\s*(?P<number>\d{1,5})\s*(?P<suffix>[a-zA-Z]?)\b.*$")


def normalise(name: str) -> str:
    """Lower case, umlauts and ß spelled out, accents dropped, "straße"/"strasse"/"str." as
    "str", no spaces, hyphens or dots: "Kölner Straße" and "Koelner-Str." are the same."""
    text = unicodedata.normalize("NFC", name).casefold().translate(SPELLED_OUT)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.replace("strasse", "str")
    return NOT_LETTER_OR_DIGIT.sub("", text)


@dataclass(frozen=True)
class Query:
    street: str  # normalised
    number: int | None = None
    suffix: str = ""


def parse_query(text: str) -> Query:
    """A search as typed: the street, and a house number with its suffix if there is one."""
    match = WITH_NUMBER.match(text.strip())
    # "B 224" is a road, not house 224 of street "B".
    if match is None or len(normalise(match["street"])) < 3:
        return Query(normalise(text))
    return Query(normalise(match["street"]), int(match["number"]), match["suffix"].casefold())


def house_number(raw: str) -> tuple[int, str]:
    """ "12a" -> (12, "a"); ValueError for anything that is no house number."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*([a-zA-Z]{0,3}|/\d{1,3})\s*", raw or "")
    if match is None:
        raise ValueError(f"keine Hausnummer: {raw[:20]!r}")
    return int(match[1]), match[2].casefold()
