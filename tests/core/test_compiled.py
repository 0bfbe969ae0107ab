"""Querysets and saves compiled once (driftwood.core.compiled): the same rows and instances as the
ORM gives, for the values of each call."""

import asyncio
import threading

import httpx
import pytest
from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.core.asgi import get_asgi_application
from django.db import DatabaseError, connection
from django.db.models import Count, OuterRef
from django.db.models.functions import JSONObject
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from driftwood.core.compiled import CompiledQuery, fields_save, instance_insert, instances_fields_save
from tests.tournaments.test_match_engine import match, play, player_of, started_event
from tournaments.models import Match, MatchReport

Status = Match.Status


def matches_of(event_id):
    return (
        Match.objects.select_related("entry_a__registration", "stage")
        .annotate(
            reports_count=Count("reports"),
            report_rows=ArraySubquery(
                MatchReport.objects.filter(match=OuterRef("pk")).order_by("pk").values(row=JSONObject(side="side"))
            ),
        )
        .filter(event=event_id)
        .order_by("pk")
    )


def seen(matches) -> list[tuple]:
    return [
        (
            m.pk,
            m.key,
            m.status,
            m.entry_a.registration.user_id if m.entry_a else None,
            m.stage.format,
            m.reports_count,
            m.report_rows,
        )
        for m in matches
    ]


@pytest.mark.django_db
def test_a_compiled_query_gives_what_its_queryset_gives_for_each_calls_values():
    # given two events, one with a match played
    first, _ = started_event(4)
    second, _ = started_event(4)
    play(first, "W1-1")
    compiled = CompiledQuery(matches_of, "event_id")

    # when the compiled query runs for each event
    for event in (first, second, first):
        with CaptureQueriesContext(connection) as captured:
            found = compiled.all(event_id=event.pk)
            shown = seen(found)

        # then it gives the queryset's instances (related objects and annotations loaded) in one query
        assert shown == seen(matches_of(event.pk))
        assert len(captured.captured_queries) == 1
    assert [row["side"] for row in compiled.one(event_id=first.pk).report_rows] == ["a", "b"]
    assert compiled.one(event_id=0) is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("plain_static_storage")
def test_an_asgi_servers_requests_compile_each_query_once_though_each_runs_on_a_new_thread(monkeypatch):
    # given a started event and its first match's player, signed in
    event, by_seed = started_event(4)
    first = match(event, "W1-1")
    client = Client()
    client.force_login(by_seed[1])
    compiles, threads = [], []  # the thread objects themselves: an ended thread's id may be reused
    compile_for_real, run_for_real = CompiledQuery._compile, CompiledQuery.all

    def run_noting_the_thread(self, **values):
        threads.append(threading.current_thread())
        return run_for_real(self, **values)

    monkeypatch.setattr(CompiledQuery, "_compile", lambda self: compiles.append(self) or compile_for_real(self))
    monkeypatch.setattr(CompiledQuery, "all", run_noting_the_thread)

    # when Django's ASGI handler (as daphne and uvicorn run it) serves the match page three times
    async def three_requests():
        transport = httpx.ASGITransport(app=get_asgi_application())
        cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver", cookies=cookies) as browser:
            served = []
            for _ in range(3):
                response = await browser.get(f"/events/matches/{first.pk}/")
                served.append((response.status_code, len(compiles)))
            return served

    served = asyncio.run(three_requests())

    # then each request ran on a thread of its own, yet only the first compiled (a cache per
    # thread compiled the page's queries again for every request)
    assert [status for status, _ in served] == [200, 200, 200]
    assert len({id(thread) for thread in threads}) == 3
    assert served[0][1] == served[1][1] == served[2][1]


@pytest.mark.django_db
def test_a_value_that_does_not_reach_the_sql_is_refused():
    compiled = CompiledQuery(lambda event_id: Match.objects.all(), "event_id")

    with pytest.raises(ValueError, match="event_id"):
        compiled.all(event_id=1)


@pytest.mark.django_db
def test_saves_write_what_the_orm_would():
    # given a started event
    event, _ = started_event(4)
    first, second = match(event, "W1-1"), match(event, "W1-2")
    before = timezone.now()

    # when a report is inserted, a match saved by fields and two matches saved together
    report = instance_insert(
        MatchReport(match=first, side="a", score_a=2, score_b=0, reported_by=player_of(first.entry_a))
    )
    first.status, first.score_a = Status.REPORTED, 9  # score_a is not saved
    fields_save(first, ["status", "updated_at"])
    saved_by_fields = Match.objects.get(pk=first.pk)
    first.entry_a, first.status, second.status = None, Status.PENDING, Status.DISPUTED
    for saved in (first, second):
        saved.updated_at = before
    instances_fields_save([first, second], ["entry_a", "status", "updated_at"])

    # then the rows hold exactly that, with the model's defaults filled in
    stored = MatchReport.objects.get(pk=report.pk)
    assert (stored.match_id, stored.attempt, stored.version, stored.side) == (first.pk, 1, 1, "a")
    assert stored.created_at >= before and not report._state.adding
    assert (saved_by_fields.status, saved_by_fields.score_a) == (Status.REPORTED, None)
    assert saved_by_fields.updated_at >= before  # auto_now stamped, as save() does
    rows = {m.key: m for m in Match.objects.filter(pk__in=[first.pk, second.pk])}
    assert (rows["W1-1"].status, rows["W1-1"].entry_a_id, rows["W1-1"].score_a) == (Status.PENDING, None, None)
    assert (rows["W1-2"].status, rows["W1-2"].entry_a_id) == (Status.DISPUTED, second.entry_a_id)
    assert rows["W1-1"].updated_at == rows["W1-2"].updated_at == before


@pytest.mark.django_db
def test_saving_fields_of_a_row_that_is_gone_fails():
    event, _ = started_event(4)
    gone = match(event, "W1-1")
    gone.pk = 0

    with pytest.raises(DatabaseError, match="did not affect any rows"):
        fields_save(gone, ["status"])
