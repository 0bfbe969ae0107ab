"""Staff see endpoints and deliveries in Django admin, read-only and without the secret, and can
send deliveries again."""

import pytest
from django.test import Client

from driftwood.core import crypto
from integrations.models import WebhookDelivery
from tests.factories import UserFactory
from tests.integrations.support import endpoint_for
from tests.integrations.test_webhook_pages import delivery_of
from tests.integrations.test_webhook_targets import PUBLIC_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage", "production_rules")]


@pytest.fixture
def staff_browser():
    client = Client()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_staff_see_endpoints_and_deliveries_but_never_the_secret(staff_browser):
    endpoint, secret = endpoint_for(UserFactory(), PUBLIC_URL)
    delivery = delivery_of(endpoint)
    delivery.attempt_log.create(number=1, started_at=delivery.created_at, response_code=503, outcome="retry")

    pages = [
        staff_browser.get("/admin/integrations/webhookendpoint/"),
        staff_browser.get(f"/admin/integrations/webhookendpoint/{endpoint.pk}/change/"),
        staff_browser.get("/admin/integrations/webhookdelivery/"),
        staff_browser.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/change/"),
    ]

    assert [page.status_code for page in pages] == [200] * 4
    html = "".join(page.content.decode() for page in pages)
    assert PUBLIC_URL in html and delivery.event_id in html and "503" in html
    assert secret not in html and endpoint.secret not in html and crypto.decrypt(endpoint.secret) == secret
    assert staff_browser.get(f"/admin/integrations/webhookdelivery/{delivery.pk}/delete/").status_code == 403


def test_staff_send_deliveries_again(staff_browser):
    endpoint, _ = endpoint_for(UserFactory(), PUBLIC_URL)
    delivery = delivery_of(endpoint)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", failures=10, next_attempt_at=None)

    response = staff_browser.post(
        "/admin/integrations/webhookdelivery/",
        {"action": "replay_selected", "_selected_action": [delivery.pk]},
        follow=True,
    )

    assert "1 delivery sent again; 0 of paused endpoints left alone." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.failures) == ("pending", 0)
