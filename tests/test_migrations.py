"""The migrations are the only way the schema changes: they must match the models and run
from an empty database up and down again."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.schema import CreateIndex

from app import create_app
from app.extensions import db
from app.schema import include_object
from config import TestConfig


def test_head_matches_the_models(app: Flask) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_object": include_object,
            },
        )
        assert compare_metadata(context, db.metadata) == []


def test_partial_and_covering_indexes_match_the_models(app: Flask) -> None:
    """compare_metadata sees an index's name and columns, not its WHERE or INCLUDE: build each
    such model index again under another name and let PostgreSQL compare the definitions."""
    with db.engine.connect() as connection, connection.begin() as transaction:

        def definition(name: str) -> str:
            query = text("SELECT pg_get_indexdef(CAST(:name AS regclass))")
            return str(connection.scalar(query, {"name": name}))

        for index in (i for table in db.metadata.sorted_tables for i in table.indexes):
            options = index.dialect_options["postgresql"]
            if options["where"] is None and not options["include"]:
                continue
            ddl = str(CreateIndex(index).compile(dialect=connection.dialect))
            connection.execute(text(ddl.replace(f" {index.name} ", " index_from_model ", 1)))
            modelled = definition("index_from_model").replace("index_from_model", str(index.name))
            assert modelled == definition(str(index.name))
            connection.execute(text("DROP INDEX index_from_model"))
        transaction.rollback()


@pytest.fixture
def empty_database(app: Flask) -> Iterator[str]:
    """A new, empty database on the same server, dropped afterwards."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    name = f"maengelmelder_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_upgrade_from_empty_then_down_and_up_again(empty_database: str) -> None:
    class ScratchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = empty_database

    scratch = create_app(ScratchConfig)
    with scratch.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"reports", "districts", "timeline_events", "photos"} <= tables
        downgrade(revision="base")
        assert set(inspect(db.engine).get_table_names()) & set(db.metadata.tables) == set()
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()
