"""POST /wallet/withdrawal and the staff endpoints /admin/withdrawals, per the contract."""

from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import UserFactory, funded_wallet
from tests.wallet.bank_support import ready_to_withdraw
from wallet.models import LedgerEntry, Wallet, Withdrawal
from wallet.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/withdrawal"
ADMIN_URL = "/api/v1/admin/withdrawals"


def _balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


def test_a_withdrawal_holds_amount_plus_fee_at_once(jwt_client, user):
    wallet = ready_to_withdraw(user, "100.00")

    response = jwt_client.post(URL, {"amount": "50.00"}, format="json", HTTP_USER_AGENT="DriftwoodApp/2.1 (Android)")

    assert response.status_code == 201
    body = response.json()
    assert body == {
        "withdrawal_id": body["withdrawal_id"],
        "amount": "50.00",
        "fee": "1.00",
        "total": "51.00",
        "status": "pending",
    }
    assert _balances(wallet) == (Decimal("100.00"), Decimal("49.00"), Decimal("51.00"))
    withdrawal = Withdrawal.objects.get(pk=body["withdrawal_id"])
    assert (withdrawal.requested_ip, withdrawal.user_agent) == ("127.0.0.1", "DriftwoodApp/2.1 (Android)")
    assert (withdrawal.bank_name, withdrawal.bank_last4, withdrawal.fraud_flags) == ("Maybank", "9012", [])
    hold = LedgerEntry.objects.filter(wallet=wallet).latest("id")
    assert (hold.transaction_type, hold.amount, hold.pending_amount) == ("hold", Decimal("-51.00"), Decimal("51.00"))
    assert hold.metadata["withdrawal_id"] == withdrawal.pk
    assert hold.description == f"Withdrawal #{withdrawal.pk}: RM 50.00 + RM 1.00 fee on hold"
    assert hold.metadata["text"]["values"] == {
        "id": withdrawal.pk,
        "amount": {"money": "50.00"},
        "fee": {"money": "1.00"},
    }


@pytest.mark.parametrize("amount", ["10.00", 10, "5000.00", "5000"])
def test_the_limits_themselves_are_allowed(jwt_client, user, amount):
    ready_to_withdraw(user, "6000.00")

    response = jwt_client.post(URL, {"amount": amount}, format="json")

    assert response.status_code == 201
    assert Decimal(response.json()["amount"]) == Decimal(str(amount))


@pytest.mark.parametrize(
    ("amount", "message"),
    [("9.99", "Minimum withdrawal RM 10"), ("5000.01", "Maximum withdrawal RM 5000"), (1, "Minimum withdrawal RM 10")],
)
def test_amounts_outside_the_limits_are_refused_with_the_contract_message(jwt_client, user, amount, message):
    wallet = ready_to_withdraw(user, "6000.00")

    response = jwt_client.post(URL, {"amount": amount}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["message"] == message
    assert response.json()["errors"] == {"amount": [message]}
    assert _balances(wallet) == (Decimal("6000.00"), Decimal("6000.00"), Decimal("0.00"))


@pytest.mark.parametrize("amount", ["10.001", "NaN", "Infinity", "-20.00", "0", 0, "abc", None, True, 12.345])
def test_malformed_amounts_are_refused(jwt_client, user, amount):
    ready_to_withdraw(user, "100.00")

    response = jwt_client.post(URL, {"amount": amount}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert not Withdrawal.objects.exists()


def test_without_a_bank_account_the_request_is_refused(jwt_client, user):
    wallet = funded_wallet(user, "100.00")

    response = jwt_client.post(URL, {"amount": "20.00"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "no_bank_account"
    assert _balances(wallet) == (Decimal("100.00"), Decimal("100.00"), Decimal("0.00"))


def test_the_fee_must_be_covered_too(jwt_client, user):
    wallet = ready_to_withdraw(user, "50.50")

    response = jwt_client.post(URL, {"amount": "50.00"}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "insufficient_balance"
    assert _balances(wallet) == (Decimal("50.50"), Decimal("50.50"), Decimal("0.00"))
    assert not Withdrawal.objects.exists()


def test_a_flagged_request_is_created_in_review(jwt_client, user):
    wallet = ready_to_withdraw(user, "100.00")
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now())

    response = jwt_client.post(URL, {"amount": "20.00"}, format="json")

    assert response.status_code == 201
    assert response.json()["status"] == "review"
    assert [flag["code"] for flag in Withdrawal.objects.get().fraud_flags] == ["bank_account_changed"]
    assert _balances(wallet)[2] == Decimal("21.00")


def test_the_same_idempotency_key_replays_without_a_second_hold(jwt_client, user):
    wallet = ready_to_withdraw(user, "100.00")
    headers = {"HTTP_IDEMPOTENCY_KEY": "withdraw-1"}

    first = jwt_client.post(URL, {"amount": "30.00"}, format="json", **headers)
    again = jwt_client.post(URL, {"amount": "30.00"}, format="json", **headers)
    other = jwt_client.post(URL, {"amount": "31.00"}, format="json", **headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    assert Withdrawal.objects.count() == 1
    assert _balances(wallet)[1] == Decimal("69.00")


def test_withdrawals_share_the_money_rate_limit(jwt_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "money": "2/m"}
    ready_to_withdraw(user, "100.00")

    statuses = [jwt_client.post(URL, {"amount": "10.00"}, format="json").status_code for _ in range(3)]
    limited = jwt_client.post(URL, {"amount": "10.00"}, format="json")

    assert statuses == [201, 201, 429]
    assert limited.json()["code"] == "rate_limited"
    assert int(limited["Retry-After"]) >= 1
    assert Withdrawal.objects.count() == 2


def test_requesting_needs_authentication(api_client):
    response = api_client.post(URL, {"amount": "20.00"}, format="json")

    assert response.status_code == 401


def test_the_browser_session_reaches_it_with_csrf(session_client, user):
    ready_to_withdraw(user, "100.00")
    secret = "s3cr3t" * 5 + "ab"  # a 32-character CSRF secret, as the cookie carries it

    without = session_client.post(URL, {"amount": "20.00"}, format="json")
    session_client.cookies["csrftoken"] = secret
    with_token = session_client.post(URL, {"amount": "20.00"}, format="json", HTTP_X_CSRFTOKEN=secret)

    assert without.status_code == 403
    assert with_token.status_code == 201


# --- staff


def _withdrawals(count: int) -> list[Withdrawal]:
    user = UserFactory()
    ready_to_withdraw(user, "5000.00")
    return [withdrawal_request(user=user, amount=Decimal("10.00"), ip=None, user_agent="") for _ in range(count)]


def test_non_staff_cannot_see_or_process_withdrawals(jwt_client):
    [withdrawal] = _withdrawals(1)

    responses = [
        jwt_client.get(ADMIN_URL),
        jwt_client.post(f"{ADMIN_URL}/{withdrawal.pk}/approve", {}, format="json"),
        jwt_client.post(f"{ADMIN_URL}/{withdrawal.pk}/reject", {"reason": "no"}, format="json"),
    ]

    assert [response.status_code for response in responses] == [403, 403, 403]
    assert {response.json()["code"] for response in responses} == {"permission_denied"}
    withdrawal.refresh_from_db()
    assert withdrawal.status == "pending"


def test_anonymous_callers_get_401(api_client):
    assert api_client.get(ADMIN_URL).status_code == 401


def test_staff_list_every_withdrawal_newest_first_with_pages(staff_user):
    withdrawals = _withdrawals(3)
    client = bearer_client(staff_user)

    first = client.get(ADMIN_URL, {"limit": 2}).json()
    second = client.get(ADMIN_URL, {"limit": 2, "page": 2}).json()

    assert [row["id"] for row in first["results"]] == [withdrawals[2].pk, withdrawals[1].pk]
    assert (first["has_more"], first["page"]) == (True, 1)
    assert [row["id"] for row in second["results"]] == [withdrawals[0].pk]
    assert second["has_more"] is False
    row = second["results"][0]
    assert row["username"] == withdrawals[0].user.username
    assert (row["amount"], row["fee"], row["total"], row["status"]) == ("10.00", "1.00", "11.00", "pending")
    assert (row["bank_name"], row["bank_last4"], row["fraud_flags"]) == ("Maybank", "9012", [])


def test_staff_filter_by_status_and_see_the_fraud_reasons(staff_user):
    withdrawals = _withdrawals(5)  # the fifth within an hour is held for review
    client = bearer_client(staff_user)

    review = client.get(ADMIN_URL, {"status": "review"}).json()["results"]
    pending = client.get(ADMIN_URL, {"status": "pending"}).json()["results"]
    bad = client.get(ADMIN_URL, {"status": "lost"})

    assert [row["id"] for row in review] == [withdrawals[4].pk]
    assert review[0]["fraud_flags"] == [
        {"code": "request_burst", "message": "5 withdrawal requests within an hour."},
    ]
    assert len(pending) == 4
    assert (bad.status_code, bad.json()["code"]) == (400, "invalid")


def test_the_staff_list_costs_the_same_queries_for_more_rows(staff_user, django_assert_max_num_queries):
    client = bearer_client(staff_user)
    _withdrawals(2)
    with django_assert_max_num_queries(8) as few:
        client.get(ADMIN_URL)
    _withdrawals(4)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(ADMIN_URL)

    assert len(response.json()["results"]) == 6


def test_approving_an_unknown_withdrawal_is_404(staff_user):
    response = bearer_client(staff_user).post(f"{ADMIN_URL}/999999/approve", {}, format="json")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_approve_pays_out_once_and_a_second_approval_conflicts(staff_user, fake_bank, eager_mail):
    [withdrawal] = _withdrawals(1)
    client = bearer_client(staff_user)

    approved = client.post(f"{ADMIN_URL}/{withdrawal.pk}/approve", format="json")
    again = client.post(f"{ADMIN_URL}/{withdrawal.pk}/approve/", {}, format="json")

    assert approved.status_code == 200
    assert approved.json() == {"id": withdrawal.pk, "status": "completed"}
    assert (again.status_code, again.json()["code"]) == (409, "already_processed")
    assert len(fake_bank.payouts()) == 1


def test_a_refused_payout_answers_200_failed(staff_user, fake_bank):
    [withdrawal] = _withdrawals(1)
    fake_bank.mode("refuse")

    response = bearer_client(staff_user).post(f"{ADMIN_URL}/{withdrawal.pk}/approve", {}, format="json")

    assert response.status_code == 200
    assert response.json() == {"id": withdrawal.pk, "status": "failed"}


def test_an_unknown_bank_outcome_answers_200_processing_and_staff_see_its_attempts(staff_user, fake_bank):
    # given a bank answering 503
    [withdrawal] = _withdrawals(1)
    fake_bank.mode("503")
    client = bearer_client(staff_user)

    # when staff approve the withdrawal, then try to reject it
    approved = client.post(f"{ADMIN_URL}/{withdrawal.pk}/approve", {}, format="json")
    rejected = client.post(f"{ADMIN_URL}/{withdrawal.pk}/reject", {"reason": "Bank is down"}, format="json")

    # then it is processing, cannot be rejected any more, and its total stays pending
    assert (approved.status_code, approved.json()) == (200, {"id": withdrawal.pk, "status": "processing"})
    assert (rejected.status_code, rejected.json()["code"]) == (409, "already_processed")
    assert _balances(withdrawal.wallet) == (Decimal("5000.00"), Decimal("4989.00"), Decimal("11.00"))
    # and the staff list, filtered to processing, shows the attempts and the last error
    [row] = client.get(ADMIN_URL, {"status": "processing"}).json()["results"]
    assert (row["id"], row["status"], row["payout_attempts"], row["last_payout_error"]) == (
        withdrawal.pk,
        "processing",
        1,
        "The payout service is temporarily unavailable.",
    )
    assert row["processing_since"] is not None and row["last_payout_attempt_at"] is not None
    assert row["processed_at"] is None
    assert client.get(ADMIN_URL, {"status": "pending"}).json()["results"] == []


def test_a_withdrawal_in_review_needs_an_override_reason(staff_user, fake_bank):
    withdrawals = _withdrawals(5)
    flagged = withdrawals[4]
    client = bearer_client(staff_user)

    without = client.post(f"{ADMIN_URL}/{flagged.pk}/approve", {"override_reason": "  "}, format="json")
    with_reason = client.post(
        f"{ADMIN_URL}/{flagged.pk}/approve", {"override_reason": "Player called support"}, format="json"
    )

    assert (without.status_code, without.json()["code"]) == (409, "needs_review")
    assert with_reason.json() == {"id": flagged.pk, "status": "completed"}
    flagged.refresh_from_db()
    assert (flagged.override_reason, flagged.processed_by) == ("Player called support", staff_user)


def test_reject_returns_the_money_and_needs_a_reason(staff_user):
    [withdrawal] = _withdrawals(1)
    client = bearer_client(staff_user)

    missing = client.post(f"{ADMIN_URL}/{withdrawal.pk}/reject", {}, format="json")
    rejected = client.post(f"{ADMIN_URL}/{withdrawal.pk}/reject", {"reason": "Name does not match"}, format="json")
    again = client.post(f"{ADMIN_URL}/{withdrawal.pk}/approve", {}, format="json")

    assert (missing.status_code, missing.json()["errors"].keys()) == (400, {"reason"})
    assert rejected.json() == {"id": withdrawal.pk, "status": "rejected"}
    assert (again.status_code, again.json()["code"]) == (409, "already_processed")
    wallet = withdrawal.wallet
    assert _balances(wallet) == (Decimal("5000.00"), Decimal("5000.00"), Decimal("0.00"))
    sums = LedgerEntry.objects.filter(wallet=wallet).aggregate(usable=Sum("amount"), pending=Sum("pending_amount"))
    assert (sums["usable"], sums["pending"]) == (Decimal("5000.00"), Decimal("0.00"))


def test_the_schema_documents_the_withdrawal_endpoints_and_their_errors(client):
    schema = client.get("/api/schema/?format=json").json()

    request = schema["paths"]["/api/v1/wallet/withdrawal"]["post"]
    approve = schema["paths"]["/api/v1/admin/withdrawals/{withdrawal_id}/approve"]["post"]
    assert {"201", "400", "401", "409", "429"} <= set(request["responses"])
    assert "no_bank_account" in request["responses"]["400"]["description"]
    assert "needs_review" in approve["responses"]["409"]["description"]
    assert "`processing`" in approve["description"]
    listing = schema["paths"]["/api/v1/admin/withdrawals"]["get"]
    [status] = [parameter for parameter in listing["parameters"] if parameter["name"] == "status"]
    assert "processing" in status["schema"]["enum"]
    assert "404" in approve["responses"]
    assert "post" in schema["paths"]["/api/v1/wallet/bank-account"]
