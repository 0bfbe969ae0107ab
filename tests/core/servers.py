"""Test servers by the pair: started side by side, and killed when their graceful stop is not under test."""

from concurrent.futures import ThreadPoolExecutor

from tests import services


def start_servers(count: int, **env: str) -> list:
    """`count` daphne processes (tests/services.py), started side by side: [(process, url), ...]."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(lambda _: services.start_daphne(**env), range(count)))


def kill(process) -> None:
    """Stop a server at once (a terminated daphne takes a second or two to wind down)."""
    process.kill()
    process.wait()
