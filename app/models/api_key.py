from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, false, func
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import Model


class ApiKey(Model):
    """A key that lets another system file reports through Open311 (and, with `can_update`, post
    updates to them); only its hash is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who holds the key, e.g. the name of a city app or a partner's system.
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
    active: Mapped[bool] = mapped_column(default=True)
    # May post service request updates (mySociety's extension) to the reports it filed itself.
    can_update: Mapped[bool] = mapped_column(default=False, server_default=false())

    def __repr__(self) -> str:
        return f"<ApiKey {self.id} {self.name}>"
