"""Chat fan-out: one room, 50 WebSocket clients spread over 2 server processes (`make serve`'s uvicorn;
BENCH_CHAT_SERVER=daphne for `make run`'s) on channels-redis,
senders posting 100 messages/s in all for 20 s, with each of channels-redis' layers (the list-based
`RedisChannelLayer` and `RedisPubSubChannelLayer`), on a quiet CPU and on a contended one (two extra
processes burning CPU during the run), all in one run.

Every message carries its send time in its text; each client notes when the broadcast reaches it
(p50/p99 of delivery) and which seqs it got. After each run the clients catch up as the chat page
does: from the last seq up to which they hold every message, `history?after_seq=` until nothing
follows. Frames a layer dropped ("lost live") are so fetched; what is still missing after the
catch-up must be 0. In the same run, raw Redis pub/sub with the same shape (one channel, 50
subscribers, 100 messages/s, redis-py) gives the floor: what fan-out through Redis costs before
Django, Channels, PostgreSQL and the WebSocket add theirs.

    make bench BENCH=chat   # on REDIS_URL, or a redis-server `make bench` starts

Targets (exit status 1 on a miss): p99 <= 50 ms on the quiet CPU with the configured layer
(CHANNEL_LAYER, default `pubsub`), every message saved, and 0 missing after catch-up in every run.

Flood control allows a player 10 messages in 5 s, so 50 players at 100 messages/s would sit
exactly on the limit; like bench/withdrawals.py with the API limits, the servers here run with
it raised (`application` below) so that the benchmark measures delivery, not refusals.
"""

import asyncio
import importlib
import json
import os
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager, suppress

from bench.common import SERVER_PIDS, daphne_server, django_on, percentile, scratch_database, uvicorn_server
from bench.cpu import CpuWindow, profile_process

# The shape; the environment may change it to explore (e.g. BENCH_CHAT_RATE=50).
CLIENTS = int(os.environ.get("BENCH_CHAT_CLIENTS", "50"))
PROCESSES = int(os.environ.get("BENCH_CHAT_PROCESSES", "2"))
RATE = int(os.environ.get("BENCH_CHAT_RATE", "100"))  # messages per second, all senders together
SECONDS = int(os.environ.get("BENCH_CHAT_SECONDS", "20"))
LAYERS = os.environ.get("BENCH_CHAT_LAYERS", "core,pubsub").split(",")
CPUS = [cpu == "contended" for cpu in os.environ.get("BENCH_CHAT_CPU", "quiet,contended").split(",")]
# The WebSocket server: `make serve`'s uvicorn (driftwood/core/serve.py), or daphne (`make run`'s).
SERVER = os.environ.get("BENCH_CHAT_SERVER", "uvicorn")
BURNERS = 2  # the contended runs' extra CPU-bound processes
FLOOR_SECONDS = 10
DRAIN_SECONDS = 10  # after the last send; frames still missing then are left to the catch-up
CATCH_UP_PAGE = 100
P99_TARGET_MS = 50
BENCH_FLOOD_LIMIT = 1_000_000


def __getattr__(name: str):
    """`bench.chat:application`, the ASGI app the benchmark's server processes serve: Driftwood's,
    with the per-player flood limit raised (see the module docstring)."""
    if name != "application":
        raise AttributeError(name)
    from driftwood.asgi import application  # sets Django up, then loads the consumers
    from driftwood.core.ratelimit import Rate

    consumers = importlib.import_module("chat.consumers")
    consumers.MESSAGE_RATE = Rate(limit=BENCH_FLOOD_LIMIT, period=consumers.MESSAGE_RATE.period)
    profile_process()  # BENCH_PROFILE_DIR (bench/cpu.py)
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
    """What the clients received: latencies, and which message (and seq) each client got."""

    def __init__(self, clients: int, tag: str):
        self.tag = tag
        self.latencies: list[float] = []
        self.got = [set() for _ in range(clients)]
        self.seqs = [set() for _ in range(clients)]
        self.warm_seq: dict[str, int] = {}  # warm-up attempt -> its message's seq
        self.warmed = [set() for _ in range(clients)]
        self.duplicates = 0
        self.errors: list[str] = []
        self.changed = asyncio.Event()
        self.cpu: list[str] = []  # CPU cost lines of the send phase (bench/cpu.py)

    def frame(self, client: int, data: dict) -> None:
        tag, number, sent_at = data["message"].split("|")
        if tag == self.tag:
            if int(number) in self.got[client]:
                self.duplicates += 1
                return
            self.got[client].add(int(number))
            self.seqs[client].add(data["seq"])
            self.latencies.append(time.perf_counter() - float(sent_at))
        elif tag == "warmup":
            self.warm_seq[number] = data["seq"]
            self.warmed[client].add(number)
        self.changed.set()

    def fetched(self, client: int, message: dict) -> None:
        """A message the client fetched from history while catching up."""
        self.seqs[client].add(message["seq"])
        tag, number, _ = message["message"].split("|")
        if tag == self.tag:
            self.got[client].add(int(number))

    def complete(self, sent: set[int]) -> bool:
        return all(sent <= got for got in self.got)

    def missing(self, sent: set[int]) -> int:
        return sum(len(sent - got) for got in self.got)


async def _read(socket, client: int, deliveries: Deliveries) -> None:
    async for frame in socket:
        data = json.loads(frame.data)
        kind = data.get("type")
        if kind == "message":
            deliveries.frame(client, data)
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


async def _catch_up(http, server: str, room_id: str, token: str, client: int, since: int, deliveries) -> int:
    """As the chat page does: from the last seq held without a gap, fetch what follows until nothing
    does. Returns the number of history requests."""
    requests, held = 0, deliveries.seqs[client]
    while True:
        while since + 1 in held:
            since += 1
        url = f"{server}/api/v1/chat/{room_id}/history?after_seq={since}&limit={CATCH_UP_PAGE}"
        async with http.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
            response.raise_for_status()
            body = await response.json()
        requests += 1
        for message in body["results"]:
            deliveries.fetched(client, message)
        if not body["results"]:
            return requests


async def websocket_run(servers: list[str], room_id: str, tokens: list[str], tag: str):
    """Connect, warm up, send RATE x SECONDS messages, drain, then catch up every client.
    Returns (deliveries, sent, send seconds, missing before the catch-up, history requests)."""
    import aiohttp

    deliveries = Deliveries(len(tokens), tag)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sockets = []
        for index, token in enumerate(tokens):
            url = f"{servers[index % len(servers)].replace('http', 'ws', 1)}/ws/chat/{room_id}?token={token}"
            sockets.append(await http.ws_connect(url, max_msg_size=0))
        readers = [asyncio.create_task(_read(socket, n, deliveries)) for n, socket in enumerate(sockets)]

        # Warm up until every client hears one message: its seq is where every client starts.
        for attempt in range(10):
            await sockets[0].send_str(json.dumps({"type": "message", "message": f"warmup|{tag}{attempt}|0"}))
            done = lambda a=f"{tag}{attempt}": all(a in warmed for warmed in deliveries.warmed)  # noqa: E731
            if await _wait_for(done, deliveries, 2):
                start_seq = deliveries.warm_seq[f"{tag}{attempt}"]
                break
        else:
            raise SystemExit("not every client joined the room")

        sent: set[int] = set()
        cpu = CpuWindow({f"server {n + 1}": SERVER_PIDS[server] for n, server in enumerate(servers)})
        frames_before = len(deliveries.latencies)
        cpu.start()
        started = time.perf_counter()
        for number in range(RATE * SECONDS):
            delay = started + number / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            text = f"{tag}|{number}|{time.perf_counter():.6f}"
            await sockets[number % len(sockets)].send_str(json.dumps({"type": "message", "message": text}))
            sent.add(number)
        send_seconds = time.perf_counter() - started
        await _wait_for(lambda: deliveries.complete(sent), deliveries, DRAIN_SECONDS)
        await cpu.settle(lambda: len(deliveries.latencies))
        cpu.stop()
        deliveries.cpu = cpu.report(frames=len(deliveries.latencies) - frames_before, posted=len(sent))
        lost_live = deliveries.missing(sent)

        requests = await asyncio.gather(
            *(
                _catch_up(http, servers[n % len(servers)], room_id, token, n, start_seq, deliveries)
                for n, token in enumerate(tokens)
            )
        )
        for socket in sockets:
            await socket.close()
        await asyncio.gather(*readers, return_exceptions=True)
    return deliveries, sent, send_seconds, lost_live, sum(requests)


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
    if not latencies:
        return f"  {label:<34}: no deliveries"
    p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
    return f"  {label:<34}: p50 {p50:7.1f} ms   p99 {p99:7.1f} ms   ({len(latencies)} deliveries)"


def forget_keys(redis_url: str, prefix: str) -> None:
    """The benchmark's own presence, rate-limit and channel keys (all under its prefix)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)
    client.close()


@contextmanager
def busy_cpu(count: int):
    """`count` extra processes burning CPU for the block (the contended runs)."""
    burners = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def one_run(*, layer: str, contended: bool, env: dict, room_id: str, tokens: list[str], tag: str) -> dict:
    from chat.models import ChatMessage

    with ExitStack() as stack:
        run_env = {**env, "CHANNEL_LAYER": layer, "CHANNEL_LAYER_PREFIX": f"{env['CACHE_KEY_PREFIX']}_{tag}"}
        server = {"daphne": daphne_server, "uvicorn": uvicorn_server}[SERVER]
        servers = [stack.enter_context(server("bench.chat:application", **run_env)) for _ in range(PROCESSES)]
        if contended:
            stack.enter_context(busy_cpu(BURNERS))
        deliveries, sent, send_seconds, lost_live, requests = asyncio.run(websocket_run(servers, room_id, tokens, tag))
    saved = ChatMessage.objects.filter(room__room_id=room_id, text__startswith=f"{tag}|").count()
    return {
        "label": f"{layer}, {'contended CPU' if contended else 'quiet CPU'}",
        "layer": layer,
        "contended": contended,
        "latencies": deliveries.latencies,
        "rate": len(sent) / send_seconds,
        "sent": len(sent),
        "saved": saved,
        "lost_live": lost_live,
        "missing": deliveries.missing(sent),
        "requests": requests,
        "duplicates": deliveries.duplicates,
        "errors": len(deliveries.errors),
        "cpu": deliveries.cpu,
    }


def main() -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        print("chat benchmark skipped: it needs Redis (channels-redis across 2 processes); set REDIS_URL.")
        return
    configured = os.environ.get("CHANNEL_LAYER", "pubsub")
    url = scratch_database("bench_chat")
    django_on(url)
    room_id, tokens = room_with_players(CLIENTS)
    prefix = f"bench_chat_{os.getpid()}"
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        # As in production (docker-compose.yml): without the pool, every database call of a socket
        # opens a new PostgreSQL connection, and the servers fall behind from about 75 messages/s.
        "DATABASE_POOL": "true",
    }
    runs = []
    try:
        floor, floor_expected, floor_received = asyncio.run(redis_floor(redis_url, f"{prefix}:floor", CLIENTS))
        plan = [(layer, contended) for contended in CPUS for layer in LAYERS]
        for index, (layer, contended) in enumerate(plan):
            runs.append(
                one_run(layer=layer, contended=contended, env=env, room_id=room_id, tokens=tokens, tag=f"b{index}")
            )
    finally:
        forget_keys(redis_url, prefix)

    print(
        f"chat fan-out: 1 room, {CLIENTS} WebSocket clients over {PROCESSES} {SERVER} processes, "
        f"{RATE} messages/s for {SECONDS} s per run; contended = {BURNERS} extra CPU-burning processes"
    )
    print(line("raw Redis pub/sub (floor)", floor) + f"   lost {floor_expected - floor_received}")
    failures = []
    for run in runs:
        print(line(run["label"], run["latencies"]) + f"   at {run['rate']:.0f}/s")
        print(
            f"    saved {run['saved']} of {run['sent']}; lost live {run['lost_live']} of {run['sent'] * CLIENTS}, "
            f"missing after catch-up {run['missing']} (target 0, {run['requests']} history requests); "
            f"duplicates {run['duplicates']}, error frames {run['errors']}"
        )
        print("\n".join(run["cpu"]))
        if run["latencies"] and floor:
            p50 = percentile(run["latencies"], 0.5) / percentile(floor, 0.5)
            p99 = percentile(run["latencies"], 0.99) / percentile(floor, 0.99)
            print(f"    ratio to the Redis floor: p50 {p50:.1f}x, p99 {p99:.1f}x")
        if run["missing"] or run["saved"] != run["sent"] or run["errors"]:
            failures.append(f"{run['label']}: every message must be saved and reach every client after catch-up")
        quiet_p99 = percentile(run["latencies"], 0.99) * 1000 if run["latencies"] else float("inf")
        if run["layer"] == configured and not run["contended"] and quiet_p99 > P99_TARGET_MS:
            failures.append(f"{run['label']}: p99 {quiet_p99:.1f} ms above the {P99_TARGET_MS} ms target")
    for failure in failures:
        print(f"FAILED: {failure}", file=sys.stderr)
    if failures:
        sys.exit(1)


if __name__ == "__main__":
    main()
