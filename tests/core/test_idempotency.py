import threading
from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection, transaction
from django.utils import timezone

from driftwood.core.idempotency import _try_lock
from driftwood.core.models import IdempotencyKey
from tests.conftest import bearer_client

pytestmark = pytest.mark.urls("tests.core.urls")

URL = "/api/v1/test/effects"


def post(client, body: dict, key: str | None = "key-1"):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(URL, body, headers=headers)


@pytest.mark.django_db
def test_replay_returns_identical_status_and_body_without_second_effect(jwt_client):
    first = post(jwt_client, {"note": "topup"})
    second = post(jwt_client, {"note": "topup"})

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert LogEntry.objects.count() == 1


@pytest.mark.django_db
def test_same_key_with_different_body_is_409(jwt_client):
    post(jwt_client, {"note": "first"})

    response = post(jwt_client, {"note": "second"})

    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_key_reused"
    assert LogEntry.objects.count() == 1


@pytest.mark.django_db
def test_keys_are_scoped_per_user(jwt_client, staff_user):
    post(jwt_client, {"note": "mine"})

    theirs = post(bearer_client(staff_user), {"note": "mine"})

    assert theirs.status_code == 201
    assert "Idempotent-Replayed" not in theirs
    assert LogEntry.objects.count() == 2


@pytest.mark.django_db
def test_without_a_key_every_request_has_an_effect(jwt_client):
    post(jwt_client, {"note": "a"}, key=None)
    post(jwt_client, {"note": "a"}, key=None)

    assert LogEntry.objects.count() == 2


@pytest.mark.django_db
def test_error_responses_are_replayed_too(jwt_client):
    first = post(jwt_client, {"note": "refuse"})
    second = post(jwt_client, {"note": "refuse"})

    assert first.status_code == second.status_code == 409
    assert first.json() == second.json()


@pytest.mark.django_db
def test_server_error_keeps_neither_effect_nor_key(jwt_client):
    response = post(jwt_client, {"note": "explode"})

    assert response.status_code == 500
    assert LogEntry.objects.count() == 0
    assert IdempotencyKey.objects.count() == 0


@pytest.mark.django_db
def test_expired_key_runs_again(jwt_client):
    post(jwt_client, {"note": "old"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=24, seconds=1))

    response = post(jwt_client, {"note": "old"})

    assert "Idempotent-Replayed" not in response
    assert LogEntry.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize("key", ["", "x" * 256, "tab\tkey"])
def test_bad_keys_are_400_and_change_nothing(jwt_client, key):
    response = post(jwt_client, {"note": "a"}, key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert LogEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_request_in_progress_is_409(user):
    """While one request holds the key, a second one with the same key is refused."""
    with transaction.atomic():
        assert _try_lock(f"idempotency|{user.pk}|POST {URL}|busy")
        holder_ready = threading.Event()
        result = {}

        def second_request():
            try:
                result["response"] = post(bearer_client(user), {"note": "a"}, key="busy")
            finally:
                connection.close()
                holder_ready.set()

        thread = threading.Thread(target=second_request)
        thread.start()
        holder_ready.wait(30)
        thread.join()

    assert result["response"].status_code == 409
    assert result["response"].json()["code"] == "request_in_progress"
    assert LogEntry.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_identical_requests_have_exactly_one_effect(user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "money": "1000/m"}
    barrier = threading.Barrier(20)
    responses = []
    lock = threading.Lock()

    def send():
        client = bearer_client(user)
        try:
            barrier.wait(10)
            response = post(client, {"note": "pay once"}, key="race")
            with lock:
                responses.append(response)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert LogEntry.objects.count() == 1
    assert IdempotencyKey.objects.count() == 1
    statuses = sorted(response.status_code for response in responses)
    assert set(statuses) <= {201, 409}
    assert 201 in statuses
    effect_ids = {response.json()["effect_id"] for response in responses if response.status_code == 201}
    assert len(effect_ids) == 1
    conflicts = [response.json()["code"] for response in responses if response.status_code == 409]
    assert set(conflicts) <= {"request_in_progress"}
