"""Chat fan-out: one room, 50 WebSocket clients spread over 2 daphne processes on channels-redis,
senders posting 100 messages/s in all for 20 s.

Every message carries its send time in its text; each client notes when the broadcast reaches
it. Prints delivery latency p50/p99, the send rate reached, and messages lost (a client never
got it; must be 0). In the same run, raw Redis pub/sub with the same shape (one channel, 50
subscribers, 100 messages/s, redis-py) gives the floor: what fan-out through Redis costs before
Django, Channels, PostgreSQL and the WebSocket add theirs.

    REDIS_URL=redis://127.0.0.1:6379/0 make bench BENCH=chat

Flood control allows a player 10 messages in 5 s, so 50 players at 100 messages/s would sit
exactly on the limit; like bench/withdrawals.py with the API limits, the servers here run with
it raised (`application` below) so that the benchmark measures delivery, not refusals.
"""

import asyncio
import importlib
import json
import os
import sys
import time
from contextlib import ExitStack, suppress

from bench.common import daphne_server, django_on, percentile, scratch_database

# The shape; the environment may change it to explore (e.g. BENCH_CHAT_RATE=50).
CLIENTS = int(os.environ.get("BENCH_CHAT_CLIENTS", "50"))
PROCESSES = int(os.environ.get("BENCH_CHAT_PROCESSES", "2"))
RATE = int(os.environ.get("BENCH_CHAT_RATE", "100"))  # messages per second, all senders together
SECONDS = int(os.environ.get("BENCH_CHAT_SECONDS", "20"))
FLOOR_SECONDS = 10
DRAIN_SECONDS = 30
BENCH_TAG = "bench"
BENCH_FLOOD_LIMIT = 1_000_000


def __getattr__(name: str):
    """`bench.chat:application`, the ASGI app the benchmark's daphne processes serve: Driftwood's,
    with the per-player flood limit raised (see the module docstring)."""
    if name != "application":
        raise AttributeError(name)
    from driftwood.asgi import application  # sets Django up, then loads the consumers
    from driftwood.core.ratelimit import Rate

    consumers = importlib.import_module("chat.consumers")
    consumers.MESSAGE_RATE = Rate(limit=BENCH_FLOOD_LIMIT, period=consumers.MESSAGE_RATE.period)
    return application


def room_with_players(count: int) -> tuple[str, list[str]]:
    """A team of `count` players (its room is theirs); returns the room id and their access tokens."""
    from rest_framework_simplejwt.tokens import AccessToken

    from driftwood.accounts.models import User
    from tournaments.models import Team, TeamMember

    players = User.objects.bulk_create(
        User(username=f"bench_chat_{n}", email=f"bench_chat_{n}@example.com") for n in range(count)
    )
    team = Team.objects.create(name="Bench squad", captain=players[0])
    TeamMember.objects.bulk_create(
        TeamMember(team=team, user=player, role=TeamMember.Role.CAPTAIN if n == 0 else TeamMember.Role.MEMBER)
        for n, player in enumerate(players)
    )
    return f"team_{team.pk}", [str(AccessToken.for_user(player)) for player in players]


class Deliveries:
    """What the clients received: latencies, and which message each client got (to count losses)."""

    def __init__(self, clients: int):
        self.latencies: list[float] = []
        self.got = [set() for _ in range(clients)]
        self.duplicates = 0
        self.errors: list[str] = []
        self.changed = asyncio.Event()

    def record(self, client: int, number: int, sent_at: float) -> None:
        if number in self.got[client]:
            self.duplicates += 1
            return
        self.got[client].add(number)
        self.latencies.append(time.perf_counter() - sent_at)
        self.changed.set()

    def complete(self, sent: set[int]) -> bool:
        return all(sent <= got for got in self.got)

    def lost(self, sent: set[int]) -> int:
        return sum(len(sent - got) for got in self.got)


async def _read(socket, client: int, deliveries: Deliveries, warmed: list[set]) -> None:
    async for frame in socket:
        data = json.loads(frame.data)
        kind = data.get("type")
        if kind == "message":
            tag, number, sent_at = data["message"].split("|")
            if tag == BENCH_TAG:
                deliveries.record(client, int(number), float(sent_at))
            else:
                warmed[client].add(number)
                deliveries.changed.set()
        elif kind == "error":
            deliveries.errors.append(data.get("code", "?"))


async def _wait_for(condition, deliveries: Deliveries, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while not condition():
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return False
        deliveries.changed.clear()
        with suppress(TimeoutError):
            await asyncio.wait_for(deliveries.changed.wait(), min(remaining, 0.5))
    return True


async def websocket_run(servers: list[str], room_id: str, tokens: list[str]) -> tuple[Deliveries, set[int], float]:
    import aiohttp

    deliveries = Deliveries(len(tokens))
    warmed = [set() for _ in tokens]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sockets = []
        for index, token in enumerate(tokens):
            url = f"{servers[index % len(servers)].replace('http', 'ws', 1)}/ws/chat/{room_id}?token={token}"
            sockets.append(await http.ws_connect(url, max_msg_size=0))
        readers = [asyncio.create_task(_read(socket, n, deliveries, warmed)) for n, socket in enumerate(sockets)]

        # A socket is accepted before it joins the room's group: warm up until every client hears a message.
        for attempt in range(10):
            await sockets[0].send_str(json.dumps({"type": "message", "message": f"warmup|{attempt}|0"}))
            if await _wait_for(lambda a=attempt: all(str(a) in got for got in warmed), deliveries, 2):
                break
        else:
            raise SystemExit("not every client joined the room")

        sent: set[int] = set()
        started = time.perf_counter()
        for number in range(RATE * SECONDS):
            delay = started + number / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            text = f"{BENCH_TAG}|{number}|{time.perf_counter():.6f}"
            await sockets[number % len(sockets)].send_str(json.dumps({"type": "message", "message": text}))
            sent.add(number)
        send_seconds = time.perf_counter() - started
        await _wait_for(lambda: deliveries.complete(sent), deliveries, DRAIN_SECONDS)

        for socket in sockets:
            await socket.close()
        await asyncio.gather(*readers, return_exceptions=True)
    return deliveries, sent, send_seconds


async def redis_floor(redis_url: str, channel: str, subscribers: int) -> tuple[list[float], int, int]:
    """The same fan-out on bare Redis pub/sub: returns latencies, deliveries expected and received."""
    import redis.asyncio as redis

    latencies: list[float] = []
    clients = [redis.Redis.from_url(redis_url) for _ in range(subscribers + 1)]
    pubsubs = [client.pubsub() for client in clients[1:]]
    for pubsub in pubsubs:
        await pubsub.subscribe(channel)
        await pubsub.get_message(timeout=5)  # the subscribe confirmation

    async def listen(pubsub):
        async for message in pubsub.listen():
            if message["type"] != "message":
                continue
            if message["data"] == b"stop":
                return
            latencies.append(time.perf_counter() - float(message["data"]))

    listeners = [asyncio.create_task(listen(pubsub)) for pubsub in pubsubs]
    publisher = clients[0]
    started = time.perf_counter()
    count = RATE * FLOOR_SECONDS
    for number in range(count):
        delay = started + number / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await publisher.publish(channel, f"{time.perf_counter():.6f}")
    await publisher.publish(channel, "stop")
    await asyncio.wait_for(asyncio.gather(*listeners), DRAIN_SECONDS)
    for pubsub in pubsubs:
        await pubsub.aclose()
    for client in clients:
        await client.aclose()
    return latencies, count * subscribers, len(latencies)


def line(label: str, latencies: list[float]) -> str:
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return f"  {label:<34}: p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(latencies)} deliveries)"


def forget_keys(redis_url: str, prefix: str) -> None:
    """The benchmark's own presence, rate-limit and channel keys (all under its prefix)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


def main() -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        print("chat benchmark skipped: it needs Redis (channels-redis across 2 processes); set REDIS_URL.")
        return
    url = scratch_database("bench_chat")
    django_on(url)
    room_id, tokens = room_with_players(CLIENTS)
    prefix = f"bench_chat_{os.getpid()}"
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CHANNEL_LAYER_PREFIX": prefix,
        "CACHE_KEY_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        # As in production (docker-compose.yml): without the pool, every database call of a socket
        # opens a new PostgreSQL connection, and the servers fall behind from about 75 messages/s.
        "DATABASE_POOL": "true",
    }
    try:
        floor, floor_expected, floor_received = asyncio.run(redis_floor(redis_url, f"{prefix}:floor", CLIENTS))
        with ExitStack() as stack:
            servers = [stack.enter_context(daphne_server("bench.chat:application", **env)) for _ in range(PROCESSES)]
            deliveries, sent, send_seconds = asyncio.run(websocket_run(servers, room_id, tokens))
    finally:
        forget_keys(redis_url, prefix)

    from chat.models import ChatMessage

    saved = ChatMessage.objects.filter(room__room_id=room_id, text__startswith=f"{BENCH_TAG}|").count()
    lost = deliveries.lost(sent)
    print(
        f"chat fan-out: 1 room, {CLIENTS} WebSocket clients over {PROCESSES} daphne processes (channels-redis), "
        f"{len(sent)} messages at {len(sent) / send_seconds:.0f}/s (target {RATE}/s for {SECONDS} s)"
    )
    print(line("raw Redis pub/sub (floor)", floor) + f"   lost {floor_expected - floor_received}")
    print(line("chat message, send -> every client", deliveries.latencies))
    print(
        f"  messages saved {saved} of {len(sent)}, deliveries {len(deliveries.latencies)} of {len(sent) * CLIENTS}, "
        f"lost {lost}, duplicates {deliveries.duplicates}, error frames {len(deliveries.errors)}"
    )
    if deliveries.latencies and floor:
        ratio = percentile(deliveries.latencies, 0.5) / percentile(floor, 0.5)
        print(f"  p50 ratio chat / Redis floor: {ratio:.1f}x")
    if lost or saved != len(sent) or deliveries.errors:
        print("FAILED: every message must be saved and reach every client", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
