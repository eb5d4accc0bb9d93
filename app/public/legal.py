"""The legal pages' texts. Every city words its Impressum, Datenschutzerklärung and Erklärung zur
Barrierefreiheit itself: an HTML file in LEGAL_TEXT_DIR replaces the built-in default."""

from __future__ import annotations

from pathlib import Path

from flask import current_app
from markupsafe import Markup

PAGES = ("impressum", "datenschutz", "barrierefreiheit")


def custom_text(page: str) -> Markup | None:
    """The operator's own text for a legal page, or None for the default. The file is the
    operator's, like the templates, so its HTML is trusted."""
    path = Path(current_app.config["LEGAL_TEXT_DIR"]) / f"{page}.html"
    try:
        return Markup(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None
