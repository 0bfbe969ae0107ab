"""Event list: `GET /api/v1/events?limit=100` over 1,000 events vs a bare Django view
returning the same rows with `.values()`, both through the full middleware stack in the
same process and run, in alternating blocks (so that a neighbour's load on a shared machine
falls on both). Prints the query count of each, p50/p99 and the throughput ratio (target >= 0.7;
exits non-zero on a miss).

    make bench BENCH=events
"""

import sys
import time
from datetime import timedelta
from decimal import Decimal

from bench.common import Stopwatch, django_on, percentile, scratch_database

EVENTS = 1000
ROUNDS = 200
BLOCKS = 10  # ROUNDS requests per side, alternating in this many blocks
TARGET = 0.70


def seed() -> str:
    """1,000 open events across games and organizers, with registrations to count."""
    from django.utils import timezone

    from driftwood.accounts.models import User
    from tournaments.models import Event, Game, Registration, RegistrationMember

    games = [Game.objects.create(name=f"Game {n}", slug=f"game-{n}") for n in range(6)]
    organizers = [User.objects.create_user(username=f"org_{n}", email=f"org_{n}@example.com") for n in range(20)]
    players = [User.objects.create_user(username=f"p_{n}", email=f"p_{n}@example.com") for n in range(8)]
    now = timezone.now()
    events = Event.objects.bulk_create(
        Event(
            name=f"Bench Cup {n}",
            slug=f"bench-cup-{n}",
            game=games[n % len(games)],
            organizer=organizers[n % len(organizers)],
            status=Event.Status.REGISTRATION_OPEN,
            max_participants=16,
            entry_fee=Decimal("10.00"),
            prize_pool=Decimal("100.00"),
            prize_distribution=[60, 30, 10],
            starts_at=now + timedelta(days=7, minutes=n),
            registration_closes_at=now + timedelta(days=6),
        )
        for n in range(EVENTS)
    )
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=player, registered_by=player, status=Registration.Status.CONFIRMED)
        for event in events[:200]
        for player in players
    )
    RegistrationMember.objects.bulk_create(
        RegistrationMember(registration=registration, event_id=registration.event_id, user_id=registration.user_id)
        for registration in registrations
    )
    from rest_framework_simplejwt.tokens import RefreshToken

    return str(RefreshToken.for_user(players[0]).access_token)


def count_queries(client, path: str, headers: dict) -> int:
    from django.db import connection

    queries = []
    # Django resets its own query log at each request start, so count at the cursor.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        assert client.get(path, **headers).status_code == 200
    return len(queries)


def measure(client, paths: tuple[str, ...], token: str) -> list[tuple[list[float], float, int]]:
    """For each path: request samples, total seconds and queries per request; the paths take turns."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    results = [([], 0.0, count_queries(client, path, headers)) for path in paths]
    for block in range(BLOCKS):
        for index in range(len(paths)) if block % 2 == 0 else reversed(range(len(paths))):
            samples, seconds, queries = results[index]
            with Stopwatch() as total:
                for _ in range(ROUNDS // BLOCKS):
                    started = time.perf_counter()
                    response = client.get(paths[index], **headers)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 200
            results[index] = (samples, seconds + total.seconds, queries)
    return results


def main() -> int:
    url = scratch_database("bench_events")
    django_on(url)
    import logging

    from django.test import Client
    from django.test.utils import override_settings

    token = seed()
    # Limits off (this measures the list, not the throttle); the bench URLconf adds the bare view.
    with override_settings(ROOT_URLCONF="bench.urls", RATELIMIT_ENABLE=False, ALLOWED_HOSTS=["testserver"]):
        logging.getLogger("driftwood.requests").setLevel(logging.WARNING)  # a log line per request otherwise
        client = Client()
        for _ in range(20):  # warm-up
            client.get("/api/v1/events?limit=100", HTTP_AUTHORIZATION=f"Bearer {token}")
        (api, api_seconds, api_queries), (bare, bare_seconds, bare_queries) = measure(
            client, ("/api/v1/events?limit=100", "/bench/bare-events"), token
        )

    print(f"GET /api/v1/events?limit=100 over {EVENTS} events, {ROUNDS} requests each, in-process")
    for label, samples, seconds, queries in (
        ("bare .values() view", bare, bare_seconds, bare_queries),
        ("events API", api, api_seconds, api_queries),
    ):
        print(
            f"  {label:<20}: {ROUNDS / seconds:6.0f} req/s  p50 {percentile(samples, 0.5) * 1000:6.1f} ms"
            f"  p99 {percentile(samples, 0.99) * 1000:6.1f} ms  {queries} queries"
        )
    ratio = bare_seconds / api_seconds
    print(f"  ratio (API / bare)  : {ratio:.2f}  (target >= {TARGET:.2f})")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
