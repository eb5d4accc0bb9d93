"""The language of a citizen's mails, from what their browser asks for."""

from __future__ import annotations

from flask import request

LANGUAGES = ("de", "en")


def preferred_language() -> str:
    """German unless the browser prefers English (the mails exist in both)."""
    return request.accept_languages.best_match(LANGUAGES, default="de")
