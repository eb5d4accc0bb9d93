"""Adding, listing and removing other bodies. Every door (the CLI, the admin pages) hands a
BodySpec to `add_body`, which checks all fields and, for an Open311 body, reads its services
list once: the URL answers, the key is accepted, and our categories are mapped to their service
codes. Nothing here commits."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon
from shapely.ops import unary_union
from sqlalchemy import func, select

from app.districts.service import read_geometry
from app.exchange.open311_client import Peer
from app.exchange.transport import PermanentError, RetryableError
from app.extensions import db
from app.models import ApiKey, Body, Category
from app.reports.rules import LINE_CONTROL, optional_email

FIELDS = (
    "name",
    "email",
    "open311_url",
    "api_key",
    "jurisdiction",
    "area",
    "categories",
    "partner_key",
)
TOKEN = re.compile(r"^[^\s\x00-\x1f\x7f]{1,200}$")


class BodyRefused(Exception):
    """One German message per field (FIELDS); nothing was stored."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = {name: errors[name] for name in FIELDS if name in errors}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class BodySpec:
    name: str
    email: str | None = None
    open311_url: str | None = None
    api_key: str | None = None
    jurisdiction: str | None = None
    # GeoJSON text (a FeatureCollection, a Feature or a geometry): the polygons become one area.
    area_geojson: str | bytes | None = None
    categories: Sequence[str] = ()
    # Our category code -> theirs, where their services list does not name ours.
    service_codes: dict[str, str] = field(default_factory=dict)
    # The name of our Open311 key that this body uses to post updates back to us.
    partner_key: str | None = None


def add_body(spec: BodySpec) -> Body:
    errors: dict[str, str] = {}
    name = _name(spec.name, errors)
    email = optional_email(spec.email, errors)
    url = _url(spec.open311_url, errors)
    if not url and not email and "email" not in errors and "open311_url" not in errors:
        errors["email"] = "Bitte eine E-Mail-Adresse oder eine Open311-Adresse angeben."
    if url and not (spec.api_key or "").strip():
        errors["api_key"] = "Für Open311 wird der API-Schlüssel der anderen Stelle gebraucht."
    elif spec.api_key and not TOKEN.match(spec.api_key.strip()):
        errors["api_key"] = (
            "Der Schlüssel darf keine Leerzeichen enthalten (höchstens 200 Zeichen)."
        )
    jurisdiction = (spec.jurisdiction or "").strip()
    if jurisdiction and (len(jurisdiction) > 100 or not TOKEN.match(jurisdiction)):
        errors["jurisdiction"] = "Bitte eine Kennung ohne Leerzeichen (höchstens 100 Zeichen)."
    area = _area(spec.area_geojson, errors)
    categories = _categories(spec.categories, errors)
    partner_key = _partner_key(spec.partner_key, errors)
    if errors:
        raise BodyRefused(errors)
    body = Body(
        name=name,
        email=email,
        open311_url=url,
        open311_key=(spec.api_key or "").strip() or None,
        jurisdiction=(spec.jurisdiction or "").strip() or None,
        area=from_shape(area, srid=4326) if area is not None else None,
        categories=categories,
        partner_key=partner_key,
    )
    if url:
        body.service_codes = _service_codes(body, spec.service_codes)
    db.session.add(body)
    db.session.flush()
    return body


def remove_body(name: str) -> Body:
    """Removes the body; reports forwarded to it keep their timeline (its name is in the text),
    and open ones come back to our queues."""
    body = find_body(name)
    if body is None:
        raise BodyRefused({"name": f"Eine Stelle „{name}“ gibt es nicht."})
    db.session.delete(body)
    db.session.flush()
    return body


def find_body(name: str) -> Body | None:
    return db.session.scalar(select(Body).where(func.lower(Body.name) == name.strip().lower()))


def all_bodies() -> list[Body]:
    return list(db.session.scalars(select(Body).order_by(Body.name)))


def _name(raw: str, errors: dict[str, str]) -> str:
    name = (raw or "").strip()
    if not name or len(name) > 200 or LINE_CONTROL.search(name):
        errors["name"] = "Bitte einen Namen mit höchstens 200 Zeichen angeben."
    elif find_body(name) is not None:
        errors["name"] = f"Eine Stelle „{name}“ gibt es schon."
    return name


def _url(raw: str | None, errors: dict[str, str]) -> str | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and len(text) <= 2048
    except ValueError:
        valid = False
    if not valid or LINE_CONTROL.search(text) or " " in text:
        errors["open311_url"] = "Bitte die Open311-Adresse mit http(s)://, z. B. …/open311/v2."
        return None
    return text.rstrip("/")


def _area(raw: str | bytes | None, errors: dict[str, str]) -> MultiPolygon | None:
    if raw is None or not str(raw).strip():
        return None
    try:
        doc = _json(raw)
        geometries = [g for g in _geometries(doc)]
        if not geometries:
            raise ValueError("Die Datei enthält kein Polygon.")
        polygons = [read_geometry(g, "Das Gebiet") for g in geometries]
        merged = unary_union(polygons)
        area = merged if isinstance(merged, MultiPolygon) else MultiPolygon([merged])
        if not area.is_valid or area.is_empty:
            raise ValueError("Die Geometrie des Gebiets ist ungültig.")
        return area
    except (ValueError, TypeError, RecursionError) as exc:
        errors["area"] = f"Gebiet: {exc}"
        return None


def _json(raw: str | bytes) -> object:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        raise ValueError("Die Datei ist kein gültiges GeoJSON/JSON.") from None


def _geometries(doc: object) -> list[object]:
    if not isinstance(doc, dict):
        raise ValueError("Das Gebiet muss GeoJSON sein (FeatureCollection, Feature oder Polygon).")
    if doc.get("type") == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ValueError("„features“ ist keine Liste.")
        return [g for f in features for g in _geometries(f)]
    if doc.get("type") == "Feature":
        return [doc.get("geometry")]
    return [doc]


def _categories(codes: Sequence[str], errors: dict[str, str]) -> list[Category]:
    wanted = {c.strip() for c in codes if c.strip()}
    if not wanted:
        return []
    active = select(Category).where(Category.code.in_(wanted), Category.active)
    found = list(db.session.scalars(active))
    unknown = wanted - {c.code for c in found}
    if unknown:
        errors["categories"] = "Unbekannte Kategorie: " + ", ".join(sorted(unknown))
    return found


def _partner_key(raw: str | None, errors: dict[str, str]) -> ApiKey | None:
    name = (raw or "").strip()
    if not name:
        return None
    key = db.session.scalar(
        select(ApiKey).where(ApiKey.active, func.lower(ApiKey.name) == name.lower())
    )
    if key is None:
        errors["partner_key"] = f"Einen aktiven Open311-Schlüssel „{name}“ gibt es bei uns nicht."
    return key


def _service_codes(body: Body, given: dict[str, str]) -> dict[str, str]:
    """Our category codes mapped to theirs: as given, else the same code or the same name in
    their services list. Reads the list once and tries the key; BodyRefused if either fails."""
    peer = Peer(body.open311_url or "", body.open311_key, body.jurisdiction)
    try:
        services = peer.services()
        peer.check_key()
    except (PermanentError, RetryableError) as exc:
        raise BodyRefused({"open311_url": f"{body.open311_url}: {exc}"}) from None
    theirs = {str(s.get("service_code")): str(s.get("service_name") or "") for s in services}
    by_name = {name.casefold(): code for code, name in theirs.items()}
    unknown = sorted(code for code in given.values() if code not in theirs)
    if unknown:
        raise BodyRefused(
            {"categories": "Diese Dienste kennt die Stelle nicht: " + ", ".join(unknown)}
        )
    mapping = dict(given)
    for category in db.session.scalars(select(Category).where(Category.active)):
        if category.code in mapping:
            continue
        if category.code in theirs:
            mapping[category.code] = category.code
        elif category.name_de.casefold() in by_name:
            mapping[category.code] = by_name[category.name_de.casefold()]
    return mapping
