"""Asking for alerts (double opt-in), confirming and unsubscribing. Nothing here commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select, text

from app.addresses.search import search
from app.alerts.mails import confirm_mail
from app.coordinates import CoordinateError, parse_coordinate
from app.extensions import db
from app.links import external_url
from app.models import AreaAlert, District
from app.notifications import tokens
from app.notifications.outbox import enqueue
from app.notifications.service import confirmations_left, normalise
from app.public.filters import CIRCLE_AREA_SQL

# Alerts one address may hold (confirmed or not): enough for home, work and a few districts.
ALERTS_PER_ADDRESS = 20
CONFIRM_PURPOSE, UNSUBSCRIBE_PURPOSE = "alert-confirm", "alert-unsubscribe"
IN_CITY = text(
    "SELECT EXISTS (SELECT 1 FROM districts "
    "WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)))"
)
# As EWKT, which the model's geometry columns take as they are.
CIRCLE = text(
    "SELECT ST_AsEWKT(ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)) AS center, ST_AsEWKT("
    + CIRCLE_AREA_SQL.format(lat=":lat", lon=":lon", radius=":radius")
    + ") AS area"
)


class AreaError(ValueError):
    """The area chosen cannot be used; `field` names the form field, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Area:
    """A district, or a circle of radius_m around lat/lon; `label` as people read it."""

    label: str
    district_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    radius_m: int | None = None


def district_area(code: str) -> Area:
    district = db.session.scalar(select(District).where(District.code == code))
    if district is None:
        raise AreaError("district", _("Bitte wählen Sie einen Stadtbezirk aus der Liste."))
    return Area(district.name, district_id=district.id)


def address_area(typed: str, radius_m: int) -> Area:
    """The best place the address search finds: the same search as on the report form."""
    found = search(typed, limit=1)
    if not found:
        raise AreaError(
            "address",
            _(
                "Zu dieser Eingabe wurde keine Adresse gefunden. Bitte Straße und "
                "Hausnummer prüfen."
            ),
        )
    place = found[0]
    return _circle(place.label, place.lat, place.lon, radius_m)


def point_area(raw_lat: str, raw_lon: str, radius_m: int) -> Area:
    try:
        lat = parse_coordinate(raw_lat, -90, 90)
    except CoordinateError as exc:
        raise AreaError("lat", str(exc)) from None
    try:
        lon = parse_coordinate(raw_lon, -180, 180)
    except CoordinateError as exc:
        raise AreaError("lon", str(exc)) from None
    if not db.session.scalar(IN_CITY, {"lat": lat, "lon": lon}):
        raise AreaError("lat", _("Der Punkt liegt nicht im Stadtgebiet."))
    return _circle(f"{lat:.5f}, {lon:.5f}", lat, lon, radius_m)


def _circle(place: str, lat: float, lon: float, radius_m: int) -> Area:
    distance = f"{radius_m // 1000} km" if radius_m % 1000 == 0 else f"{radius_m} m"
    label = _("%(distance)s um %(place)s", distance=distance, place=place)
    return Area(label[:300], lat=lat, lon=lon, radius_m=radius_m)


def subscribe(
    email: str, language: str, area: Area, category_ids: list[int] | None, mode: str
) -> None:
    """Ask for alerts: a confirmation mail (double opt-in). The answer to the person is the
    same whatever happens here, so it reveals nothing about the address; an address gets at
    most CONFIRMS_PER_DAY confirmation requests a day (alerts and follows together) and holds
    at most ALERTS_PER_ADDRESS alerts, so nobody can flood a stranger's inbox."""
    email = normalise(email)
    if not confirmations_left(email):
        return
    alert = _same_alert(email, area, category_ids, mode)
    if alert is not None and alert.confirmed_at is not None:
        return  # asked for once already: a second one would double every mail
    if alert is None:
        # Only confirmed alerts count: a stranger's unconfirmed requests cannot fill the quota.
        held = db.session.scalar(
            select(func.count()).where(
                AreaAlert.email == email, AreaAlert.confirmed_at.is_not(None)
            )
        )
        if (held or 0) >= ALERTS_PER_ADDRESS:
            return
        alert = _new_alert(email, language, area, category_ids, mode)
    db.session.add(alert)
    db.session.flush()
    alert.unsubscribe_token = tokens.sign(UNSUBSCRIBE_PURPOSE, alert.id)
    confirm_url = external_url("alerts.confirm", token=tokens.sign(CONFIRM_PURPOSE, alert.id))
    enqueue(email, confirm_mail(area.label, language, confirm_url), "alert_confirm")


def _same_alert(
    email: str, area: Area, category_ids: list[int] | None, mode: str
) -> AreaAlert | None:
    """The address's alert for exactly this area, these categories and this mode, if any."""
    same_district = (
        AreaAlert.district_id.is_(None)
        if area.district_id is None
        else AreaAlert.district_id == area.district_id
    )
    same_categories = (
        AreaAlert.category_ids == sorted(category_ids)
        if category_ids
        else AreaAlert.category_ids.is_(None)
    )
    return db.session.scalar(
        select(AreaAlert)
        .where(
            AreaAlert.email == email,
            AreaAlert.area_label == area.label,
            same_district,
            same_categories,
            AreaAlert.mode == mode,
        )
        .limit(1)
    )


def _new_alert(
    email: str, language: str, area: Area, category_ids: list[int] | None, mode: str
) -> AreaAlert:
    alert = AreaAlert(
        email=email,
        language=language,
        kind="district" if area.district_id is not None else "radius",
        district_id=area.district_id,
        radius_m=area.radius_m,
        area_label=area.label,
        category_ids=sorted(category_ids) if category_ids else None,
        mode=mode,
    )
    if area.radius_m is not None:
        circle = db.session.execute(
            CIRCLE, {"lat": area.lat, "lon": area.lon, "radius": area.radius_m}
        ).one()
        alert.center, alert.area = circle.center, circle.area
    return alert


def confirm(token: str) -> AreaAlert | None:
    """Confirms the alert the link names; None for a forged, altered or expired link, or an
    alert that no longer exists. Confirming twice changes nothing."""
    alert_id = tokens.read(CONFIRM_PURPOSE, token, tokens.CONFIRM_MAX_AGE)
    alert = db.session.get(AreaAlert, alert_id) if alert_id else None
    if alert is not None and alert.confirmed_at is None:
        alert.confirmed_at = datetime.now(UTC)
    return alert


def unsubscribe(token: str) -> AreaAlert | None:
    """Deletes the alert (and with it the address); None when the link is forged or used."""
    alert_id = tokens.read(UNSUBSCRIBE_PURPOSE, token)
    alert = db.session.get(AreaAlert, alert_id) if alert_id else None
    if alert is not None:
        db.session.delete(alert)
    return alert
