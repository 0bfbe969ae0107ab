"""The readiness probe for the servers that `make run` and the tests start (driftwood/core/embedded.py)."""

import socket

from driftwood.core import embedded


def test_a_listener_is_seen_and_a_closed_port_is_not():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        assert embedded.listening("127.0.0.1", port)
    assert not embedded.listening("127.0.0.1", port)


def test_a_probe_that_connected_to_itself_is_not_taken_for_a_listener():
    # The kernel lets a socket whose source port is the closed port it dials connect to itself
    # (TCP simultaneous open): a wait loop probing a closed ephemeral port now and then gets exactly
    # this, once made a test start talking to a fake bank that was not running yet.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        assert probe.connect_ex(("127.0.0.1", port)) == 0
        assert embedded.connected_to_itself(probe)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname()) as client:
            assert not embedded.connected_to_itself(client)
