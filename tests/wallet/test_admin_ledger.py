"""Staff screens for the double-entry books and owed card refunds."""

from decimal import Decimal

import pytest

from tests.factories import funded_wallet
from wallet.models import CardRefund, LedgerEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

REFUNDS_URL = "/admin/wallet/cardrefund/"


def card_refund(state: str, **fields) -> CardRefund:
    return CardRefund.objects.create(
        payment_intent_id=f"pi_{state}",
        amount=Decimal("10.00"),
        idempotency_key=f"registration-{state}-refund",
        state=state,
        description="Card refund: Kopitiam Cup was cancelled",
        last_error=fields.pop("last_error", ""),
        **fields,
    )


def test_a_ledger_transaction_shows_its_legs_and_cannot_be_changed(admin_client, user):
    wallet = funded_wallet(user, "25.00")
    header = LedgerEntry.objects.get(wallet=wallet).ledger_transaction_id
    url = f"/admin/wallet/ledgertransaction/{header}/change/"

    page = admin_client.get(url).content.decode()

    assert wallet.reference in page and "platform:adjustments" in page
    assert "25.00" in page and "-25.00" in page
    assert 'name="_save"' not in page
    assert admin_client.post(url, {"description": "rewritten"}).status_code == 403
    assert admin_client.get("/admin/wallet/ledgertransaction/add/").status_code == 403


def test_failed_refunds_are_listed_with_their_error(admin_client):
    card_refund(CardRefund.State.FAILED, last_error="Stripe refused: charge disputed")
    card_refund(CardRefund.State.SUCCEEDED, confirmed_at="2026-12-01T10:00:00Z")

    page = admin_client.get(f"{REFUNDS_URL}?state=failed").content.decode()

    assert "Stripe refused: charge disputed" in page
    assert "pi_failed" in page and "pi_succeeded" not in page


def test_staff_retry_a_failed_refund_and_leave_the_others_alone(admin_client, django_capture_on_commit_callbacks):
    failed = card_refund(CardRefund.State.FAILED, last_error="Stripe refused")
    done = card_refund(CardRefund.State.SUCCEEDED, confirmed_at="2026-12-01T10:00:00Z")

    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(
            REFUNDS_URL,
            {"action": "retry_selected", "_selected_action": [failed.pk, done.pk], "index": "0"},
            follow=True,
        )

    failed.refresh_from_db()
    done.refresh_from_db()
    assert "1 refund sent again; 1 not failed, left alone." in response.content.decode()
    assert (failed.state, failed.key_generation) == (CardRefund.State.REQUESTED, 1)
    assert done.state == CardRefund.State.SUCCEEDED
    assert len(queued) == 1  # the send, after commit


def test_card_refunds_cannot_be_edited_or_deleted(admin_client):
    refund = card_refund(CardRefund.State.SENT)

    assert admin_client.post(f"{REFUNDS_URL}{refund.pk}/change/", {"state": "succeeded"}).status_code == 403
    assert admin_client.post(f"{REFUNDS_URL}{refund.pk}/delete/", {"post": "yes"}).status_code == 403
    refund.refresh_from_db()
    assert refund.state == CardRefund.State.SENT
