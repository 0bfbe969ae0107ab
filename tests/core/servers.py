"""Stopping test servers whose graceful stop is not under test."""


def kill(process) -> None:
    """Stop a server at once (a terminated daphne takes a second or two to wind down)."""
    process.kill()
    process.wait()
