"""Name-search indexes on a server with pg_trgm (GIN trigram) and on one without it (the embedded
development server): `make run` must migrate on both."""

import pytest
from django.db import connection

from driftwood.core import indexes
from driftwood.core.indexes import TrigramIndex
from tournaments.models import Event

pytestmark = pytest.mark.django_db


def create_sql(monkeypatch, *, available: bool) -> str:
    monkeypatch.setattr(indexes, "trigram_available", lambda _connection: available)
    with connection.schema_editor(collect_sql=True) as editor:
        return str(TrigramIndex("name", name="event_name_search").create_sql(Event, editor))


def test_with_pg_trgm_the_index_is_a_gin_trigram_one(monkeypatch):
    sql = create_sql(monkeypatch, available=True)

    assert 'USING gin ("name" gin_trgm_ops)' in sql


def test_without_pg_trgm_a_plain_index_of_the_same_name_stands_in(monkeypatch):
    sql = create_sql(monkeypatch, available=False)

    assert sql == 'CREATE INDEX "event_name_search" ON "tournaments_event" ("name")'


def test_this_server_has_the_extension_and_the_real_indexes():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'event_name_trgm'")
        (definition,) = cursor.fetchone()

    assert indexes.trigram_available(connection)
    assert "gin_trgm_ops" in definition
