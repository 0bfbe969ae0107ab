"""Staff screens for money in Django admin: read-only ledgers, withdrawal approval and rejection."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import UserFactory, funded_wallet
from tests.wallet.bank_support import ACCOUNT_NUMBER, ready_to_withdraw
from tests.wallet.stripe_support import pending_topup
from wallet.models import LedgerEntry, StripeEvent, TopUp, Wallet, Withdrawal
from wallet.services.bank_accounts import bank_account_set
from wallet.services.withdrawals import withdrawal_approve, withdrawal_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

WITHDRAWALS_URL = "/admin/wallet/withdrawal/"
Status = Withdrawal.Status


def staff_with(*codenames: str, username: str):
    staff = UserFactory(username=username, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="wallet", codename__in=codenames))
    return staff


@pytest.fixture
def cashier(db):
    """A staff member (not a superuser) who may look at the wallet screens and process withdrawals."""
    views = ["view_wallet", "view_ledgerentry", "view_topup", "view_stripeevent", "view_withdrawal"]
    return staff_with(*views, "change_withdrawal", username="cashier")


@pytest.fixture
def cashier_client(client, cashier):
    client.force_login(cashier)
    return client


def pending_withdrawal(amount: str = "20.00", *, balance: str = "100.00", username: str | None = None) -> Withdrawal:
    player = UserFactory(**({"username": username} if username else {}))
    ready_to_withdraw(player, balance)
    return withdrawal_request(user=player, amount=Decimal(amount), ip="203.0.113.9", user_agent="pytest")


def flagged_withdrawal(amount: str = "20.00") -> Withdrawal:
    """The bank account was linked a moment ago, so the fraud checks hold the request for review."""
    player = UserFactory()
    funded_wallet(player, "100.00")
    bank_account_set(user=player, bank_name="CIMB", account_number="8001234567", account_holder_name="Mei Ling")
    withdrawal = withdrawal_request(user=player, amount=Decimal(amount), ip="203.0.113.9", user_agent="pytest")
    assert withdrawal.status == Status.REVIEW
    return withdrawal


def choose_action(client, action: str, *withdrawals: Withdrawal):
    """Tick the rows, pick the action and press Go on the changelist."""
    data = {"action": action, "_selected_action": [w.pk for w in withdrawals], "index": "0"}
    return client.post(WITHDRAWALS_URL, data)


def confirm_action(client, action: str, *withdrawals: Withdrawal, **fields: str):
    """Press "Yes" on the action's confirmation page."""
    data = {"action": action, "_selected_action": [w.pk for w in withdrawals], "confirm": "yes", **fields}
    return client.post(WITHDRAWALS_URL, data, follow=True)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def balances(withdrawal: Withdrawal) -> tuple[Decimal, Decimal, Decimal]:
    wallet = Wallet.objects.get(pk=withdrawal.wallet_id)
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


# --- Read-only screens


@pytest.fixture
def one_of_each(db):
    withdrawal = pending_withdrawal()
    topup = pending_topup(withdrawal.user, "30.00")
    event = StripeEvent.objects.create(event_id="evt_admin_1", event_type="payment_intent.succeeded", payload={})
    return {
        "wallet": withdrawal.wallet_id,
        "ledgerentry": LedgerEntry.objects.filter(wallet_id=withdrawal.wallet_id).first().pk,
        "topup": topup.pk,
        "stripeevent": event.pk,
        "withdrawal": withdrawal.pk,
    }


@pytest.mark.parametrize("model", ["wallet", "ledgerentry", "topup", "stripeevent", "withdrawal"])
def test_money_screens_refuse_add_change_and_delete_even_for_a_superuser(admin_client, one_of_each, model):
    url = f"/admin/wallet/{model}/"
    pk = one_of_each[model]

    listing = admin_client.get(url)
    detail = admin_client.get(f"{url}{pk}/change/")

    assert listing.status_code == 200
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert 'value="delete_selected"' not in listing.content.decode()
    assert admin_client.get(f"{url}add/").status_code == 403
    assert admin_client.post(f"{url}add/", {}).status_code == 403
    assert admin_client.post(f"{url}{pk}/change/", {"description": "edited", "status": "completed"}).status_code == 403
    assert admin_client.get(f"{url}{pk}/delete/").status_code == 403
    assert admin_client.post(f"{url}{pk}/delete/", {"post": "yes"}).status_code == 403


def test_nothing_changed_after_the_refused_writes(admin_client, one_of_each):
    withdrawal = Withdrawal.objects.get(pk=one_of_each["withdrawal"])
    before = (balances(withdrawal), LedgerEntry.objects.count(), TopUp.objects.count(), withdrawal.status)

    admin_client.post(f"{WITHDRAWALS_URL}{withdrawal.pk}/change/", {"status": "completed"})
    admin_client.post(f"/admin/wallet/wallet/{withdrawal.wallet_id}/change/", {"usable_balance": "9999.00"})
    admin_client.post(f"/admin/wallet/ledgerentry/{one_of_each['ledgerentry']}/delete/", {"post": "yes"})
    admin_client.post(f"/admin/wallet/topup/{one_of_each['topup']}/delete/", {"post": "yes"})

    withdrawal.refresh_from_db()
    assert (balances(withdrawal), LedgerEntry.objects.count(), TopUp.objects.count(), withdrawal.status) == before


def test_the_account_number_never_appears_on_any_admin_page(admin_client, one_of_each):
    withdrawal = Withdrawal.objects.select_related("wallet").get(pk=one_of_each["withdrawal"])
    token = withdrawal.wallet.bank_account_number_encrypted
    pages = [
        "/admin/",
        "/admin/wallet/",
        f"/admin/accounts/user/{withdrawal.user_id}/change/",
        f"{WITHDRAWALS_URL}?q=9012",
        *(f"/admin/wallet/{model}/" for model in one_of_each),
        *(f"/admin/wallet/{model}/{pk}/change/" for model, pk in one_of_each.items()),
    ]
    responses = [admin_client.get(page) for page in pages]
    responses.append(choose_action(admin_client, "approve_selected", withdrawal))
    responses.append(choose_action(admin_client, "reject_selected", withdrawal))

    assert [response.status_code for response in responses] == [200] * len(responses)
    for page, response in zip([*pages, "approve", "reject"], responses, strict=True):
        html = response.content.decode()
        assert ACCOUNT_NUMBER not in html, page
        assert token not in html, page
    wallet_page = admin_client.get(f"/admin/wallet/wallet/{withdrawal.wallet_id}/change/").content.decode()
    assert "•••• 9012" in wallet_page


# --- The withdrawal list


def test_withdrawals_list_shows_fraud_reasons_and_the_masked_account(cashier_client):
    flagged = flagged_withdrawal()

    response = cashier_client.get(WITHDRAWALS_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert "The bank account was changed within 24 hours before it." in page
    assert "CIMB •••• 4567" in page
    assert "Held for review" in page
    assert f"{WITHDRAWALS_URL}{flagged.pk}/change/" in page
    detail = cashier_client.get(f"{WITHDRAWALS_URL}{flagged.pk}/change/").content.decode()
    assert "The bank account was changed within 24 hours before it." in detail
    assert "203.0.113.9" in detail


def test_withdrawals_filter_by_status_and_by_fraud_flags(cashier_client):
    pending = pending_withdrawal()
    flagged = flagged_withdrawal()

    def listed(query: dict) -> list[int]:
        return [w.pk for w in cashier_client.get(WITHDRAWALS_URL, query).context["cl"].result_list]

    assert listed({"status__exact": "pending"}) == [pending.pk]
    assert listed({"status__exact": "review"}) == [flagged.pk]
    assert listed({"flagged": "yes"}) == [flagged.pk]
    assert listed({"flagged": "no"}) == [pending.pk]


def test_withdrawals_search_by_username_email_and_id(cashier_client):
    mei = pending_withdrawal(username="mei_ling")
    other = pending_withdrawal(username="aiman")

    def found(term: str) -> set[int]:
        return {w.pk for w in cashier_client.get(WITHDRAWALS_URL, {"q": term}).context["cl"].result_list}

    assert found("mei_ling") == {mei.pk}
    assert found("aiman@example.com") == {other.pk}
    assert found(str(other.pk)) == {other.pk}
    assert found(f"#{mei.pk}") == {mei.pk}
    assert found("nobody") == set()


# --- Approve and reject actions


def test_approve_asks_for_confirmation_before_paying_anything(cashier_client, fake_bank):
    withdrawal = pending_withdrawal()

    response = choose_action(cashier_client, "approve_selected", withdrawal)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Approve 1 withdrawal?" in page
    assert "Maybank •••• 9012" in page
    assert 'value="Yes, approve"' in page
    assert 'name="override_reason"' not in page  # nothing selected was flagged
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.PENDING
    assert fake_bank.payouts() == []


def test_approving_pays_out_records_the_staff_member_and_logs_it(cashier_client, cashier, fake_bank):
    withdrawal = pending_withdrawal("20.00", balance="100.00")

    response = confirm_action(cashier_client, "approve_selected", withdrawal)

    assert response.redirect_chain[-1][0] == WITHDRAWALS_URL
    assert messages_of(response) == [f"Withdrawal #{withdrawal.pk} approved: RM 20.00 paid out to Maybank •••• 9012."]
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.processed_by) == (Status.COMPLETED, cashier)
    assert balances(withdrawal) == (Decimal("79.00"), Decimal("79.00"), Decimal("0.00"))
    assert [(p["reference"], p["amount"]) for p in fake_bank.payouts()] == [(str(withdrawal.pk), "20.00")]
    log = LogEntry.objects.get(object_id=str(withdrawal.pk))
    assert (log.user, log.get_change_message()) == (cashier, "Approved withdrawal: paid out.")


def test_a_flagged_withdrawal_needs_an_override_reason_which_is_recorded(cashier_client, cashier, fake_bank):
    withdrawal = flagged_withdrawal()

    asked = choose_action(cashier_client, "approve_selected", withdrawal)
    without_reason = confirm_action(cashier_client, "approve_selected", withdrawal, override_reason="  ")
    with_reason = confirm_action(
        cashier_client, "approve_selected", withdrawal, override_reason="Called the player; new salary account."
    )

    assert 'name="override_reason"' in asked.content.decode()
    assert "The bank account was changed within 24 hours before it." in asked.content.decode()
    assert without_reason.status_code == 200
    assert "This field is required." in without_reason.content.decode()
    assert messages_of(with_reason) == [f"Withdrawal #{withdrawal.pk} approved: RM 20.00 paid out to CIMB •••• 4567."]
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.COMPLETED
    assert (withdrawal.override_reason, withdrawal.processed_by) == ("Called the player; new salary account.", cashier)
    assert LogEntry.objects.get(object_id=str(withdrawal.pk)).get_change_message() == (
        "Approved withdrawal: paid out. Override: Called the player; new salary account."
    )
    assert len(fake_bank.payouts()) == 1


def test_a_refused_payout_is_reported_and_the_money_returns_to_usable(cashier_client, fake_bank):
    fake_bank.mode("refuse")
    withdrawal = pending_withdrawal("20.00", balance="100.00")

    response = confirm_action(cashier_client, "approve_selected", withdrawal)

    assert messages_of(response) == [
        f"Withdrawal #{withdrawal.pk} could not be paid out (The beneficiary bank refused the transfer.): "
        f"RM 21.00 returned to {withdrawal.user.username}'s usable balance."
    ]
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.FAILED
    assert balances(withdrawal) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))


def test_an_already_processed_withdrawal_is_reported_and_not_paid_twice(cashier_client, fake_bank):
    withdrawal = pending_withdrawal()
    confirm_action(cashier_client, "approve_selected", withdrawal)

    again = confirm_action(cashier_client, "approve_selected", withdrawal)

    assert messages_of(again) == [f"Withdrawal #{withdrawal.pk}: This withdrawal has already been processed."]
    assert len(fake_bank.payouts()) == 1


def test_reject_needs_a_reason_then_returns_the_total_to_usable(cashier_client, cashier):
    first, second = pending_withdrawal("20.00"), pending_withdrawal("30.00")

    asked = choose_action(cashier_client, "reject_selected", first, second)
    without_reason = confirm_action(cashier_client, "reject_selected", first, second)
    rejected = confirm_action(cashier_client, "reject_selected", first, second, reason="Duplicate account.")

    assert "Reject 2 withdrawals?" in asked.content.decode()
    assert "This field is required." in without_reason.content.decode()
    assert messages_of(rejected) == [
        f"Withdrawal #{first.pk} rejected: RM 21.00 returned to {first.user.username}'s usable balance.",
        f"Withdrawal #{second.pk} rejected: RM 31.00 returned to {second.user.username}'s usable balance.",
    ]
    for withdrawal in (first, second):
        withdrawal.refresh_from_db()
        assert (withdrawal.status, withdrawal.failure_reason) == (Status.REJECTED, "Duplicate account.")
        assert balances(withdrawal) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))
        log = LogEntry.objects.get(object_id=str(withdrawal.pk))
        assert (log.user, log.get_change_message()) == (cashier, "Rejected withdrawal: Duplicate account.")


def test_staff_who_may_only_view_withdrawals_cannot_process_them(client, fake_bank):
    viewer = staff_with("view_withdrawal", username="auditor")
    client.force_login(viewer)
    withdrawal = pending_withdrawal()

    listing = client.get(WITHDRAWALS_URL)
    attempt = confirm_action(client, "approve_selected", withdrawal)

    assert listing.status_code == 200
    assert 'name="action"' not in listing.content.decode()
    assert attempt.status_code == 200
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.PENDING
    assert fake_bank.payouts() == []


# --- Payouts whose bank outcome is unknown


def processing_withdrawal(fake_bank, cashier) -> Withdrawal:
    """Approved while the bank answered 503: the payout's outcome is unknown."""
    withdrawal = pending_withdrawal("20.00", balance="100.00")
    fake_bank.mode("503")
    assert withdrawal_approve(withdrawal_id=withdrawal.pk, staff=cashier).status == Status.PROCESSING
    return withdrawal


def test_an_unknown_outcome_is_reported_and_listed_with_its_attempts_and_last_error(cashier_client, fake_bank):
    # given a bank answering 503
    fake_bank.mode("503")
    withdrawal = pending_withdrawal("20.00", balance="100.00")
    other = pending_withdrawal()

    # when staff approve the withdrawal
    response = confirm_action(cashier_client, "approve_selected", withdrawal)

    # then they are told the money stays pending and the payout is retried
    assert messages_of(response) == [
        f"Withdrawal #{withdrawal.pk}: the bank's answer is unknown (The payout service is temporarily "
        "unavailable.). RM 21.00 stays pending and the payout is retried by the same reference."
    ]
    assert LogEntry.objects.get(object_id=str(withdrawal.pk)).get_change_message() == (
        "Approved withdrawal: bank's answer unknown (The payout service is temporarily unavailable.), retrying."
    )
    assert balances(withdrawal) == (Decimal("100.00"), Decimal("79.00"), Decimal("21.00"))

    # and the list shows processing payouts with their attempts and last error, and filters them
    def listed(query: dict) -> list[int]:
        return [w.pk for w in cashier_client.get(WITHDRAWALS_URL, query).context["cl"].result_list]

    page = cashier_client.get(WITHDRAWALS_URL, {"payout": "unknown"}).content.decode()
    assert "The payout service is temporarily unavailable." in page
    assert "Payout attempts" in page
    assert listed({"payout": "unknown"}) == listed({"status__exact": "processing"}) == [withdrawal.pk]
    assert other.pk not in listed({"payout": "unknown"})
    assert listed({"payout": "stuck"}) == []
    Withdrawal.objects.filter(pk=withdrawal.pk).update(processing_since=timezone.now() - timedelta(hours=2))
    assert listed({"payout": "stuck"}) == [withdrawal.pk]


def test_retry_payout_now_settles_processing_withdrawals_and_skips_the_others(cashier_client, cashier, fake_bank):
    # given a payout the bank answered 503 (nothing paid), and a pending withdrawal
    withdrawal = processing_withdrawal(fake_bank, cashier)
    pending = pending_withdrawal()

    # when the bank is back and staff retry both at once, without waiting for the backoff
    fake_bank.mode("accept")
    response = confirm_action(cashier_client, "retry_payout_now", withdrawal, pending)

    # then the processing one is paid, once, and the pending one is left alone
    assert messages_of(response) == [
        f"Withdrawal #{withdrawal.pk} approved: RM 20.00 paid out to Maybank •••• 9012.",
        f"Withdrawal #{pending.pk} is not processing: nothing to retry.",
    ]
    withdrawal.refresh_from_db()
    pending.refresh_from_db()
    assert (withdrawal.status, withdrawal.payout_attempts, pending.status) == (Status.COMPLETED, 2, Status.PENDING)
    assert [p["reference"] for p in fake_bank.payouts()] == [str(withdrawal.pk)]
    assert balances(withdrawal) == (Decimal("79.00"), Decimal("79.00"), Decimal("0.00"))
    assert LogEntry.objects.get(object_id=str(withdrawal.pk)).get_change_message() == "Retried payout: paid out."
