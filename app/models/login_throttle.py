from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class LoginThrottle(Model):
    """Wrong passwords for one login name from one client network, and how long that network
    must wait before it may try that name again (app/auth/throttle.py). Keyed by the name as
    typed, not by the account, so unknown names wait alike and the answer does not tell which
    accounts exist; stored only as a keyed hash, since people paste anything into that field."""

    __tablename__ = "login_throttles"

    name_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    # An IPv4 address, or the /64 network of an IPv6 address (one subscriber gets a whole /64).
    client: Mapped[str] = mapped_column(String(50), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    blocked_until: Mapped[datetime | None] = mapped_column()
    last_failure_at: Mapped[datetime | None] = mapped_column(index=True)
