"""Import of district boundaries from any GeoJSON polygon layer (EPSG:4326).

All or nothing: every feature is checked first, and one bad feature changes nothing.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field

import shapely
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Polygon, shape
from sqlalchemy import func, select

from app.extensions import db
from app.models import District, Report

CONTROL = re.compile(r"[\x00-\x1f\x7f]")
WGS84_NAMES = {"EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:EPSG::4326"}


class DistrictImportError(Exception):
    """Carries one German message per problem found."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


@dataclass
class DistrictData:
    code: str
    name: str
    geometry: MultiPolygon


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    removed: int = 0
    repaired: list[str] = field(default_factory=list)


def parse_geojson(raw: bytes | str, name_field: str, code_field: str, repair: bool = False):
    """Read and check all features; returns (districts, names of repaired features)."""
    try:
        doc = json.loads(raw)
    except (ValueError, RecursionError) as exc:  # decode errors, and hostile deep nesting
        raise DistrictImportError([f"Die Datei ist kein gültiges GeoJSON/JSON: {exc}"]) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DistrictImportError(["Die Datei ist keine GeoJSON-FeatureCollection."])
    _check_crs(doc)
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise DistrictImportError(["Die FeatureCollection enthält keine Objekte."])

    districts: list[DistrictData] = []
    errors: list[str] = []
    repaired: list[str] = []
    for number, feature in enumerate(features, start=1):
        try:
            district, was_repaired = _read_feature(feature, name_field, code_field, repair)
        except ValueError as exc:
            errors.append(f"Objekt {number}: {exc}")
            continue
        districts.append(district)
        if was_repaired:
            repaired.append(district.name)
    errors += _duplicate_codes(districts)
    if errors:
        raise DistrictImportError(errors)
    return districts, repaired


def _check_crs(doc: dict) -> None:
    crs = doc.get("crs")
    if crs is None:
        return
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not isinstance(name, str) or name not in WGS84_NAMES:
        raise DistrictImportError(
            [f"Koordinatensystem {name!r} wird nicht unterstützt; erwartet wird EPSG:4326 (WGS84)."]
        )


def _text(properties: dict, key: str, max_length: int = 200) -> str:
    value = properties.get(key)
    if value is None or str(value).strip() == "":
        raise ValueError(f"Das Feld „{key}“ fehlt oder ist leer.")
    # Names and codes are text or whole numbers; an object or a float is a wrong field choice.
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f"Das Feld „{key}“ muss Text oder eine ganze Zahl sein.")
    text = str(value).strip()
    if CONTROL.search(text):
        raise ValueError(f"Das Feld „{key}“ enthält unzulässige Steuerzeichen.")
    if len(text) > max_length:
        raise ValueError(f"Das Feld „{key}“ ist länger als {max_length} Zeichen.")
    return text


def _read_feature(feature: object, name_field: str, code_field: str, repair: bool):
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise ValueError("kein GeoJSON-Feature.")
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        raise ValueError("„properties“ ist kein Objekt.")
    name = _text(properties, name_field)
    code = _text(properties, code_field, max_length=50)
    label = f"„{name}“"
    geometry = read_geometry(feature.get("geometry"), label)
    if geometry.is_valid:
        return DistrictData(code, name, geometry), False
    reason = shapely.is_valid_reason(geometry)
    if not repair:
        raise ValueError(
            f"{label} hat eine ungültige Geometrie ({reason}). "
            "Mit --repair wird sie repariert importiert."
        )
    return DistrictData(code, name, _repaired(geometry, label, reason)), True


def read_geometry(raw: object, label: str) -> MultiPolygon:
    if not isinstance(raw, dict) or raw.get("type") not in {"Polygon", "MultiPolygon"}:
        kind = raw.get("type") if isinstance(raw, dict) else "keine"
        raise ValueError(
            f"{label}: Geometrietyp {kind} – erlaubt sind nur Polygon und MultiPolygon."
        )
    try:
        # Altitudes are allowed by GeoJSON but not by the 2-D column.
        geometry = shapely.force_2d(shape(raw))
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValueError(f"{label}: die Koordinaten sind fehlerhaft ({exc}).") from exc
    if geometry.is_empty:
        raise ValueError(f"{label}: die Geometrie ist leer.")
    minx, miny, maxx, maxy = geometry.bounds
    finite = all(math.isfinite(v) for v in (minx, miny, maxx, maxy))
    if not finite or minx < -180 or maxx > 180 or miny < -90 or maxy > 90:
        raise ValueError(
            f"{label}: Koordinaten außerhalb von WGS84 – ist die Datei in EPSG:4326 (lon/lat)?"
        )
    return geometry if isinstance(geometry, MultiPolygon) else MultiPolygon([geometry])


def _repaired(geometry: MultiPolygon, label: str, reason: str) -> MultiPolygon:
    fixed = shapely.make_valid(geometry)
    polygons = [
        g for g in getattr(fixed, "geoms", [fixed]) if isinstance(g, Polygon | MultiPolygon)
    ]
    parts: list[Polygon] = []
    for polygon in polygons:
        parts += list(polygon.geoms) if isinstance(polygon, MultiPolygon) else [polygon]
    result = MultiPolygon(parts)
    if result.is_empty or result.area == 0 or not result.is_valid:
        raise ValueError(f"{label} hat eine ungültige Geometrie ({reason}), nicht reparierbar.")
    return result


def _duplicate_codes(districts: list[DistrictData]) -> list[str]:
    seen: set[str] = set()
    errors = []
    for district in districts:
        if district.code in seen:
            errors.append(f"Der Schlüssel „{district.code}“ kommt mehrfach vor.")
        seen.add(district.code)
    return errors


def import_districts(districts: list[DistrictData], replace: bool = False) -> ImportResult:
    """Create or update districts by code; with replace, remove those not in the file."""
    result = ImportResult()
    existing = {d.code: d for d in db.session.scalars(select(District))}
    for data in districts:
        district = existing.get(data.code)
        if district is None:
            db.session.add(District(code=data.code, name=data.name, geom=_ewkb(data.geometry)))
            result.created += 1
            continue
        district.name = data.name
        district.geom = _ewkb(data.geometry)
        result.updated += 1
    if replace:
        result.removed = _remove_others(existing, {d.code for d in districts})
    db.session.flush()
    return result


def _remove_others(existing: dict[str, District], keep: set[str]) -> int:
    gone = [d for code, d in existing.items() if code not in keep]
    errors = []
    for district in gone:
        count = db.session.scalar(
            select(func.count()).select_from(Report).where(Report.district_id == district.id)
        )
        if count:
            errors.append(
                f"Bezirk „{district.name}“ ({district.code}) hat {count} Meldungen "
                "und kann nicht entfernt werden."
            )
    if errors:
        raise DistrictImportError(errors)
    for district in gone:
        db.session.delete(district)
    return len(gone)


def _ewkb(geometry: MultiPolygon):
    return from_shape(geometry, srid=4326)
