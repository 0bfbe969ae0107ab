"""The Redis that `make bench` and `make serve` start when REDIS_URL is unset (driftwood/core/embedded.py)."""

import os
import shutil
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest
import redis

from driftwood.core import embedded
from tests import services


def test_a_started_redis_answers_at_redis_url_until_the_stack_closes(monkeypatch, tmp_path):
    services.require(shutil.which("redis-server") is not None, "redis-server is not installed")
    monkeypatch.setattr(embedded, "DATA_DIR", tmp_path)
    monkeypatch.delenv("REDIS_URL", raising=False)
    with ExitStack() as stack:
        embedded.start_redis(stack, purpose="make bench")
        url = os.environ["REDIS_URL"]
        client = redis.Redis.from_url(url)
        assert client.ping()
        assert client.config_get("save") == {"save": ""}  # nothing kept on disk
        port = urlsplit(url).port
    assert not embedded.listening("127.0.0.1", port)


def test_without_redis_server_it_says_which_command_needs_redis(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no redis-server on it
    monkeypatch.delenv("REDIS_URL", raising=False)
    with ExitStack() as stack, pytest.raises(SystemExit, match="make serve needs Redis: set REDIS_URL"):
        embedded.start_redis(stack, purpose="make serve")
    assert "REDIS_URL" not in os.environ
