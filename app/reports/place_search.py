"""The place section of the report form: the address search that works without JavaScript, and
the place description under the map ("Ort: Kölner Straße 5 (ungefähr)").

Without JavaScript the search is a second submit button of the report form: that POST files
nothing, it shows the form again with everything typed and the places found as radio buttons
whose values are "lat,lon". "Übernehmen" (or sending the report) turns the chosen one into the
coordinates. With JavaScript, app/static/js/map.js asks /api/v1/adressen instead."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import request
from flask_babel import gettext as _

from app.addresses.places import place_of
from app.addresses.search import MAX_QUERY, Candidate, search
from app.coordinates import CoordinateError, parse_coordinate
from app.reports.forms import ReportForm

SEARCH = "address_search"  # the "Suchen" button
TAKE = "address_take"  # "Übernehmen" below the places found
# The form's first, invisible submit button: the one Enter in a text field presses. Without it
# Enter in the name or e-mail field would press "Suchen", the first visible one.
ENTER = "enter"
MIN_QUERY = 3
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class PlaceSection:
    """What the place section shows besides its fields."""

    candidates: list[Candidate] = field(default_factory=list)
    query: str = ""
    # Where the page puts the focus when it comes back: "results" (the first place found),
    # "address" (the search field, next to its message) or "place" (the place description).
    focus: str | None = None
    pinned: bool = False  # lat and lon hold a point
    place: str | None = None  # its description, if one is known
    photos_dropped: bool = False  # the browser sent photos that this page cannot keep
    status: int = 200
    max_query: int = MAX_QUERY
    min_query: int = MIN_QUERY


def asked(form: ReportForm) -> bool:
    """This POST asks for a place and files nothing: "Suchen", "Übernehmen", or Enter with a
    search typed while neither coordinates nor a place found are given."""
    if SEARCH in request.form or TAKE in request.form:
        return True
    return (
        request.form.get(ENTER) is not None
        and bool((form.address.data or "").strip())
        and not (form.lat.data or "").strip()
        and not (form.lon.data or "").strip()
        and not form.address_choice.data
    )


def answer(form: ReportForm) -> PlaceSection:
    """The answer to `asked`: the places found, or the chosen one in lat/lon."""
    if TAKE not in request.form:
        return _search(form)
    if not form.address_choice.data:
        return _search(form, _("Bitte wählen Sie einen der gefundenen Orte aus."))
    if take_choice(form):
        return section(form, focus="place")
    return _search(form, form.address.errors[0])


def take_choice(form: ReportForm) -> bool:
    """The chosen place becomes the coordinates. False, with a message beside the search field,
    for a value that is no point; True also when nothing was chosen (nothing changes)."""
    chosen = form.address_choice.data
    if not chosen:
        return True
    try:
        parts = str(chosen).split(",")
        if len(parts) != 2:
            raise CoordinateError(chosen)
        lat = parse_coordinate(parts[0], -90, 90)
        lon = parse_coordinate(parts[1], -180, 180)
    except CoordinateError:
        form.address_choice.data = None
        form.address.errors = [_("Der gewählte Ort ist ungültig. Bitte suchen Sie erneut.")]
        form._errors = None  # WTForms caches form.errors
        return False
    form.lat.data, form.lon.data = _german(lat), _german(lon)
    return True


def section(form: ReportForm, focus: str | None = None, status: int = 200) -> PlaceSection:
    """The place section as it stands: the description of the point in lat/lon, if any."""
    shown = PlaceSection(focus=focus, status=status)
    shown.photos_dropped = request.method == "POST" and bool(form.uploads)
    here = point(form)
    if here is not None:
        shown.pinned = True
        shown.place = place_of(*here)
    form._errors = None
    return shown


def _search(form: ReportForm, problem: str | None = None) -> PlaceSection:
    """The places found for the text in the search field; `problem`: why "Übernehmen" failed."""
    typed = form.address.data or ""
    form.address_choice.data = None
    refused = _refused(typed)
    if refused:
        # Echo back no more than could be searched, and no control characters.
        form.address.data = CONTROL.sub(" ", typed)[:MAX_QUERY]
        return _with_message(form, refused, 422)
    query = " ".join(typed.split())
    found = search(query)
    if not found:
        message = _(
            "Zu „%(q)s“ wurde keine Adresse und kein Stadtteil gefunden. Prüfen Sie die "
            "Schreibweise, suchen Sie nur nach der Straße oder dem Stadtteil, oder geben Sie "
            "den Ort unten als Koordinaten an.",
            q=query,
        )
        return _with_message(form, message, 200)
    form.address_choice.choices = [(_value(c), c.label) for c in found]
    shown = _with_message(form, problem, 422) if problem else section(form, focus="results")
    shown.candidates, shown.query = found, query
    return shown


def _with_message(form: ReportForm, message: str, status: int) -> PlaceSection:
    form.address.errors = [message]
    return section(form, focus="address", status=status)


def _refused(typed: str) -> str | None:
    if len(typed) > MAX_QUERY or CONTROL.search(typed):
        return _("Bitte geben Sie höchstens %(n)d Zeichen ein, ohne Steuerzeichen.", n=MAX_QUERY)
    if len(typed.strip()) < MIN_QUERY:
        return _("Bitte geben Sie mindestens %(n)d Zeichen ein.", n=MIN_QUERY)
    return None


def point(form: ReportForm) -> tuple[float, float] | None:
    """The place typed or set on the map, if it is a valid point."""
    try:
        return (
            parse_coordinate(form.lat.data or "", -90, 90),
            parse_coordinate(form.lon.data or "", -180, 180),
        )
    except CoordinateError:
        return None


def _value(candidate: Candidate) -> str:
    return f"{candidate.lat:.6f},{candidate.lon:.6f}"


def _german(value: float) -> str:
    return f"{value:.6f}".replace(".", ",")
