"""Address files for the tests, written in the documented formats (fictional test streets in
the demo city, never presented as real data): CSV in WGS84, gebref in ETRS89/UTM32 with the
zone in front of the east value, as Geobasis NRW delivers it."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from app.extensions import db

# Street, first point (lat, lon): houses 1…N go east in ~15 m steps.
STREETS = {
    "Kölner Straße": (51.1705, 7.0800),
    "Am Prüf-Weg": (51.1740, 7.0800),
    "Lindenallee": (51.1680, 7.0800),
}
STEP = 0.0002  # degrees of longitude, about 14 m here


def houses(per_street: int = 60) -> list[tuple[str, str, float, float]]:
    """(street, number, lat, lon): every tenth number also with an "a" house."""
    rows = []
    for street, (lat, lon) in STREETS.items():
        for n in range(1, per_street + 1):
            rows.append((street, str(n), lat, lon + n * STEP))
            if n % 10 == 2:
                rows.append((street, f"{n}a", lat + 0.00005, lon + n * STEP))
    return rows


def write_csv(path: Path, rows: list[tuple[str, str, float, float]], extra: str = "") -> Path:
    lines = ["street,number,lat,lon,postcode"]
    lines += [f"{s},{n},{lat:.6f},{lon:.6f},42651" for s, n, lat, lon in rows]
    path.write_text("\n".join(lines) + "\n" + extra, encoding="utf-8")
    return path


def utm32(lat: float, lon: float) -> tuple[float, float]:
    """East (with zone 32 in front, as EPSG:4647) and north, computed by PostGIS."""
    east, north = db.session.execute(
        text(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_Transform("
            "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326), 25832) AS p) AS t"
        ),
        {"lat": lat, "lon": lon},
    ).one()
    return east + 32_000_000, north


def gebref_line(key: str, number: str, lat: float, lon: float, name: str | None) -> str:
    digits = "".join(c for c in number if c.isdigit())
    suffix = number[len(digits) :]
    east, north = utm32(lat, lon)
    fields = ["N", "DENW0000TEST0001", "A", "05", "1", "22", "000", "0000", key, digits, suffix]
    fields += [f"{east:.3f}".replace(".", ","), f"{north:.3f}".replace(".", ",")]
    if name is not None:
        fields += [name, "2026-01-01"]
    return ";".join(fields)


def write_gebref(folder: Path, with_names: bool, extra: list[str] = ()) -> Path:  # type: ignore[assignment]
    keys = {street: f"{i:05d}" for i, street in enumerate(STREETS, start=1)}
    lines = [
        gebref_line(keys[s], n, lat, lon, s if with_names else None)
        for s, n, lat, lon in houses(20)
    ]
    (folder / "gebref.txt").write_text("\n".join([*lines, *extra]) + "\n", encoding="utf-8")
    schluessel = ["G;05;1;22;000;Solingen"]
    schluessel += [f"S;05;1;22;000;{key};{street}" for street, key in keys.items()]
    (folder / "gebref_schluessel.txt").write_text("\n".join(schluessel) + "\n", encoding="utf-8")
    return folder / "gebref.txt"
