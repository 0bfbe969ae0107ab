"""Hostile request bodies (issue 13): too large, too deep, malformed or empty, of any content type.

The API answers with the error envelope (413 `payload_too_large`, 400 `invalid`), pages with an
error page, and each refusal is logged once. The last test goes through a real daphne, where the
multipart finding lived (Twisted answered it before Django saw it).
"""

import logging

import httpx
import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from driftwood.asgi import application
from tests.core.test_errors import assert_envelope
from tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.django_db]

LOGIN = "/api/v1/auth/login"
THREE_MB_JSON = '{"username": "' + "a" * 3_000_000 + '", "password": "x"}'


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def problems_logged(caplog, path: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.levelno >= logging.WARNING and path in record.getMessage()]


def test_3_mb_of_json_to_the_unauthenticated_login_is_413_in_the_envelope_logged_once(client, caplog):
    # when a body over DATA_UPLOAD_MAX_MEMORY_SIZE arrives before any authentication
    response = client.post(LOGIN, data=THREE_MB_JSON, content_type="application/json")

    # then it is refused with the envelope, and logged once (not also as a server error)
    body = assert_envelope(response, 413, "payload_too_large", LOGIN)
    assert "2621440 bytes" in body["message"]
    assert len(problems_logged(caplog, LOGIN)) == 1


def test_a_big_body_is_413_on_any_api_endpoint_whatever_its_content_type(jwt_client):
    response = jwt_client.generic("POST", "/api/v1/teams", "x" * 3_000_000, content_type="text/plain")

    assert_envelope(response, 413, "payload_too_large", "/api/v1/teams")


def test_5000_nested_brackets_are_400_in_the_envelope_logged_once(client, caplog):
    # when the JSON nests deeper than Python's parser can recurse
    response = client.post(LOGIN, data="[" * 5000, content_type="application/json")

    # then it is bad input, not a RecursionError and a 500
    body = assert_envelope(response, 400, "invalid", LOGIN)
    assert "nested" in body["message"]
    assert len(problems_logged(caplog, LOGIN)) == 1


@pytest.mark.parametrize("depth", [33, 100, 990])
def test_json_deeper_than_the_limit_is_400_even_when_python_could_parse_it(client, depth):
    document = '{"username": ' + "[" * depth + "]" * depth + ', "password": "x"}'

    response = client.post(LOGIN, data=document, content_type="application/json")

    assert_envelope(response, 400, "invalid", LOGIN)
    assert "nested" in response.json()["message"]


def test_json_within_the_depth_limit_is_read(jwt_client):
    document = '{"name": "Deep Divers", "unused": ' + "[" * 30 + "]" * 30 + "}"

    response = jwt_client.post("/api/v1/teams", data=document, content_type="application/json")

    assert response.status_code == 201, response.content


@pytest.mark.parametrize("path", [LOGIN, "/api/v1/auth/register", "/api/v1/matches/1/disputes"])
def test_an_empty_multipart_body_is_400_in_the_envelope(client, path):
    # when a multipart body holds only its closing boundary
    response = client.generic("POST", path, b"--x--", content_type="multipart/form-data; boundary=x")

    # then it is an empty body: 400 `invalid`, with the envelope
    assert_envelope(response, 400, "invalid", path)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"--x\r\nno headers"),  # no boundary parameter
        ("multipart/form-data; boundary=" + "x" * 300, b"--x--"),  # boundary longer than RFC 2046 allows
        ("application/json", b"{not json"),
        ("application/json", b"   "),
        ("application/json", b"\xff\xfe{}"),
        ("application/x-www-form-urlencoded", b"&"),
    ],
)
def test_malformed_or_empty_bodies_of_any_content_type_are_400_in_the_envelope(client, content_type, body):
    response = client.generic("POST", LOGIN, body, content_type=content_type)

    assert_envelope(response, 400, "invalid", LOGIN)


def test_an_empty_json_body_where_a_body_is_needed_is_400_with_the_missing_fields(jwt_client):
    response = jwt_client.generic("POST", "/api/v1/teams", b"", content_type="application/json")

    body = assert_envelope(response, 400, "invalid", "/api/v1/teams")
    assert body["errors"] == {"name": ["This field is required."]}


def test_an_empty_body_where_none_is_needed_is_fine(jwt_client, user):
    response = jwt_client.generic("POST", "/api/v1/notifications/read", b"", content_type="application/json")

    assert response.status_code == 200


def test_a_page_answers_a_too_big_form_with_a_413_page(client, plain_static_storage):
    response = client.post(
        "/accounts/login/", data="username=" + "a" * 3_000_000, content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    assert b"too much" in response.content


def test_a_page_answers_a_malformed_multipart_form_with_a_400_page(client, plain_static_storage, caplog):
    response = client.generic("POST", "/accounts/login/", b"--x\r\n", content_type="multipart/form-data")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert len(problems_logged(caplog, "/accounts/login/")) == 1


def test_a_good_form_still_reaches_the_page(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_a_deeply_nested_websocket_frame_gets_an_error_frame_and_the_socket_stays_open():
    @async_to_sync
    async def exchange():
        socket = WebsocketCommunicator(application, "/ws/health", headers=[(b"origin", b"http://127.0.0.1")])
        connected, _ = await socket.connect(timeout=5)
        assert connected
        assert (await socket.receive_json_from(timeout=5))["type"] == "hello"
        await socket.send_to(text_data="[" * 5000)
        error = await socket.receive_json_from(timeout=5)
        await socket.send_json_to({"type": "ping"})
        pong = await socket.receive_json_from(timeout=5)
        await socket.disconnect()
        return error, pong

    error, pong = exchange()

    assert error["type"] == "error"
    assert pong == {"type": "pong"}


def test_through_daphne_a_bad_multipart_body_and_a_big_body_get_the_envelope(asgi_server):
    # given the real server (Twisted used to answer the first one itself: a bare 400, no body)
    with httpx.Client(base_url=asgi_server, timeout=30) as http:
        # when an empty multipart body and then a 3 MB JSON body are posted to the log-in
        multipart = http.post(LOGIN, content=b"--x--", headers={"Content-Type": "multipart/form-data; boundary=x"})
        big = http.post(LOGIN, content=THREE_MB_JSON.encode(), headers={"Content-Type": "application/json"})
        nested = http.post(LOGIN, content=b"[" * 5000, headers={"Content-Type": "application/json"})

    # then each is answered by Driftwood with the envelope
    assert (multipart.status_code, multipart.json()["code"]) == (400, "invalid")
    assert (big.status_code, big.json()["code"]) == (413, "payload_too_large")
    assert (nested.status_code, nested.json()["code"]) == (400, "invalid")
    assert multipart.json()["path"] == LOGIN
