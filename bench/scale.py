"""Cost independent of table size (issue 15 item 7): every list, search and page at two scales.

S1 and S3 are seeded by SQL (generate_series) into two scratch databases, then each endpoint is
requested ROUNDS times per scale through Django's test Client in this process, S1 and S3
alternating request by request (so a busy machine slows both alike), and p95(S3) / p95(S1) is
printed against the target (<= 1.5). Exits non-zero on a miss.

    S1:   1k events,  10k users,  50k messages in one DM,  50k ledger rows for one player
    S3: 100k events, 100k users,   1M messages in one DM, 500k ledger rows for one player

Both scales give the player the same FRIENDS friends and ORGANIZED events (the tables around them
grow: every other player has friends and events too). Deep pages are reached by the cursor a walk
would return (the row 20 from the end, encoded by driftwood.core.keyset), timed as one request.

    make bench BENCH=scale
"""

import os
import sys
import time

import psycopg

from bench.common import Stopwatch, conninfo, django_on, percentile, scratch_database

SCALES = {
    "S1": {"events": 1_000, "users": 10_000, "messages": 50_000, "ledger": 50_000},
    "S3": {"events": 100_000, "users": 100_000, "messages": 1_000_000, "ledger": 500_000},
}
FRIENDS = 500
ORGANIZED = 20
OTHER_DMS = 30
ROUNDS = 50
WARM_UP = 3
TARGET = 1.5
PLAYER, PEER = 1, 2
START = "2026-01-01 00:00:00+00"

# Statements run in one transaction with triggers off (`session_replication_role = replica`: no
# foreign-key checks, no ledger leg trigger; the rows are consistent by construction).
SEED = [
    """INSERT INTO accounts_user (id, password, is_superuser, first_name, last_name, is_staff, is_active,
        date_joined, username, email, display_name, subscription_tier, allow_messages_from_anyone, language)
       SELECT n, '!', false, '', '', false, true, timestamptz '{start}' + n * interval '1 second',
        CASE n WHEN 1 THEN 'player' ELSE 'u' || substr(md5(n::text), 1, 8) || '_' || n END,
        'u' || n || '@example.com', 'Player ' || n, 'free', true, 'en'
       FROM generate_series(1, {users}) AS n""",
    """INSERT INTO tournaments_game (id, name, slug, icon)
       SELECT n, (ARRAY['Valorant','Dota 2','Tekken 8','Mobile Legends','PUBG Mobile','Free Fire','EA FC',
        'Street Fighter 6'])[n], 'game-' || n, '' FROM generate_series(1, 8) AS n""",
    # One event in 8 is a "... Cup"; one in 20 a draft; the player organizes ORGANIZED of them.
    """INSERT INTO tournaments_event (id, name, slug, game_id, tier, event_type, format, organizer_id, status,
        description, is_solo, team_size, max_participants, entry_fee, prize_pool, prize_distribution, starts_at,
        registration_closes_at, check_in_minutes, no_show_refund_percent, best_of, third_place_match,
        bracket_reset, groups, seeding, stream_url, created_at, updated_at)
       SELECT n, (ARRAY['Cup','Open','Masters','League','Clash','Series','Invitational','Showdown'])[n % 8 + 1]
        || ' ' || n, 'event-' || n, n % 8 + 1, 'community', 'online', 'single_elimination',
        CASE WHEN n <= {organized} THEN 1 ELSE 3 + n % ({users} - 3) END,
        CASE WHEN n % 20 = 0 THEN 'draft' ELSE 'registration_open' END, '', true, 1, 16, 0, 0, '[]',
        s, s - interval '1 hour', 60, 100, 1, false, true, 1, 'registration', '', now(), now()
       FROM generate_series(1, {events}) AS n,
        LATERAL (SELECT timestamptz '2027-01-01 00:00:00+00' + ((n * 7919) % {events}) * interval '10 min') AS t(s)""",
    # Two confirmed players per event (their registration members too).
    """INSERT INTO tournaments_registration (id, event_id, user_id, registered_by_id, status, created_at, confirmed_at,
        waitlist_card)
       SELECT (e - 1) * 2 + k, e, u, u, 'confirmed', now(), now(), false
       FROM generate_series(1, {events}) AS e, generate_series(1, 2) AS k,
        LATERAL (SELECT 3 + (e * 2 + k) % ({users} - 3)) AS p(u)""",
    """INSERT INTO tournaments_registrationmember (id, registration_id, event_id, user_id)
       SELECT id, id, event_id, user_id FROM tournaments_registration""",
    # The player's friends, spread over the table; every other player befriends the next one.
    """INSERT INTO social_friendship (requester_id, addressee_id, status, created_at)
       SELECT CASE WHEN k % 2 = 0 THEN 1 ELSE f END, CASE WHEN k % 2 = 0 THEN f ELSE 1 END, 'accepted', now()
       FROM generate_series(0, {friends} - 1) AS k, LATERAL (SELECT 3 + k * (({users} - 3) / {friends})) AS x(f)""",
    """INSERT INTO social_friendship (requester_id, addressee_id, status, created_at)
       SELECT n, n + 1, 'accepted', now() FROM generate_series(3, {users} - 1) AS n""",
    # Rooms: the big DM (player and PEER), OTHER_DMS more for the player, one per other pair.
    """INSERT INTO chat_chatroom (id, room_id, kind, title, created_at, last_message_at, last_message_id,
        last_message_preview, last_seq)
       SELECT n, 'dm_' || a || '_' || b, 'dm', '', now(), timestamptz '{start}' + n * interval '1 minute', 0, '', 0
       FROM generate_series(1, {users} / 2 - 1) AS n,
        LATERAL (SELECT CASE WHEN n <= {other_dms} + 1 THEN 1 ELSE 2 * n END,
                        CASE WHEN n <= {other_dms} + 1 THEN n + 1 ELSE 2 * n + 1 END) AS p(a, b)""",
    """INSERT INTO chat_roommember (room_id, user_id, joined_at, last_read_message_id)
       SELECT id, split_part(room_id, '_', 2)::bigint, now(), 0 FROM chat_chatroom
       UNION ALL SELECT id, split_part(room_id, '_', 3)::bigint, now(), 0 FROM chat_chatroom""",
    """INSERT INTO chat_chatmessage (id, room_id, sender_id, text, created_at, edited, deleted, seq)
       SELECT n, 1, CASE WHEN n % 2 = 0 THEN 1 ELSE 2 END, 'message ' || n,
        timestamptz '{start}' + n * interval '1 second', false, false, n
       FROM generate_series(1, {messages}) AS n""",
    """UPDATE chat_chatroom SET last_message_id = {messages}, last_seq = {messages},
        last_message_at = timestamptz '{start}' + {messages} * interval '1 second', last_message_preview = 'hi'
       WHERE id = 1""",
    # The player's wallet and its ledger: one top-up of 1.00 per row.
    # (The migrations made the platform's own wallets: ids follow theirs.)
    """INSERT INTO wallet_wallet (kind, owner_id, reference, currency, current_balance, usable_balance,
        pending_balance, version, has_bank_account, bank_name, bank_last4, bank_account_number_encrypted,
        account_holder_name, created_at, updated_at)
       VALUES ('player', 1, 'user:1', 'MYR', {ledger}, {ledger}, 0, 1, false, '', '', '', '', now(), now())""",
    """INSERT INTO wallet_ledgertransaction (id, transaction_type, description, currency, metadata, created_at)
       SELECT b + n, 'topup', 'Top-up', 'MYR', '{{}}', timestamptz '{start}' + n * interval '1 second'
       FROM generate_series(1, {ledger}) AS n, (SELECT COALESCE(max(id), 0) FROM wallet_ledgertransaction) AS t(b)""",
    """INSERT INTO wallet_ledgerentry (id, ledger_transaction_id, wallet_id, transaction_type, amount,
        pending_amount, usable_after, pending_after, description, metadata, created_at)
       SELECT e + n, t + n, w, CASE WHEN n % 50 = 0 THEN 'prize' ELSE 'topup' END, 1, 0, n, 0, 'Top-up', '{{}}',
        timestamptz '{start}' + n * interval '1 second'
       FROM generate_series(1, {ledger}) AS n,
        (SELECT COALESCE(max(id), 0) FROM wallet_ledgerentry) AS le(e),
        (SELECT max(id) - {ledger} FROM wallet_ledgertransaction) AS lt(t),
        (SELECT id FROM wallet_wallet WHERE owner_id = 1) AS pw(w)""",
]
SEQUENCES = [
    "accounts_user",
    "tournaments_game",
    "tournaments_event",
    "tournaments_registration",
    "tournaments_registrationmember",
    "social_friendship",
    "chat_chatroom",
    "chat_roommember",
    "chat_chatmessage",
    "wallet_wallet",
    "wallet_ledgertransaction",
    "wallet_ledgerentry",
]


def seed(url: str, sizes: dict) -> None:
    values = {**sizes, "friends": FRIENDS, "organized": ORGANIZED, "other_dms": OTHER_DMS, "start": START}
    with psycopg.connect(conninfo(url)) as db:
        db.execute("SET session_replication_role = replica")
        for statement in SEED:
            db.execute(statement.format(**values))
        for table in SEQUENCES:
            db.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    with psycopg.connect(conninfo(url), autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def deep_cursor(queryset, from_end: int) -> str:
    """The cursor a walk of the list would hand back `from_end` rows before its end."""
    from driftwood.core.keyset import encode, ordering_of

    total = queryset.count()
    row = queryset[total - from_end - 1]
    return encode(ordering_of(queryset), row, page=(total - from_end) // 20 + 1)


def endpoints() -> dict[str, str]:
    """Paths per scale (the deep cursors differ): {label: path} for the scale now active."""
    from driftwood.accounts.models import User
    from tournaments import selectors as events
    from wallet import selectors as wallet

    player = User.objects.get(pk=PLAYER)
    return {
        "events ?limit=20": "/api/v1/events?limit=20",
        "events last page (cursor)": "/api/v1/events?limit=20&cursor="
        + deep_cursor(events.event_list(user=player), 20),
        "events ?search=cup": "/api/v1/events?limit=20&search=cup",
        "events ?search=<rare>": "/api/v1/events?limit=20&search=Showdown%20999",
        "wallet/transactions ?limit=50": "/api/v1/wallet/transactions?limit=50",
        "wallet/transactions deep": "/api/v1/wallet/transactions?limit=50&cursor="
        + deep_cursor(wallet.ledger_entries(user=player), 50),
        "users/{id}/friends ?limit=50": f"/api/v1/users/{PLAYER}/friends?limit=50",
        "users/{id}/friends ?search=": f"/api/v1/users/{PLAYER}/friends?limit=50&search=player%2012",
        "chat/rooms": "/api/v1/chat/rooms",
        "page /wallet/": "/wallet/",
        "chat history (1M-row DM)": f"/api/v1/chat/dm_{PLAYER}_{PEER}/history?limit=50",
    }


class Scales:
    """Both scratch databases (and a cache each) in one process: `activate` swaps the handles."""

    def __init__(self, urls: dict[str, str]):
        from django.core.cache import caches
        from django.core.cache.backends.locmem import LocMemCache
        from django.db import connections
        from django.db.utils import load_backend

        self.connections, self.caches = connections, caches
        default = connections["default"].settings_dict
        backend = load_backend(default["ENGINE"])
        name = {scale: url.rsplit("/", 1)[1].split("?")[0] for scale, url in urls.items()}
        self.wrappers = {scale: backend.DatabaseWrapper({**default, "NAME": name[scale]}, "default") for scale in urls}
        self.cache_of = {scale: LocMemCache(f"bench-scale-{scale}", {}) for scale in urls}

    def activate(self, scale: str) -> None:
        self.connections["default"] = self.wrappers[scale]
        self.caches["default"] = self.cache_of[scale]


def main() -> int:
    os.environ.pop("REDIS_URL", None)  # an in-process cache per scale (swapped with the database)
    # A persistent connection per scale (a pool is kept per alias, and both scales are "default").
    os.environ.update(DATABASE_POOL="false", DATABASE_CONN_MAX_AGE="600")
    urls = {scale: scratch_database(f"bench_scale_{scale.lower()}") for scale in SCALES}
    django_on(urls["S1"])
    from django.db import connection

    connection.close()
    with psycopg.connect(conninfo(urls["S1"].rsplit("/", 1)[0] + "/postgres"), autocommit=True) as admin:
        s1, s3 = (url.rsplit("/", 1)[1] for url in (urls["S1"], urls["S3"]))
        admin.execute(f'DROP DATABASE IF EXISTS "{s3}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{s3}" TEMPLATE "{s1}"')  # the migrated schema, empty
    for scale, sizes in SCALES.items():
        with Stopwatch() as took:
            seed(urls[scale], sizes)
        print(f"seeded {scale} ({', '.join(f'{n:,} {what}' for what, n in sizes.items())}) in {took.seconds:.1f} s")
        sys.stdout.flush()

    import logging

    from django.test import Client
    from django.test.utils import override_settings
    from rest_framework_simplejwt.tokens import AccessToken

    from driftwood.accounts.models import User

    scales = Scales(urls)
    clients, paths = {}, {}
    for scale in SCALES:
        scales.activate(scale)
        clients[scale] = Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(User.objects.get(pk=PLAYER))}")
        clients[scale].force_login(User.objects.get(pk=PLAYER))
        paths[scale] = endpoints()
    samples = {label: {scale: [] for scale in SCALES} for label in paths["S1"]}
    with override_settings(RATELIMIT_ENABLE=False, ALLOWED_HOSTS=["testserver"]):
        logging.getLogger("driftwood.requests").setLevel(logging.WARNING)
        for label in samples:
            for round_ in range(WARM_UP + ROUNDS):
                # Alternate which scale goes first, so neither always follows the other.
                for scale in SCALES if round_ % 2 else reversed(SCALES):
                    scales.activate(scale)
                    started = time.perf_counter()
                    response = clients[scale].get(paths[scale][label])
                    elapsed = time.perf_counter() - started
                    assert response.status_code == 200, (label, scale, response.status_code, response.content[:300])
                    if round_ >= WARM_UP:
                        samples[label][scale].append(elapsed)

    print(
        f"\n{ROUNDS} requests per endpoint and scale, alternating, in-process; ms p50/p95; target p95 ratio <= {TARGET}"
    )
    print(f"  {'endpoint':<32} {'S1':>13} {'S3':>13}  p95 S3/S1 (target <= {TARGET})")
    misses = []
    for label, by_scale in samples.items():
        p50 = {scale: percentile(values, 0.5) * 1000 for scale, values in by_scale.items()}
        p95 = {scale: percentile(values, 0.95) * 1000 for scale, values in by_scale.items()}
        ratio = p95["S3"] / p95["S1"]
        verdict = "ok" if ratio <= TARGET else "MISS"
        if ratio > TARGET:
            misses.append(label)
        print(
            f"  {label:<32} {p50['S1']:5.1f}/{p95['S1']:5.1f}   {p50['S3']:5.1f}/{p95['S3']:5.1f}"
            f"  {ratio:5.2f}  {verdict}"
        )
    print(
        f"\n{len(samples) - len(misses)} of {len(samples)} endpoints within {TARGET}x"
        + (f"; missed: {misses}" if misses else "")
    )
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
