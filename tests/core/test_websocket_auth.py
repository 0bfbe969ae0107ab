"""/ws/health through the real ASGI application: origin check, token and session auth."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from driftwood.accounts.channels_auth import TokenOrSessionAuthMiddlewareStack
from driftwood.asgi import application
from tests.core.sockets import WAIT_SECONDS, socket_db  # noqa: F401 - fixture
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("socket_db")

SAME_ORIGIN = (b"origin", b"http://127.0.0.1")


@async_to_sync
async def hello(path: str, headers: list[tuple[bytes, bytes]] | None = None):
    """Connect, read the greeting, disconnect: (connected, first message or None)."""
    communicator = WebsocketCommunicator(application, path, headers=[SAME_ORIGIN] if headers is None else headers)
    connected, _ = await communicator.connect(timeout=WAIT_SECONDS)
    message = await communicator.receive_json_from(timeout=WAIT_SECONDS) if connected else None
    await communicator.disconnect()
    return connected, message


@async_to_sync
async def scope_after_auth(path: str) -> dict:
    """The scope a consumer behind the auth stack would receive."""
    seen = {}

    async def capture(scope, receive, send):
        seen.update(scope)
        await send({"type": "websocket.accept"})

    communicator = WebsocketCommunicator(TokenOrSessionAuthMiddlewareStack(capture), path, headers=[SAME_ORIGIN])
    await communicator.connect(timeout=WAIT_SECONDS)
    await communicator.disconnect()
    return seen


def test_access_token_in_query_identifies_the_user():
    # given a player with a valid access token
    user = UserFactory()
    token = AccessToken.for_user(user)

    # when they connect with it
    connected, message = hello(f"/ws/health?token={token}")

    # then they are greeted by id
    assert connected
    assert message == {"type": "hello", "user_id": user.pk}


def test_no_credentials_connects_anonymously():
    connected, message = hello("/ws/health")

    assert connected
    assert message == {"type": "hello", "user_id": None}


def test_tampered_token_is_anonymous_and_marked_invalid():
    # given a token whose signature was altered
    token = str(AccessToken.for_user(UserFactory()))
    tampered = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")

    # when it is used, then the socket is anonymous and carries the reason
    assert hello(f"/ws/health?token={tampered}") == (True, {"type": "hello", "user_id": None})
    scope = scope_after_auth(f"/ws/health?token={tampered}")
    assert scope["user"].is_anonymous
    assert scope["auth_error"] == "token_invalid"


def test_expired_token_is_anonymous_and_marked_expired():
    # given an access token that expired a second ago
    token = AccessToken.for_user(UserFactory())
    token.set_exp(lifetime=-timedelta(seconds=1))

    # when it is used
    connected, message = hello(f"/ws/health?token={token}")
    scope = scope_after_auth(f"/ws/health?token={token}")

    # then the socket is anonymous and says why
    assert (connected, message) == (True, {"type": "hello", "user_id": None})
    assert scope["auth_error"] == "token_expired"


def test_valid_token_leaves_no_auth_error():
    user = UserFactory()

    scope = scope_after_auth(f"/ws/health?token={AccessToken.for_user(user)}")

    assert scope["user"].pk == user.pk
    assert scope["auth_error"] is None


def test_banned_users_earlier_token_stops_working():
    # given a token issued before the player was banned
    user = UserFactory()
    token = AccessToken.for_user(user)
    user.is_active = False
    user.save(update_fields=["is_active"])

    # when they connect with it, then they are anonymous
    assert hello(f"/ws/health?token={token}") == (True, {"type": "hello", "user_id": None})


def test_session_cookie_identifies_a_logged_in_browser():
    # given a browser session of a logged-in player
    user = UserFactory()
    browser = Client()
    browser.force_login(user)
    session_id = browser.cookies["sessionid"].value

    # when the page opens a socket from the site's origin with that cookie
    connected, message = hello("/ws/health", headers=[(b"cookie", f"sessionid={session_id}".encode()), SAME_ORIGIN])

    # then the player is recognised
    assert connected
    assert message == {"type": "hello", "user_id": user.pk}


def test_foreign_origin_is_rejected():
    # given a page on another site holding a valid token
    token = AccessToken.for_user(UserFactory())

    # when it opens a socket to us, then the handshake is refused
    connected, message = hello(f"/ws/health?token={token}", headers=[(b"origin", b"https://evil.example")])

    assert not connected
    assert message is None


@async_to_sync
async def ping_pong() -> tuple[dict, dict]:
    communicator = WebsocketCommunicator(application, "/ws/health", headers=[SAME_ORIGIN])
    await communicator.connect(timeout=WAIT_SECONDS)
    await communicator.receive_json_from(timeout=WAIT_SECONDS)
    await communicator.send_json_to({"type": "ping"})
    pong = await communicator.receive_json_from(timeout=WAIT_SECONDS)
    await communicator.send_json_to({"type": "shout"})
    error = await communicator.receive_json_from(timeout=WAIT_SECONDS)
    await communicator.disconnect()
    return pong, error


def test_ping_gets_pong_and_unknown_frames_get_an_error():
    pong, error = ping_pong()

    assert pong == {"type": "pong"}
    assert error["type"] == "error"
    assert error["code"] == "invalid"
