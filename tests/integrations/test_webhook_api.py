"""The organizer's webhooks over the API: add (the secret answered once), list, pause, remove, read
the delivery log and send again; another organizer's are a 404; the schema documents them."""

import pytest

from integrations.models import WebhookDelivery, WebhookEndpoint
from tests.conftest import bearer_client
from tests.factories import UserFactory
from tests.integrations.support import ALL_EVENTS, endpoint_for
from tests.integrations.test_webhook_pages import delivery_of
from tests.integrations.test_webhook_targets import PUBLIC_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_rules")]


def test_an_organizer_adds_lists_pauses_and_removes_an_endpoint():
    organizer = UserFactory()
    api = bearer_client(organizer)

    created = api.post("/api/v1/webhooks", {"url": PUBLIC_URL, "event_types": ["match.ready"]}, format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert (body["url"], body["event_types"], body["active"]) == (PUBLIC_URL, ["match.ready"], True)
    listed = api.get("/api/v1/webhooks").json()
    assert [item["id"] for item in listed["results"]] == [body["id"]]
    assert "secret" not in listed["results"][0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{body['id']}").json()

    paused = api.patch(f"/api/v1/webhooks/{body['id']}", {"active": False, "event_types": ALL_EVENTS}, format="json")
    assert paused.status_code == 200 and paused.json()["active"] is False
    assert sorted(paused.json()["event_types"]) == sorted(ALL_EVENTS)

    assert api.delete(f"/api/v1/webhooks/{body['id']}").status_code == 204
    assert not WebhookEndpoint.objects.exists()


def test_all_events_by_default_and_bad_input_is_refused():
    api = bearer_client(UserFactory())

    default = api.post("/api/v1/webhooks", {"url": PUBLIC_URL}, format="json")
    private = api.post("/api/v1/webhooks", {"url": "https://10.0.0.8/hook"}, format="json")
    plain = api.post("/api/v1/webhooks", {"url": "http://93.184.215.14/hook"}, format="json")
    unknown = api.post("/api/v1/webhooks", {"url": PUBLIC_URL, "event_types": ["match.lost"]}, format="json")
    empty = api.post("/api/v1/webhooks", {"url": PUBLIC_URL, "event_types": []}, format="json")

    assert sorted(default.json()["event_types"]) == sorted(ALL_EVENTS)
    assert private.status_code == 400 and "private or local address" in private.json()["errors"]["url"][0]
    assert plain.status_code == 400 and "https://" in plain.json()["errors"]["url"][0]
    assert unknown.status_code == 400 and list(unknown.json()["errors"]) == ["event_types.0"]
    assert empty.status_code == 400 and "event_types" in empty.json()["errors"]
    assert WebhookEndpoint.objects.count() == 1


def test_the_delivery_log_and_a_replay():
    organizer = UserFactory()
    endpoint, _ = endpoint_for(organizer, PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", attempts=2, failures=2, last_response_code=410, next_attempt_at=None
    )
    api = bearer_client(organizer)

    log = api.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries").json()["results"]
    replayed = api.post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay")

    assert [(item["event_id"], item["status"], item["attempts"], item["last_response_code"]) for item in log] == [
        (delivery.event_id, "failed", 2, 410)
    ]
    assert replayed.status_code == 202
    assert (replayed.json()["event_id"], replayed.json()["status"]) == (delivery.event_id, "pending")


def test_a_paused_endpoints_delivery_is_not_replayed():
    organizer = UserFactory()
    endpoint, _ = endpoint_for(organizer, PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(active=False)

    response = bearer_client(organizer).post(f"/api/v1/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay")

    assert response.status_code == 409 and response.json()["code"] == "endpoint_paused"


def test_another_organizers_endpoint_does_not_exist_for_the_caller():
    endpoint, _ = endpoint_for(UserFactory(), PUBLIC_URL)
    delivery = delivery_of(endpoint)
    stranger = bearer_client(UserFactory())
    base = f"/api/v1/webhooks/{endpoint.pk}"

    answers = [
        stranger.get(base),
        stranger.patch(base, {"active": False}, format="json"),
        stranger.delete(base),
        stranger.get(f"{base}/deliveries"),
        stranger.post(f"{base}/deliveries/{delivery.pk}/replay"),
    ]

    assert [(answer.status_code, answer.json()["code"]) for answer in answers] == [(404, "not_found")] * 5
    assert stranger.get("/api/v1/webhooks").json()["results"] == []
    endpoint.refresh_from_db()
    assert endpoint.active


def test_the_schema_documents_the_webhook_operations(client):
    schema = client.get("/api/schema/?format=json").json()

    operations = {
        operation["operationId"]
        for path, item in schema["paths"].items()
        if path.startswith("/api/v1/webhooks")
        for operation in item.values()
    }
    assert operations == {
        "webhook_list",
        "webhook_create",
        "webhook_detail",
        "webhook_update",
        "webhook_delete",
        "webhook_delivery_list",
        "webhook_delivery_replay",
    }
    created = schema["paths"]["/api/v1/webhooks"]["post"]["responses"]["201"]["content"]["application/json"]
    assert "secret" in schema["components"]["schemas"][created["schema"]["$ref"].rsplit("/", 1)[1]]["properties"]
