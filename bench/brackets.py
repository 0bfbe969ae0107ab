"""Brackets: reading a big bracket through the API, and playing one through the service.

1. `GET /api/v1/events/{id}/matches?limit=100` on a 64-entrant double-elimination event (126 matches,
   the first winners and losers rounds played), in-process through the full middleware stack, vs the
   same 100 rows read with a bare `.values()` query and `json.dumps` (no request around it), taking
   turns in blocks. Prints p50/p99, the throughput ratio (target >= 0.7; exits non-zero on a miss)
   and the API's query count at several page sizes (it must not grow with the page).
2. `match_report` by the organizer over a whole 64-entrant single-elimination bracket (63 reports, the
   last completing the event and writing the placements) vs raw SQL on an identical event doing the
   same row changes, the two taking turns in blocks of 8 reports: per report one transaction that
   locks the event row, inserts the report, completes the match and fills the next match's slot, and
   tells both players of a match it made ready (one notification INSERT ... SELECT, in each player's
   language); the last one also writes the placements, completes the event and tells every entrant.
   Afterwards both brackets, and the notifications, must be identical. The service's tasks (e-mail,
   push) go to the broker as in production, under a key prefix of the bench's own that is purged
   afterwards: running them in the timed loop (eager) would time the worker's work and its row
   changes, which the raw side does not make. Prints time per report and the ratio (target >= 0.25;
   exits non-zero on a miss).

    make bench BENCH=brackets
"""

import json
import os
import sys
import time
from contextlib import contextmanager, nullcontext
from datetime import timedelta

from bench.bracket_play import bracket_order, bracket_state, completion_statements, raw_plan, raw_report, score_for
from bench.common import Stopwatch, conninfo, django_on, percentile, scratch_database

ENTRANTS = 64
ROUNDS = 200
REPEATS = 3  # single-elimination brackets played per side (after one warm-up each)
REPORT_BLOCK = 8  # the report bench's sides take turns in blocks of this many reports
PAGE_SIZES = (10, 50, 100)
BLOCKS = 10  # the list's two sides take turns in this many blocks of ROUNDS / BLOCKS calls
LIST_TARGET = 0.70
REPORT_TARGET = 0.25  # match_report vs raw SQL making the same row changes


# --- Building events through the services


class Builder:
    """Started events of ENTRANTS fresh players each, joined and started through the services."""

    def __init__(self):
        from driftwood.accounts.models import User
        from tournaments.models import Game

        self.organizer = User.objects.create_user(username="bench_organizer", email="bench_organizer@example.com")
        self.game = Game.objects.create(name="Bench Game", slug="bench-game")
        self.count = 0

    def event(self, event_format: str):
        from django.utils import timezone

        from driftwood.accounts.models import User
        from tournaments.brackets.services.start import event_start
        from tournaments.models import Event
        from tournaments.services.registrations import registration_join

        self.count += 1
        n = self.count
        players = User.objects.bulk_create(
            User(username=f"bench_{n}_{i}", email=f"bench_{n}_{i}@example.com") for i in range(ENTRANTS)
        )
        now = timezone.now()
        event = Event.objects.create(
            name=f"Bench Bracket {n}",
            slug=f"bench-bracket-{n}",
            game=self.game,
            organizer=self.organizer,
            format=event_format,
            status=Event.Status.REGISTRATION_OPEN,
            max_participants=ENTRANTS,
            check_in_minutes=0,
            starts_at=now + timedelta(days=1),
            registration_closes_at=now + timedelta(hours=12),
            published_at=now,
        )
        for player in players:
            registration_join(event_id=event.pk, user=player)
        event_start(event_id=event.pk, actor=self.organizer)
        return event


# --- 1. The match list


def play_first_rounds(builder: Builder, event) -> None:
    """Winners round 1 and losers round 1, so the page mixes completed, ready and pending matches."""
    from tournaments.brackets.services.matches import match_report
    from tournaments.models import Match

    for prefix in ("W1-", "L1-"):
        for match in Match.objects.filter(event=event, key__startswith=prefix, status=Match.Status.READY):
            score_a, score_b = score_for(match.key)
            match_report(match_id=match.pk, actor=builder.organizer, score_a=score_a, score_b=score_b)


def bare_rows(event_id: int) -> str:
    """The baseline: the API's 100 rows (same order, same joined names) as `.values()` dicts, dumped."""
    from tournaments import selectors

    side = ("id", "seed", "registration__user_id", "registration__team_id")
    names = ("registration__user__username", "registration__user__display_name", "registration__team__name")
    fields = [
        "id",
        "key",
        "round",
        "position",
        "bracket",
        "group",
        "best_of",
        "a_source",
        "b_source",
        "score_a",
        "score_b",
        "status",
        "winner_id",  # one of the two sides, as the API reads it
        *(f"{slot}__{field}" for slot in ("entry_a", "entry_b") for field in (*side, *names)),
    ]
    rows = list(selectors.matches_of_event(event_id).values(*fields)[:101])
    return json.dumps({"results": rows[:100], "has_more": len(rows) > 100, "page": 1})


def api_queries(client, path: str, headers: dict) -> int:
    from django.db import connection

    queries = []
    # Django resets its own query log at each request start, so count at the cursor.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        response = client.get(path, **headers)
    assert response.status_code == 200, response.content
    return len(queries)


def timed(calls) -> list[tuple[list[float], float]]:
    """Samples and total seconds of ROUNDS runs of each call, the calls taking turns in blocks."""
    results = [([], 0.0) for _ in calls]
    for block in range(BLOCKS):
        for index in range(len(calls)) if block % 2 == 0 else reversed(range(len(calls))):
            samples, seconds = results[index]
            with Stopwatch() as total:
                for _ in range(ROUNDS // BLOCKS):
                    started = time.perf_counter()
                    calls[index]()
                    samples.append(time.perf_counter() - started)
            results[index] = (samples, seconds + total.seconds)
    return results


def match_list_bench(builder: Builder) -> bool:
    from django.test import Client
    from django.test.utils import override_settings
    from rest_framework_simplejwt.tokens import AccessToken

    from driftwood.accounts.models import User
    from tournaments.models import Event, Match

    event = builder.event(Event.Format.DOUBLE_ELIMINATION)
    play_first_rounds(builder, event)
    total = Match.objects.filter(event=event).count()
    by_status = dict.fromkeys(Match.Status.values, 0)
    for status in Match.objects.filter(event=event).values_list("status", flat=True):
        by_status[status] += 1
    viewer = User.objects.filter(username__startswith="bench_").exclude(pk=builder.organizer.pk).first()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {AccessToken.for_user(viewer)}"}
    path = f"/api/v1/events/{event.pk}/matches?limit=100"

    # Limits off: this measures the list, not the throttle.
    with override_settings(RATELIMIT_ENABLE=False, ALLOWED_HOSTS=["testserver"]):
        client = Client()
        queries = {
            size: api_queries(client, f"/api/v1/events/{event.pk}/matches?limit={size}", headers) for size in PAGE_SIZES
        }
        queries["page 2"] = api_queries(client, f"/api/v1/events/{event.pk}/matches?limit=100&page=2", headers)
        body = client.get(path, **headers).json()
        assert len(body["results"]) == 100 and body["has_more"], "the page is not the 100 rows it should be"
        assert [row["id"] for row in body["results"]] == [
            row["id"] for row in json.loads(bare_rows(event.pk))["results"]
        ]

        bare_rows(event.pk)  # warm-up

        def api_call():
            assert client.get(path, **headers).status_code == 200

        (bare, bare_seconds), (api, api_seconds) = timed((lambda: bare_rows(event.pk), api_call))

    played = ", ".join(f"{count} {status}" for status, count in by_status.items() if count)
    print(f"GET /api/v1/events/{{id}}/matches?limit=100, {ENTRANTS}-entrant double elimination, {total} matches")
    print(f"  ({played}), {ROUNDS} requests each, in-process")
    for label, samples, seconds in (
        ("bare .values() + json.dumps", bare, bare_seconds),
        ("matches API", api, api_seconds),
    ):
        print(
            f"  {label:<28}: {ROUNDS / seconds:6.0f} req/s  p50 {percentile(samples, 0.5) * 1000:6.2f} ms"
            f"  p99 {percentile(samples, 0.99) * 1000:6.2f} ms"
        )
    ratio = bare_seconds / api_seconds
    print(f"  ratio (API / bare)          : {ratio:.2f}  (target >= {LIST_TARGET:.2f})")
    counts = "  ".join(f"limit={size}: {queries[size]}" for size in PAGE_SIZES)
    print(f"  API queries per request     : {counts}  page 2: {queries['page 2']}")
    assert len(set(queries.values())) == 1, f"the match list's query count grows with the page: {queries}"
    return ratio >= LIST_TARGET


# --- 2. Reporting a whole bracket


@contextmanager
def queued_tasks():
    """Tasks go to the broker as in production (the set-up runs them eagerly): to Redis under a key
    prefix of the bench's own, so that no worker on the same Redis picks them up (the embedded mode's
    broker is in memory); purged afterwards."""
    from driftwood.celery import app

    app.conf.broker_transport_options = {**app.conf.broker_transport_options, "global_keyprefix": "bench_brackets:"}
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.control.purge()
        app.conf.task_always_eager = True


def play_both(builder: Builder, url: str, played, replayed, *, counted: list | None = None) -> tuple[float, float]:
    """The organizer reports every match of `played` through `match_report` and the raw side makes the
    same changes to `replayed`, the two taking turns in blocks of REPORT_BLOCK reports, each block
    going first in turn (so a busy moment on the shared machine weighs on both). Returns each side's
    seconds. With `counted`, the service's statements are collected there (the warm-up pair only:
    counting costs time).

    Blocks, not single reports: taking turns report by report slowed the raw side more than the
    service (its connection and backend went cold between reports) and flattered the ratio by about
    0.04 in runs side by side; in blocks both sides run as they would back to back (whole brackets
    one after the other measured the same as blocks)."""
    import psycopg
    from django.db import connection

    from tournaments.brackets.services.matches import match_report
    from tournaments.models import Entry

    plan = raw_plan(replayed)
    reports = [(match.pk, *score_for(match.key)) for match in bracket_order(played)]
    seconds = {"service": 0.0, "raw": 0.0}

    def service(indexes) -> None:
        for index in indexes:
            match_id, score_a, score_b = reports[index]
            with Stopwatch() as watch:
                match_report(match_id=match_id, actor=builder.organizer, score_a=score_a, score_b=score_b)
            seconds["service"] += watch.seconds

    def raw(indexes) -> None:
        for index in indexes:
            seconds["raw"] += raw_report(conn, plan[index])

    counting = connection.execute_wrapper(lambda execute, sql, *args: counted.append(sql) or execute(sql, *args))
    with psycopg.connect(conninfo(url)) as conn, queued_tasks(), counting if counted is not None else nullcontext():
        conn.execute("SELECT 1")  # connected before the clock starts
        last = len(plan) - 1
        for number, start in enumerate(range(0, last, REPORT_BLOCK)):
            block = range(start, min(start + REPORT_BLOCK, last))
            for side in (service, raw) if number % 2 else (raw, service):
                side(block)
        # The last report completes the event: the raw side writes the placements the service computed.
        service([last])
        placements = dict(Entry.objects.filter(event=played).values_list("seed", "placement"))
        plan[last] = plan[last] + completion_statements(replayed, placements)
        raw([last])
    return seconds["service"], seconds["raw"]


def report_bench(builder: Builder, url: str) -> bool:
    from django.db.models import Max

    from driftwood.notifications.models import Notification
    from tournaments.models import Event

    service_seconds, raw_seconds, counted = 0.0, 0.0, []
    for repeat in range(REPEATS + 1):  # the first pair warms up, and is where queries are counted
        played = builder.event(Event.Format.SINGLE_ELIMINATION)
        replayed = builder.event(Event.Format.SINGLE_ELIMINATION)
        built = Notification.objects.aggregate(last=Max("pk"))["last"]  # what the set-up wrote is not compared
        service, raw = play_both(builder, url, played, replayed, counted=None if repeat else counted)
        state = bracket_state(played, built)
        assert state == bracket_state(replayed, built), "the raw side did not make the same changes"
        assert state[0] == Event.Status.COMPLETED
        # Both players of each match after the first round, then every entrant.
        assert len(state[-1]) == 2 * (ENTRANTS - 1 - ENTRANTS // 2) + ENTRANTS, "not every notice was written"
        if repeat:
            service_seconds, raw_seconds = service_seconds + service, raw_seconds + raw
    raw_statements = sum(len(statements) for statements in raw_plan(replayed)) + 3  # + the completion's
    reports = (ENTRANTS - 1) * REPEATS
    print(f"match_report by the organizer over a {ENTRANTS}-entrant single elimination ({ENTRANTS - 1} reports),")
    print(f"  {REPEATS} brackets each, one transaction per report, the sides taking turns in blocks of")
    print(f"  {REPORT_BLOCK} reports; the last report completes the event")
    print(
        f"  {'raw SQL, same row changes':<28}: {raw_seconds / reports * 1000:6.2f} ms/report"
        f"  {raw_statements / (ENTRANTS - 1):5.1f} statements/report"
    )
    print(
        f"  {'match_report()':<28}: {service_seconds / reports * 1000:6.2f} ms/report"
        f"  {len(counted) / (ENTRANTS - 1):5.1f} queries/report"
    )
    ratio = raw_seconds / service_seconds
    print(f"  ratio (service / raw)       : {ratio:.2f}  (target >= {REPORT_TARGET:.2f}), same brackets afterwards")
    return ratio >= REPORT_TARGET  # (at most 5 queries per report is pinned by a test)


def main() -> int:
    # No mail and no queued tasks from the 64 registrations per event: the set-up is not what is measured.
    os.environ["EMAIL_URL"] = "dummymail://"
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    url = scratch_database("bench_brackets")
    django_on(url)
    import logging

    logging.getLogger("driftwood.requests").setLevel(logging.WARNING)  # a log line per request otherwise
    builder = Builder()
    list_on_target = match_list_bench(builder)
    report_on_target = report_bench(builder, url)
    return 0 if list_on_target and report_on_target else 1


if __name__ == "__main__":
    sys.exit(main())
