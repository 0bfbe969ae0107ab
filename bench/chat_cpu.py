"""CPU cost of chat delivery, which neighbours' load hardly moves (unlike the latency of
bench/chat.py): CPU seconds of each WebSocket server process per 1,000 frames delivered.

    make bench BENCH=chat_cpu   # on REDIS_URL, or a redis-server `make bench` starts

The shape of bench/chat.py (one room, 50 clients over 2 server processes, the pub/sub layer), in
two phases:

- fan-out: frames published straight to the room's group through the channel layer at RATE/s (no
  database, no posting socket): what the servers spend per delivered frame (the layer's receive,
  the consumer's dispatch, the framing and the socket write);
- posts: messages sent through the sockets at RATE/s, as players do: per message, the fan-out
  plus the post (flood control, membership, the INSERT, presence, the broadcast).

BENCH_CHAT_SERVER=daphne|uvicorn picks the server (default: uvicorn, `make serve`'s);
BENCH_PROFILE_DIR=<dir> writes a cProfile of each server's event-loop thread (CPU time) to
`<dir>/<pid>.prof` (bench/cpu.py). Latency is printed too, but it is only meaningful on a quiet
machine.
"""

import asyncio
import json
import os
import signal
import time

from bench.chat import CLIENTS, PROCESSES, RATE, SERVER, Deliveries, room_with_players
from bench.common import SERVER_PIDS, daphne_server, django_on, percentile, scratch_database, uvicorn_server
from bench.cpu import CpuWindow

SECONDS = int(os.environ.get("BENCH_CHAT_SECONDS", "10"))


async def _read(socket, client: int, deliveries: Deliveries) -> None:
    async for frame in socket:
        data = json.loads(frame.data)
        if data.get("type") == "message":
            deliveries.frame(client, data)


async def phase(sockets, deliveries: Deliveries, send, pids: dict[str, int]) -> list[str]:
    """Send RATE x SECONDS messages with `send(number, text)`; the CPU lines of the window."""
    cpu = CpuWindow(pids)
    before = len(deliveries.latencies)
    cpu.start()
    started = time.perf_counter()
    count = RATE * SECONDS
    for number in range(count):
        delay = started + number / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        await send(number, f"{deliveries.tag}|{number}|{time.perf_counter():.6f}")
    await cpu.settle(lambda: len(deliveries.latencies))
    cpu.stop()
    latencies = deliveries.latencies[before:]
    frames = len(latencies)
    lines = cpu.report(frames=frames, posted=count)
    if latencies:
        p50, p99 = percentile(latencies, 0.5) * 1000, percentile(latencies, 0.99) * 1000
        lines.append(f"    delivered {frames} of {count * len(sockets)}; latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return lines


async def run(servers: list[str], room_id: str, tokens: list[str], layer) -> None:
    import aiohttp

    from chat.presence import chat_group

    pids = {f"{SERVER} {n + 1}": SERVER_PIDS[server] for n, server in enumerate(servers)}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        sockets = []
        for index, token in enumerate(tokens):
            url = f"{servers[index % len(servers)].replace('http', 'ws', 1)}/ws/chat/{room_id}?token={token}"
            sockets.append(await http.ws_connect(url, max_msg_size=0))
        await asyncio.sleep(1)  # every socket has joined the group (joins are acknowledged in well under that)

        fanout = Deliveries(len(sockets), "f")
        readers = [asyncio.create_task(_read(socket, n, fanout)) for n, socket in enumerate(sockets)]

        async def publish(number: int, text: str) -> None:
            frame = {"type": "message", "seq": number + 1, "message": text}
            await layer.group_send(chat_group(room_id), {"type": "chat.message", "text": json.dumps(frame)})

        print(f"  fan-out, {RATE} frames/s published to the room for {SECONDS} s:")
        print("\n".join(await phase(sockets, fanout, publish, pids)))
        for reader in readers:
            reader.cancel()

        posts = Deliveries(len(sockets), "p")
        readers = [asyncio.create_task(_read(socket, n, posts)) for n, socket in enumerate(sockets)]

        async def post(number: int, text: str) -> None:
            await sockets[number % len(sockets)].send_str(json.dumps({"type": "message", "message": text}))

        print(f"  posts, {RATE} messages/s sent through the sockets for {SECONDS} s:")
        print("\n".join(await phase(sockets, posts, post, pids)))
        for reader in readers:
            reader.cancel()
        for socket in sockets:
            await socket.close()
    if os.environ.get("BENCH_PROFILE_DIR"):  # written now, whatever the server does on SIGTERM
        for pid in pids.values():
            os.kill(pid, signal.SIGUSR1)
        await asyncio.sleep(3)


def main() -> None:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        print("chat CPU benchmark skipped: it needs Redis; set REDIS_URL.")
        return
    url = scratch_database("bench_chat_cpu")
    prefix = f"bench_chat_cpu_{os.getpid()}"
    os.environ.update(CHANNEL_LAYER="pubsub", CHANNEL_LAYER_PREFIX=prefix, CACHE_KEY_PREFIX=prefix)
    django_on(url)
    from channels.layers import get_channel_layer

    from bench.chat import forget_keys

    room_id, tokens = room_with_players(CLIENTS)
    env = {
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "CACHE_KEY_PREFIX": prefix,
        "CHANNEL_LAYER": "pubsub",
        "CHANNEL_LAYER_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        "DATABASE_POOL": "true",
    }
    print(
        f"chat CPU: 1 room, {CLIENTS} WebSocket clients over {PROCESSES} {SERVER} processes, pub/sub layer; "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    server = {"daphne": daphne_server, "uvicorn": uvicorn_server}[SERVER]
    try:
        from contextlib import ExitStack

        with ExitStack() as stack:
            servers = [stack.enter_context(server("bench.chat:application", **env)) for _ in range(PROCESSES)]
            asyncio.run(run(servers, room_id, tokens, get_channel_layer()))
    finally:
        forget_keys(redis_url, prefix)


if __name__ == "__main__":
    main()
