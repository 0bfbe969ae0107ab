"""The organizer's webhook pages: add an endpoint and see its secret once, pause, resume and remove it,
read the delivery log and send a delivery again; nobody else sees or touches it (404)."""

import pytest
from django.test import Client

from driftwood.core import crypto
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.emit import Happening, webhooks_emit
from tests.core.test_i18n import _english_with_malay, check_page, malay_client
from tests.factories import UserFactory
from tests.integrations.support import endpoint_for
from tests.integrations.test_webhook_targets import PUBLIC_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage", "production_rules")]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def delivery_of(endpoint, key: str = "registration.confirmed:1") -> WebhookDelivery:
    """A delivery owed to `endpoint`, written as the emitter writes it (no receiver is called here)."""
    happening = Happening("registration.confirmed", key, lambda: {"registration": {"id": 1}})
    [delivery_id] = webhooks_emit(owner_id=endpoint.owner_id, happenings=[happening])
    return WebhookDelivery.objects.get(pk=delivery_id)


def test_an_organizer_adds_an_endpoint_and_sees_its_secret_only_once():
    organizer = UserFactory()
    browser = signed_in(organizer)
    assert browser.get("/organizer/webhooks/").status_code == 200

    # when they add an endpoint for two events
    added = browser.post(
        "/organizer/webhooks/new/",
        {"url": PUBLIC_URL, "description": "Discord bot", "event_types": ["match.completed", "event.completed"]},
    )

    # then it is theirs, and its page shows the signing secret it was given
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.owner, endpoint.url, endpoint.description) == (organizer, PUBLIC_URL, "Discord bot")
    assert sorted(endpoint.event_types) == ["event.completed", "match.completed"]
    assert added.status_code == 302 and added["Location"] == f"/organizer/webhooks/{endpoint.pk}/"
    secret = crypto.decrypt(endpoint.secret)
    first = browser.get(added["Location"]).content.decode()
    assert secret in first and "shown only this once" in first
    # and never again
    again = browser.get(added["Location"]).content.decode()
    assert secret not in again and "data-webhook-secret" not in again
    assert PUBLIC_URL in browser.get("/organizer/webhooks/").content.decode()


def test_an_endpoint_inside_a_private_network_is_refused_on_the_page():
    browser = signed_in(UserFactory())

    refused = browser.post(
        "/organizer/webhooks/new/", {"url": "https://169.254.169.254/latest/", "event_types": ["match.ready"]}
    )

    assert refused.status_code == 400
    assert "points to a private or local address" in refused.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_needs_an_event_and_an_organizer_has_a_limit(settings):
    settings.WEBHOOK_ENDPOINTS_PER_ORGANIZER = 1
    organizer = UserFactory()
    browser = signed_in(organizer)

    no_events = browser.post("/organizer/webhooks/new/", {"url": PUBLIC_URL})
    browser.post("/organizer/webhooks/new/", {"url": PUBLIC_URL, "event_types": ["match.ready"]})
    second = browser.post("/organizer/webhooks/new/", {"url": PUBLIC_URL, "event_types": ["match.ready"]})

    assert no_events.status_code == 400 and "Choose at least one event to send." in no_events.content.decode()
    assert second.status_code == 409 and "as many webhook endpoints as allowed" in second.content.decode()
    assert WebhookEndpoint.objects.filter(owner=organizer).count() == 1


def test_the_delivery_log_lists_each_delivery_and_send_again_queues_it_with_the_same_id():
    organizer = UserFactory()
    endpoint, _ = endpoint_for(organizer, PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", failures=3, attempts=3, next_attempt_at=None)
    browser = signed_in(organizer)

    page = browser.get(f"/organizer/webhooks/{endpoint.pk}/").content.decode()
    assert delivery.event_id in page and "registration.confirmed" in page and "Send again" in page

    replayed = browser.post(f"/organizer/webhooks/{endpoint.pk}/deliveries/{delivery.pk}/replay/")

    assert replayed.status_code == 302 and replayed["Location"].endswith(f"#delivery-{delivery.pk}")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failures, delivery.event_id) == ("pending", 0, delivery.event_id)


def test_pause_resume_and_remove():
    organizer = UserFactory()
    endpoint, _ = endpoint_for(organizer, PUBLIC_URL)
    browser = signed_in(organizer)

    browser.post(f"/organizer/webhooks/{endpoint.pk}/active/", {"active": "0"})
    endpoint.refresh_from_db()
    assert not endpoint.active
    assert "Resume endpoint" in browser.get(f"/organizer/webhooks/{endpoint.pk}/").content.decode()

    browser.post(f"/organizer/webhooks/{endpoint.pk}/active/", {"active": "1"})
    endpoint.refresh_from_db()
    assert endpoint.active

    removed = browser.post(f"/organizer/webhooks/{endpoint.pk}/remove/")
    assert removed["Location"] == "/organizer/webhooks/"
    assert not WebhookEndpoint.objects.exists()


def test_another_user_cannot_see_or_touch_an_organizers_endpoint():
    # given an organizer's endpoint with a delivery
    endpoint, _ = endpoint_for(UserFactory(), PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    stranger = signed_in(UserFactory())
    base = f"/organizer/webhooks/{endpoint.pk}"

    # then every page and action of it is a 404 for someone else
    assert stranger.get(f"{base}/").status_code == 404
    assert stranger.post(f"{base}/active/", {"active": "0"}).status_code == 404
    assert stranger.post(f"{base}/remove/").status_code == 404
    assert stranger.post(f"{base}/deliveries/{delivery.pk}/replay/").status_code == 404
    assert PUBLIC_URL not in stranger.get("/organizer/webhooks/").content.decode()
    # and nothing changed
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert endpoint.active and delivery.status == "failed"


def test_a_delivery_of_another_endpoint_cannot_be_replayed_through_ones_own():
    organizer = UserFactory()
    mine, _ = endpoint_for(organizer, PUBLIC_URL)
    theirs, _ = endpoint_for(UserFactory(), PUBLIC_URL)
    delivery = delivery_of(theirs)

    response = signed_in(organizer).post(f"/organizer/webhooks/{mine.pk}/deliveries/{delivery.pk}/replay/")

    assert response.status_code == 404


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/organizer/webhooks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_webhook_pages_are_in_malay():
    english = _english_with_malay()
    organizer = UserFactory(language="ms")
    endpoint, _ = endpoint_for(organizer, PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=1, failures=1, last_response_code=500)
    delivery.attempt_log.create(number=1, started_at=delivery.created_at, response_code=500, outcome="retry")

    browser = malay_client(organizer)
    for url in ("/organizer/webhooks/", f"/organizer/webhooks/{endpoint.pk}/"):
        check_page(browser, url, english)
