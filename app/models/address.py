"""Official addresses (Gebäudereferenzen NRW, OpenStreetMap, a city's own list) and the streets
they name, for the address search and for a report's public place description."""

from __future__ import annotations

from geoalchemy2 import Geometry
from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class Street(Model):
    """A street name once per source and Stadtteil: what the search matches by trigrams."""

    __tablename__ = "streets"
    __table_args__ = (
        UniqueConstraint("source", "name", "district_id"),
        Index(
            "ix_streets_name_norm_trgm",
            "name_norm",
            postgresql_using="gin",
            postgresql_ops={"name_norm": "gin_trgm_ops"},
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # Lower case, ß/umlauts spelled out, "Straße"/"Str." as "str", without spaces or hyphens.
    name_norm: Mapped[str] = mapped_column(String(200))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    # A point of the street (an address on it, or the middle of the way): where a search for
    # the street alone puts the pin.
    location = mapped_column(Geometry("POINT", srid=4326), nullable=False)


class Address(Model):
    """One address point: street, house number and suffix (12a), postcode where known."""

    __tablename__ = "addresses"
    __table_args__ = (Index("ix_addresses_street_number", "street_id", "number", "suffix"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    street_id: Mapped[int] = mapped_column(ForeignKey("streets.id", ondelete="CASCADE"))
    # Street name and Stadtteil again: a reverse lookup reads one row.
    street: Mapped[str] = mapped_column(String(200))
    number: Mapped[int] = mapped_column(Integer)
    suffix: Mapped[str] = mapped_column(String(20), default="")
    postcode: Mapped[str | None] = mapped_column(String(10))
    district_id: Mapped[int | None] = mapped_column(ForeignKey("districts.id", ondelete="SET NULL"))
    location = mapped_column(Geometry("POINT", srid=4326, spatial_index=True), nullable=False)
