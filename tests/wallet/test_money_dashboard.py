"""The staff money dashboard in Django admin: each figure equals the sum of the rows it links to,
and only staff allowed to view wallets see it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from tests.factories import UserFactory, funded_wallet
from tests.wallet.bank_support import ready_to_withdraw
from wallet.dashboard import money_dashboard
from wallet.models import CardRefund, LedgerEntry, ReconcileRun, TopUp, Wallet, Withdrawal
from wallet.services.balances import (
    BANK_PAYOUTS,
    CARD_REFUNDS,
    PLATFORM_FEES_REFERENCE,
    STRIPE_CLEARING,
    platform_wallet_get_or_create,
    system_account,
    wallet_credit,
    wallet_transfer,
)
from wallet.services.withdrawals import withdrawal_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

DASHBOARD_URL = "/admin/wallet/wallet/money/"
Type = LedgerEntry.Type


def card_topup(wallet: Wallet, amount: str) -> None:
    TopUp.objects.create(
        user=wallet.owner,
        wallet=wallet,
        amount=Decimal(amount),
        status=TopUp.Status.SUCCEEDED,
        succeeded_at=timezone.now(),
    )
    wallet_credit(
        wallet=wallet,
        amount=Decimal(amount),
        source=system_account(STRIPE_CLEARING),
        transaction_type=Type.TOPUP,
        description="Card top-up",
    )


def withdrawal(amount: str) -> Withdrawal:
    player = UserFactory()
    ready_to_withdraw(player, "200.00")
    return withdrawal_request(user=player, amount=Decimal(amount), ip="203.0.113.9", user_agent="pytest")


@pytest.fixture
def books():
    """Top-ups, an entry fee in escrow, a fee, a paid withdrawal, withdrawals waiting, a failed refund."""
    player = UserFactory()
    wallet = funded_wallet(player, "50.00")
    card_topup(wallet, "120.00")
    card_topup(wallet, "30.50")
    escrow = platform_wallet_get_or_create(reference="event:4242", kind=Wallet.Kind.ESCROW)
    wallet_transfer(
        source=wallet,
        destination=escrow,
        amount=Decimal("25.00"),
        transaction_type=Type.ENTRY_FEE,
        description="Entry fee",
    )
    fees = platform_wallet_get_or_create(reference=PLATFORM_FEES_REFERENCE)
    wallet_transfer(
        source=escrow, destination=fees, amount=Decimal("2.50"), transaction_type=Type.ENTRY_FEE, description="Fee"
    )
    paid = withdrawal("40.00")
    wallet_transfer(
        source=paid.wallet,
        destination=system_account(BANK_PAYOUTS),
        amount=Decimal("40.00"),
        transaction_type=Type.WITHDRAWAL,
        description="Paid",
        from_pending=True,
    )
    wallet_transfer(
        source=paid.wallet,
        destination=fees,
        amount=Decimal("1.00"),
        transaction_type=Type.WITHDRAWAL_FEE,
        description="Fee",
        from_pending=True,
    )
    Withdrawal.objects.filter(pk=paid.pk).update(status=Withdrawal.Status.COMPLETED)
    waiting = [withdrawal("10.00"), withdrawal("15.00"), withdrawal("60.00")]
    Withdrawal.objects.filter(pk=waiting[0].pk).update(
        status=Withdrawal.Status.REVIEW, created_at=timezone.now() - timedelta(hours=5)
    )
    Withdrawal.objects.filter(pk=waiting[1].pk).update(
        status=Withdrawal.Status.PROCESSING, processing_since=timezone.now() - timedelta(hours=2)
    )
    for key, state in (
        ("refund-1", CardRefund.State.FAILED),
        ("refund-2", CardRefund.State.FAILED),
        ("refund-3", CardRefund.State.SUCCEEDED),
    ):
        wallet_transfer(
            source=wallet,
            destination=system_account(CARD_REFUNDS),
            amount=Decimal("7.25"),
            transaction_type=Type.REFUND,
            description="Refund to card",
        )
        CardRefund.objects.create(
            payment_intent_id=f"pi_{key}",
            amount=Decimal("7.25"),
            idempotency_key=key,
            state=state,
            description="Refund",
            confirmed_at=timezone.now() if state == CardRefund.State.SUCCEEDED else None,
        )


def legs_of(reference: str, **filters) -> list[LedgerEntry]:
    return list(LedgerEntry.objects.filter(wallet__reference=reference, **filters))


def listed(client, url: str):
    """The rows of the admin changelist a figure links to (every page's rows: the queryset)."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["cl"].queryset


def test_each_account_figure_is_the_sum_of_the_rows_it_links_to(admin_client, books):
    # when staff open the dashboard
    response = admin_client.get(DASHBOARD_URL)

    # then each account's figure equals the sum computed here, and its link lists those rows
    assert response.status_code == 200
    figures = {str(figure.label): figure for figure in response.context["accounts"]}
    expected = {
        "Player wallets": sum(w.current_balance for w in Wallet.objects.filter(kind="player")),
        "Event escrow": Decimal("22.50"),
        "Stripe clearing (card, FPX and GrabPay money in)": -Decimal("150.50"),
        "Bank payouts (withdrawals paid)": Decimal("40.00"),
        "Card refunds (money back to cards)": Decimal("21.75"),
        "Platform fees": Decimal("3.50"),
    }
    for label, amount in expected.items():
        assert figures[label].amount == amount, label
    assert figures["Player wallets"].amount == Decimal("50.00") + Decimal("150.50") - Decimal("25.00") - Decimal(
        "21.75"
    ) + 4 * Decimal("200.00") - Decimal("41.00")
    assert sum(w.current_balance for w in listed(admin_client, figures["Event escrow"].url)) == Decimal("22.50")
    assert (
        sum(w.current_balance for w in listed(admin_client, figures["Player wallets"].url))
        == figures["Player wallets"].amount
    )
    for label in (
        "Stripe clearing (card, FPX and GrabPay money in)",
        "Bank payouts (withdrawals paid)",
        "Platform fees",
    ):
        rows = listed(admin_client, figures[label].url)
        assert sum(row.amount for row in rows) == figures[label].amount, label
        assert len(rows) == figures[label].count
    assert f'href="{figures["Platform fees"].url.replace("&", "&amp;")}"' in response.content.decode()


def test_todays_flows_are_todays_legs_and_link_to_them(admin_client, books):
    response = admin_client.get(DASHBOARD_URL)

    flows = {str(figure.label): figure for figure in response.context["today"]}
    assert flows["Into event escrow (net)"].amount == Decimal("22.50")
    assert flows["Stripe clearing (card, FPX and GrabPay money in)"].amount == -Decimal("150.50")
    assert flows["Bank payouts (withdrawals paid)"].amount == sum(leg.amount for leg in legs_of(BANK_PAYOUTS))
    for figure in flows.values():
        rows = listed(admin_client, figure.url)
        assert sum(row.amount for row in rows) == figure.amount, figure.label
    # and tomorrow none of them is today's
    tomorrow = money_dashboard(now=timezone.now() + timedelta(days=1))
    assert all(figure.amount == 0 and figure.count == 0 for figure in tomorrow["today"])


def test_withdrawals_waiting_and_failed_refunds_with_their_age(admin_client, books):
    response = admin_client.get(DASHBOARD_URL)

    groups = {str(group.label): group for group in response.context["waiting"]}
    review = Withdrawal.objects.get(status=Withdrawal.Status.REVIEW)
    processing = Withdrawal.objects.get(status=Withdrawal.Status.PROCESSING)
    assert (groups["Held for review"].count, groups["Held for review"].amount) == (1, review.total)
    assert groups["Held for review"].oldest == review.created_at
    assert (groups["Processing"].count, groups["Processing"].amount) == (1, processing.total)
    assert groups["Processing"].oldest == processing.processing_since
    assert groups["Pending"].amount == Decimal("61.00")
    for group in groups.values():
        rows = listed(admin_client, group.url)
        assert sum(row.total for row in rows) == group.amount
    refunds = response.context["failed_refunds"]
    assert (refunds.count, refunds.amount) == (2, Decimal("14.50"))
    assert sum(row.amount for row in listed(admin_client, refunds.url)) == Decimal("14.50")
    page = response.content.decode()
    assert "<td>5\xa0hours</td>" in page and "<td>2\xa0hours</td>" in page


def test_the_last_reconcile_result_is_shown_and_linked(admin_client, books):
    # given no run yet
    assert "No reconciliation has run yet" in admin_client.get(DASHBOARD_URL).content.decode()

    # when the books are reconciled (clean: every figure above is explained)
    call_command("wallet_reconcile", stdout=None)
    run = ReconcileRun.objects.get()

    # then the dashboard shows that run and links to it
    response = admin_client.get(DASHBOARD_URL)
    assert response.context["last_reconcile"] == run
    page = response.content.decode()
    assert f"/admin/wallet/reconcilerun/{run.pk}/change/" in page
    assert "Clean at" in page


def test_a_run_with_differences_lists_them(admin_client):
    ReconcileRun.objects.create(ok=False, wallets_checked=3, problems=["the ledger sums to 5.00, not 0"])

    page = admin_client.get(DASHBOARD_URL).content.decode()

    assert "1 difference found" in page and "the ledger sums to 5.00, not 0" in page


def test_only_staff_who_may_view_wallets_see_it(client):
    # anonymous and a player: sent to the admin's log-in
    assert client.get(DASHBOARD_URL)["Location"].startswith("/admin/login/")
    client.force_login(UserFactory())
    assert client.get(DASHBOARD_URL)["Location"].startswith("/admin/login/")
    # staff without the wallet permission: refused
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(DASHBOARD_URL).status_code == 403
    # staff who may view wallets: shown, and linked from the admin's index
    staff.user_permissions.add(Permission.objects.get(content_type__app_label="wallet", codename="view_wallet"))
    assert client.get(DASHBOARD_URL).status_code == 200
    assert DASHBOARD_URL in client.get("/admin/").content.decode()


def test_the_dashboard_speaks_malay(client, books):
    # given a staff member who reads Malay
    client.force_login(UserFactory(language="ms", is_staff=True, is_superuser=True))

    page = client.get(DASHBOARD_URL, headers={"accept-language": "en"}).content.decode()

    assert "Papan pemuka wang" in page
    assert "Baki mengikut akaun" in page
