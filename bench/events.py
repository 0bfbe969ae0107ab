"""Event list: `GET /api/v1/events?limit=100` over 1,000 events vs a bare Django view
returning the same rows with `.values()`, both through the full middleware stack in the
same process and run. Prints the query count of each, p50/p99 and the throughput ratio
(target >= 0.5).

    make bench BENCH=events
"""

import time
from datetime import timedelta
from decimal import Decimal

from bench.common import Stopwatch, django_on, percentile, scratch_database

EVENTS = 1000
ROUNDS = 200


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


def measure(client, path: str, token: str) -> tuple[list[float], float, int]:
    from django.db import connection

    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    queries = []
    # Django resets its own query log at each request start, so count at the cursor.
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        assert client.get(path, **headers).status_code == 200
    samples = []
    with Stopwatch() as total:
        for _ in range(ROUNDS):
            started = time.perf_counter()
            response = client.get(path, **headers)
            samples.append(time.perf_counter() - started)
            assert response.status_code == 200
    return samples, total.seconds, len(queries)


def main() -> None:
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
        measure(client, "/api/v1/events?limit=100", token)  # warm-up
        api, api_seconds, api_queries = measure(client, "/api/v1/events?limit=100", token)
        bare, bare_seconds, bare_queries = measure(client, "/bench/bare-events", token)

    print(f"GET /api/v1/events?limit=100 over {EVENTS} events, {ROUNDS} requests each, in-process")
    for label, samples, seconds, queries in (
        ("bare .values() view", bare, bare_seconds, bare_queries),
        ("events API", api, api_seconds, api_queries),
    ):
        print(
            f"  {label:<20}: {ROUNDS / seconds:6.0f} req/s  p50 {percentile(samples, 0.5) * 1000:6.1f} ms"
            f"  p99 {percentile(samples, 0.99) * 1000:6.1f} ms  {queries} queries"
        )
    print(f"  ratio (API / bare)  : {bare_seconds / api_seconds:.2f}  (target >= 0.50)")


if __name__ == "__main__":
    main()
