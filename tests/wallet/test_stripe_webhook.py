"""POST /payments/stripe/webhook: signed events, each taking effect at most once."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import UserFactory, funded_wallet, wallet_spend
from tests.wallet.stripe_support import charge, deliver, event, payment_intent, pending_topup, sign
from wallet.models import LedgerEntry, StripeEvent, TopUp, Wallet
from wallet.services import payment_handlers

Type = LedgerEntry.Type


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


@pytest.mark.django_db
class TestPaymentSucceeded:
    def test_credits_the_wallet_once_and_records_the_event(self, api_client, user):
        topup = pending_topup(user, "50.00")
        body = event("payment_intent.succeeded", payment_intent(topup), event_id="evt_succeeded_1")

        response = deliver(api_client, body)

        assert response.status_code == 200
        assert response.json() == {"received": True}
        topup.refresh_from_db()
        assert topup.status == TopUp.Status.SUCCEEDED
        assert usable(user) == Decimal("50.00")
        entry = LedgerEntry.objects.get(wallet__owner=user)
        assert (entry.transaction_type, entry.amount, entry.usable_after) == (Type.TOPUP, Decimal("50.00"), 50)
        assert entry.metadata["topup_id"] == topup.pk
        assert entry.metadata["payment_intent_id"] == topup.payment_intent_id
        assert StripeEvent.objects.get().event_id == "evt_succeeded_1"

    def test_a_redelivery_answers_200_and_changes_nothing(self, api_client, user):
        topup = pending_topup(user, "50.00")
        body = event("payment_intent.succeeded", payment_intent(topup))
        deliver(api_client, body)

        replay = deliver(api_client, body)

        assert replay.status_code == 200
        assert replay.json() == {"received": True}
        assert usable(user) == Decimal("50.00")
        assert LedgerEntry.objects.filter(wallet__owner=user).count() == 1
        assert StripeEvent.objects.count() == 1

    def test_a_second_success_event_for_the_same_intent_does_not_credit_again(self, api_client, user):
        topup = pending_topup(user, "20.00")
        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        response = deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        assert response.status_code == 200
        assert usable(user) == Decimal("20.00")
        assert LedgerEntry.objects.filter(wallet__owner=user).count() == 1
        assert StripeEvent.objects.count() == 2

    def test_an_amount_other_than_the_top_up_is_not_credited(self, api_client, user):
        topup = pending_topup(user, "20.00")

        response = deliver(api_client, event("payment_intent.succeeded", payment_intent(topup, amount=100)))

        assert response.status_code == 200
        topup.refresh_from_db()
        assert topup.status == TopUp.Status.FAILED
        assert "not credited" in topup.failure_reason
        assert usable(user) == Decimal("0.00")
        assert not LedgerEntry.objects.exists()

    def test_an_intent_with_no_matching_top_up_is_recorded_and_ignored(self, api_client, user):
        topup = pending_topup(user, "20.00")
        stranger = payment_intent(topup, id="pi_from_another_environment")

        response = deliver(api_client, event("payment_intent.succeeded", stranger))

        assert response.status_code == 200
        topup.refresh_from_db()
        assert topup.status == TopUp.Status.PENDING
        assert not LedgerEntry.objects.exists()
        assert StripeEvent.objects.count() == 1


@pytest.mark.django_db
class TestSignature:
    @pytest.mark.parametrize(
        "signature",
        [
            pytest.param("", id="missing"),
            pytest.param("garbage", id="malformed"),
            pytest.param(None, id="wrong-secret"),
            pytest.param("stale", id="older-than-five-minutes"),
        ],
    )
    def test_a_bad_signature_is_400_and_nothing_changes(self, api_client, user, signature):
        topup = pending_topup(user, "50.00")
        body = event("payment_intent.succeeded", payment_intent(topup))
        header = {
            "": "",
            "garbage": "garbage",
            None: sign(body, secret="whsec_someone_else"),
            "stale": sign(body, timestamp=1_700_000_000),
        }[signature]

        response = deliver(api_client, body, signature=header)

        assert response.status_code == 400
        assert response.json() == {
            "message": response.json()["message"],
            "code": "invalid_signature",
            "path": "/api/v1/payments/stripe/webhook",
        }
        topup.refresh_from_db()
        assert topup.status == TopUp.Status.PENDING
        assert not StripeEvent.objects.exists()
        assert not LedgerEntry.objects.exists()

    def test_a_body_changed_after_signing_is_refused(self, api_client, user):
        topup = pending_topup(user, "50.00")
        body = event("payment_intent.succeeded", payment_intent(topup))
        header = sign(body)

        response = deliver(api_client, body.replace(b'"amount": 5000', b'"amount": 9000'), signature=header)

        assert response.status_code == 400
        assert response.json()["code"] == "invalid_signature"
        assert not StripeEvent.objects.exists()

    def test_no_authentication_or_csrf_is_needed(self, user):
        topup = pending_topup(user, "5.00")
        browser_like = APIClient(enforce_csrf_checks=True)

        response = deliver(browser_like, event("payment_intent.succeeded", payment_intent(topup)))

        assert response.status_code == 200


@pytest.mark.django_db
class TestPaymentFailed:
    def test_marks_the_top_up_failed_with_the_reason_and_credits_nothing(self, api_client, user):
        topup = pending_topup(user, "30.00")
        failed = payment_intent(
            topup,
            status="requires_payment_method",
            last_payment_error={"code": "card_declined", "message": "Your card was declined."},
        )

        response = deliver(api_client, event("payment_intent.payment_failed", failed))

        assert response.status_code == 200
        topup.refresh_from_db()
        assert (topup.status, topup.failure_reason) == (TopUp.Status.FAILED, "Your card was declined.")
        assert usable(user) == Decimal("0.00")
        assert not LedgerEntry.objects.exists()

    def test_a_retry_that_succeeds_on_the_same_intent_is_credited(self, api_client, user):
        topup = pending_topup(user, "30.00")
        declined = payment_intent(topup, status="requires_payment_method")
        deliver(api_client, event("payment_intent.payment_failed", declined))

        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        topup.refresh_from_db()
        assert (topup.status, topup.failure_reason) == (TopUp.Status.SUCCEEDED, "")
        assert usable(user) == Decimal("30.00")

    def test_a_late_failure_does_not_undo_a_success(self, api_client, user):
        topup = pending_topup(user, "30.00")
        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        declined = payment_intent(topup, status="requires_payment_method")
        deliver(api_client, event("payment_intent.payment_failed", declined))

        topup.refresh_from_db()
        assert topup.status == TopUp.Status.SUCCEEDED
        assert usable(user) == Decimal("30.00")


@pytest.mark.django_db
class TestChargeRefunded:
    def test_partial_then_full_refund_leave_the_wallet_as_ledger_rows(self, api_client, user):
        topup = pending_topup(user, "100.00")
        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        partial = deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="40.00")))
        topup.refresh_from_db()
        after_partial = (topup.status, topup.refunded_amount, usable(user))
        deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="100.00")))

        assert partial.status_code == 200
        assert after_partial == (TopUp.Status.SUCCEEDED, Decimal("40.00"), Decimal("60.00"))
        topup.refresh_from_db()
        assert (topup.status, topup.refunded_amount) == (TopUp.Status.REFUNDED, Decimal("100.00"))
        assert usable(user) == Decimal("0.00")
        refunds = LedgerEntry.objects.filter(wallet__owner=user, transaction_type=Type.REFUND).order_by("pk")
        assert [entry.amount for entry in refunds] == [Decimal("-40.00"), Decimal("-60.00")]
        assert refunds[0].metadata["topup_id"] == topup.pk

    def test_an_older_report_arriving_late_changes_nothing(self, api_client, user):
        topup = pending_topup(user, "100.00")
        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))
        deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="70.00")))

        deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="30.00")))

        topup.refresh_from_db()
        assert topup.refunded_amount == Decimal("70.00")
        assert usable(user) == Decimal("30.00")
        assert LedgerEntry.objects.filter(transaction_type=Type.REFUND, wallet=topup.wallet).count() == 1

    def test_money_already_spent_is_not_debited_but_recorded(self, api_client, user):
        topup = pending_topup(user, "100.00")
        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        wallet_spend(topup.wallet, "90.00", description="Cup")

        response = deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="100.00")))

        assert response.status_code == 200
        topup.refresh_from_db()
        assert (topup.status, topup.refunded_amount) == (TopUp.Status.REFUNDED, Decimal("100.00"))
        assert "RM 100.00 not recovered" in topup.failure_reason
        assert usable(user) == Decimal("10.00")
        assert not LedgerEntry.objects.filter(transaction_type=Type.REFUND).exists()

    def test_a_refund_reported_before_the_success_means_the_success_credits_nothing(self, api_client, user):
        topup = pending_topup(user, "25.00")
        deliver(api_client, event("charge.refunded", charge(topup, amount_refunded="25.00")))

        deliver(api_client, event("payment_intent.succeeded", payment_intent(topup)))

        topup.refresh_from_db()
        assert topup.status == TopUp.Status.REFUNDED
        assert usable(user) == Decimal("0.00")
        # The money came in through Stripe and went straight back out to the card.
        assert not LedgerEntry.objects.filter(wallet=topup.wallet).exists()
        assert sorted(
            LedgerEntry.objects.filter(wallet__kind="external").values_list("wallet__reference", "amount")
        ) == [
            ("stripe:clearing", Decimal("-25.00")),
            ("stripe:refunds", Decimal("25.00")),
        ]


@pytest.mark.django_db
class TestOtherEvents:
    def test_an_unknown_event_type_is_recorded_acknowledged_and_ignored(self, api_client, user):
        funded_wallet(user, "10.00")

        response = deliver(api_client, event("customer.created", {"id": "cus_1", "object": "customer"}))

        assert response.status_code == 200
        assert response.json() == {"received": True}
        assert StripeEvent.objects.get().event_type == "customer.created"
        assert usable(user) == Decimal("10.00")
        assert LedgerEntry.objects.filter(wallet__owner=user).count() == 1

    def test_another_app_routes_its_payments_through_the_registry(self, api_client, user, monkeypatch):
        monkeypatch.setattr(payment_handlers, "_handlers", dict(payment_handlers._handlers))
        received = []

        class RecordingHandler(payment_handlers.PaymentHandler):
            def payment_succeeded(self, *, payment_intent, event):
                received.append((payment_intent["id"], event.event_id))

        payment_handlers.register("test-recorder", RecordingHandler())
        intent = {"id": "pi_entry_fee", "amount": 1500, "currency": "myr", "metadata": {"kind": "test-recorder"}}
        body = event("payment_intent.succeeded", intent, event_id="evt_entry_fee")

        deliver(api_client, body)
        deliver(api_client, body)

        assert received == [("pi_entry_fee", "evt_entry_fee")]
        assert not TopUp.objects.exists()
        with pytest.raises(ValueError, match="already registered"):
            payment_handlers.register("test-recorder", RecordingHandler())

    def test_a_payment_of_an_unregistered_kind_is_acknowledged_and_ignored(self, api_client, user):
        intent = {"id": "pi_unknown", "amount": 100, "currency": "myr", "metadata": {"kind": "mystery"}}

        response = deliver(api_client, event("payment_intent.succeeded", intent))

        assert response.status_code == 200
        assert StripeEvent.objects.count() == 1
        assert not LedgerEntry.objects.exists()


def deliver_from_threads(bodies: list[bytes]) -> list:
    """Deliver each body from its own thread, all released at once; return status codes or errors."""
    barrier = threading.Barrier(len(bodies))
    outcomes: list = [None] * len(bodies)

    def runner(index: int) -> None:
        try:
            client = APIClient()
            barrier.wait()
            outcomes[index] = deliver(client, bodies[index]).status_code
        except Exception as exc:  # noqa: BLE001 - the outcome is what the test inspects
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(index,)) for index in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("distinct_event_ids", [False, True], ids=["one-event-20-times", "20-events-one-intent"])
def test_twenty_concurrent_deliveries_credit_once(distinct_event_ids):
    # given a pending top-up and 20 simultaneous deliveries about its success
    user = UserFactory()
    topup = pending_topup(user, "75.00")
    same = event("payment_intent.succeeded", payment_intent(topup), event_id="evt_concurrent")
    bodies = [
        event("payment_intent.succeeded", payment_intent(topup), event_id=f"evt_concurrent_{index}")
        if distinct_event_ids
        else same
        for index in range(20)
    ]

    # when they all arrive at once
    outcomes = deliver_from_threads(bodies)

    # then every delivery is acknowledged and the wallet is credited exactly once
    assert outcomes == [200] * 20
    assert usable(user) == Decimal("75.00")
    assert LedgerEntry.objects.filter(wallet__owner=user).count() == 1
    assert StripeEvent.objects.count() == (20 if distinct_event_ids else 1)
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.SUCCEEDED
