from __future__ import annotations

from datetime import date

from sqlalchemy import Float, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model

# Levels kept in the rollups: the right shift of the zoom-20 pixel coordinates, 9 (zoom 17) to
# 17 (zoom 9). Coarser zooms regroup level 17; finer ones group the reports themselves.
FINEST_LEVEL = 9
COARSEST_LEVEL = 17
# map_month_statuses starts at 12 (zoom 14): on finer levels a viewport is small enough for the
# GiST index on location to find its reports (service.SMALL_VIEW_SHIFT), and a month and status
# per cell there would be nearly a row per report.
MONTH_STATUS_FINEST_LEVEL = 12


class MapCell(Model):
    """Reports per map cell, category, district and status: the clustered map of a million
    reports is a few thousand rows away. Kept exact by a trigger on reports."""

    __tablename__ = "map_cells"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    district_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Float)
    sum_lat: Mapped[float] = mapped_column(Float)


class MapMonth(Model):
    """Reports per map cell and month (in Europe/Berlin), for the map of a period."""

    __tablename__ = "map_months"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Float)
    sum_lat: Mapped[float] = mapped_column(Float)


class MapMonthStatus(Model):
    """Reports per map cell, month (in Europe/Berlin) and status, for the map of a period with a
    status filter; levels MONTH_STATUS_FINEST_LEVEL to COARSEST_LEVEL."""

    __tablename__ = "map_month_statuses"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    cx: Mapped[int] = mapped_column(Integer, primary_key=True)
    cy: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)
    sum_lon: Mapped[float] = mapped_column(Float)
    sum_lat: Mapped[float] = mapped_column(Float)
