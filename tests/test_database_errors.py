"""Which database errors mean "down, try again" (503) and which are bugs (500 with traceback)."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from app.errors import database_unavailable
from app.extensions import db
from tests.mailbox import free_port


def test_a_refused_connection_is_an_outage():
    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none")
    with pytest.raises(OperationalError) as refused:
        engine.connect()
    assert database_unavailable(refused.value)


def test_a_cancelled_query_is_no_outage(session):
    nested = session.begin_nested()
    with pytest.raises(OperationalError) as cancelled:
        session.execute(text("SET LOCAL statement_timeout = 1"))
        session.execute(text("SELECT pg_sleep(1)"))
    nested.rollback()
    assert not database_unavailable(cancelled.value)
    assert db.session.execute(text("SELECT 1")).scalar() == 1
