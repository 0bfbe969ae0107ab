"""The wallet page, its bank account and withdrawal forms, through Django's test client."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory, funded_wallet, wallet_receive
from tests.wallet.bank_support import ACCOUNT_NUMBER
from tests.wallet.stripe_support import require_localstripe
from wallet.models import LedgerEntry, TopUp, Wallet, Withdrawal
from wallet.services.balances import wallet_hold
from wallet.services.bank_accounts import bank_account_set
from wallet.services.withdrawals import withdrawal_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

WALLET_URL = "/wallet/"
BANK_URL = "/wallet/bank-account/"
WITHDRAW_URL = "/wallet/withdraw/"
TOPUPS_API = "/api/v1/wallet/topups"


def link_bank(user, number: str = ACCOUNT_NUMBER) -> None:
    bank_account_set(user=user, bank_name="Maybank", account_number=number, account_holder_name="Siti Nur")


def credit(wallet: Wallet, amount: str, description: str, transaction_type=LedgerEntry.Type.TOPUP) -> None:
    wallet_receive(wallet, amount, transaction_type=transaction_type, description=description)


def balances_of(user) -> tuple[Decimal, Decimal, Decimal]:
    wallet = Wallet.objects.get(owner=user)
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


# --- The page


def test_anonymous_visitor_is_sent_to_log_in(client):
    response = client.get(WALLET_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={WALLET_URL}"


def test_page_shows_current_usable_and_pending_balances(player_client, user):
    wallet = funded_wallet(user, "1250.00")
    wallet_hold(wallet=wallet, amount=Decimal("30.00"), description="Withdrawal hold")

    response = player_client.get(WALLET_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert '<span class="balance-amount" data-balance="current_balance">RM 1,250.00</span>' in page
    assert '<span class="balance-amount" data-balance="usable_balance">RM 1,220.00</span>' in page
    assert '<span class="balance-amount" data-balance="pending_balance">RM 30.00</span>' in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_page_wires_the_card_top_up_to_stripe_js_and_the_api(player_client, settings):
    settings.STRIPE_JS_URL = "http://stripe.test/js.stripe.com/v3/"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_page"

    page = player_client.get(WALLET_URL).content.decode()

    assert '<script src="http://stripe.test/js.stripe.com/v3/" defer></script>' in page
    assert 'data-stripe-key="pk_test_page"' in page
    assert 'data-topups-url="/api/v1/wallet/topups"' in page
    assert 'data-wallet-url="/api/v1/wallet"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<label for="topup_amount">Amount (RM)</label>' in page
    assert 'aria-labelledby="card-label"' in page


def test_navigation_marks_the_wallet_as_the_current_page(player_client):
    page = player_client.get(WALLET_URL).content.decode()

    assert f'<a href="{WALLET_URL}" aria-current="page">Wallet</a>' in page


def test_page_shows_the_withdrawal_rules(player_client, user):
    funded_wallet(user, "70.00")

    page = player_client.get(WALLET_URL).content.decode()

    assert "RM 10.00 to RM 5,000.00 per withdrawal." in page
    assert "A RM 1.00 fee is added to each withdrawal." in page
    assert 'Your usable balance (<span data-balance="usable_balance">RM 70.00</span>) must cover' in page
    assert "Link a bank account first" in page


# Any "RM" followed by digits that is not "RM 1,234.50" (grouped thousands, two decimals).
MONEY_NOT_IN_THE_PAGE_FORMAT = re.compile(r"RM (?!(?:\d{1,3}(?:,\d{3})*)\.\d{2}(?!\d|,\d))[\d,.]+")


def test_every_amount_on_the_page_is_written_one_way(player_client, user):
    # given a player with a large balance, whose limits and fee the page spells out
    funded_wallet(user, "5000.00")

    page = player_client.get(WALLET_URL).content.decode()

    # then limits, fee, help texts and balances are all "RM 5,000.00"
    assert "RM 1.00 to RM 10,000.00, paid by card, FPX online banking or GrabPay." in page
    assert "RM 10.00 to RM 5,000.00. A RM 1.00 fee is added; your usable balance must cover both." in page
    assert "RM 5,000.00" in page
    assert MONEY_NOT_IN_THE_PAGE_FORMAT.findall(page) == []


def test_the_history_and_withdrawal_tables_label_every_cell_for_the_phone_layout(player_client, user):
    wallet = funded_wallet(user, "100.00")
    credit(wallet, "25.50", "Card top-up #1")
    link_bank(user)
    withdrawal_request(user=user, amount=Decimal("20.00"), ip=None, user_agent="")

    page = player_client.get(WALLET_URL).content.decode()

    # every cell says its column, so a phone can show each row as a small card (CSS: .table-stack)
    assert page.count('<table class="table table-stack">') == 2
    for label in ("Requested", "Amount", "Fee", "Total", "To", "Status", "Date", "Type", "Description", "Usable after"):
        assert f'data-label="{label}"' in page
    history = page[page.index('id="history"') :]
    cells = re.findall(r"<td\b[^>]*>", history)
    assert cells and all("data-label=" in cell for cell in cells)


def test_the_top_up_form_carries_its_limits_in_the_page_format_for_its_script(player_client):
    page = player_client.get(WALLET_URL).content.decode()

    assert 'data-min-message="Minimum top-up RM 1.00"' in page
    assert 'data-max-message="Maximum top-up RM 10,000.00"' in page
    assert re.search(r'<input type="number" name="amount"[^>]* min="1\.00" max="10000\.00"', page)


def test_history_lists_the_players_own_rows_newest_first(player_client, user):
    wallet = funded_wallet(user, "10.00")
    credit(wallet, "25.50", "Card top-up #1")
    credit(wallet, "4.00", "Second place prize", LedgerEntry.Type.PRIZE)
    credit(funded_wallet(UserFactory(), "1.00"), "999.00", "Someone else's top-up")

    page = player_client.get(WALLET_URL).content.decode()

    assert page.index("Second place prize") < page.index("Card top-up #1") < page.index("Test funds")
    assert "+RM 25.50" in page
    assert "RM 39.50" in page  # usable after the prize
    assert "Someone else&#x27;s top-up" not in page
    assert "RM 999.00" not in page


def test_history_filters_by_type(player_client, user):
    wallet = funded_wallet(user, "10.00")
    credit(wallet, "25.50", "Card top-up #1")
    credit(wallet, "4.00", "Second place prize", LedgerEntry.Type.PRIZE)

    page = player_client.get(WALLET_URL, {"type": "prize"}).content.decode()

    assert "Second place prize" in page
    assert "Card top-up #1" not in page
    assert '<option value="prize" selected>Prize</option>' in page
    assert 'href="/wallet/#history">Clear</a>' in page


def test_history_filters_by_date_range_inclusive(player_client, user):
    funded_wallet(user, "10.00")
    today = timezone.localdate()

    including = player_client.get(WALLET_URL, {"start_date": today, "end_date": today}).content.decode()
    before = player_client.get(WALLET_URL, {"end_date": today - timedelta(days=1)}).content.decode()

    assert "Test funds" in including
    assert "Test funds" not in before
    assert "No transactions match." in before


def test_history_with_an_end_before_its_start_shows_the_error_and_everything(player_client, user):
    funded_wallet(user, "10.00")
    today = timezone.localdate()

    response = player_client.get(WALLET_URL, {"start_date": today, "end_date": today - timedelta(days=1)})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The end date must not be before the start date." in page
    assert "Test funds" in page


def test_history_paginates_with_the_page_parameter(player_client, user):
    wallet = funded_wallet(user, "1.00")
    for number in range(1, 25):
        credit(wallet, "1.00", f"Top-up number {number:02d}")

    first = player_client.get(WALLET_URL).content.decode()
    second = player_client.get(WALLET_URL, {"page": 2}).content.decode()
    nonsense = player_client.get(WALLET_URL, {"page": "abc"})
    far_away = player_client.get(WALLET_URL, {"page": "9" * 30})

    assert "Top-up number 24" in first and "Top-up number 05" in first
    assert "Top-up number 04" not in first
    assert 'href="?page=2#history" rel="next">Older</a>' in first
    assert "Top-up number 04" in second and "Test funds" in second
    assert "Top-up number 05" not in second
    assert 'href="?page=1#history" rel="prev">Newer</a>' in second
    assert 'rel="next"' not in second
    assert nonsense.status_code == 200
    assert "Top-up number 24" in nonsense.content.decode()
    assert far_away.status_code == 200
    assert "No transactions match." in far_away.content.decode()


def test_pagination_links_keep_the_filters(player_client, user):
    wallet = funded_wallet(user, "1.00")
    for _ in range(21):
        credit(wallet, "1.00", "Prize money", LedgerEntry.Type.PRIZE)

    page = player_client.get(WALLET_URL, {"type": "prize"}).content.decode()

    assert 'href="?type=prize&amp;page=2#history" rel="next">Older</a>' in page


def test_query_count_does_not_grow_with_ledger_rows_or_withdrawals(django_assert_max_num_queries, player_client, user):
    wallet = funded_wallet(user, "5000.00")
    link_bank(user)
    withdrawal_request(user=user, amount=Decimal("10.00"), ip="127.0.0.1", user_agent="test")
    player_client.get(WALLET_URL)  # the session and the summary cache are warm from here on
    with CaptureQueriesContext(connection) as few:
        player_client.get(WALLET_URL)
    for number in range(30):
        credit(wallet, "1.00", f"Top-up {number}")
    for _ in range(4):
        withdrawal_request(user=user, amount=Decimal("10.00"), ip="127.0.0.1", user_agent="test")

    with django_assert_max_num_queries(len(few)):
        response = player_client.get(WALLET_URL)

    assert response.status_code == 200
    assert response.content.decode().count('class="badge status status-') == 5


# --- Bank account


def test_linking_a_bank_account_shows_it_masked_and_never_the_number(player_client, user):
    response = player_client.post(
        BANK_URL, {"bank_name": "Maybank", "account_number": ACCOUNT_NUMBER, "account_holder_name": "Siti Nur"}
    )
    page = player_client.get(WALLET_URL).content.decode()

    assert response.status_code == 302
    assert response["Location"] == WALLET_URL
    assert "Bank account Maybank •••• 9012 linked." in page
    assert '<dd class="mono">•••• 9012</dd>' in page
    assert "Siti Nur" in page
    assert ACCOUNT_NUMBER not in page
    assert Wallet.objects.get(owner=user).bank_last4 == "9012"


def test_account_number_with_spaces_is_accepted_as_digits(player_client, user):
    player_client.post(
        BANK_URL, {"bank_name": "CIMB", "account_number": "8001 2345 6789", "account_holder_name": "Aiman"}
    )

    wallet = Wallet.objects.get(owner=user)
    assert (wallet.bank_name, wallet.bank_last4) == ("CIMB", "6789")


def test_bank_form_errors_are_shown_without_echoing_the_account_number(player_client, user):
    response = player_client.post(
        BANK_URL, {"bank_name": "Maybank", "account_number": ACCOUNT_NUMBER, "account_holder_name": "Siti Nur 2"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "As printed on your bank statement: letters and spaces only." in page
    assert 'aria-invalid="true"' in page
    assert ACCOUNT_NUMBER not in page
    assert not Wallet.objects.filter(owner=user, has_bank_account=True).exists()


@pytest.mark.parametrize("number", ["123456789", "1234567890123456789", "12345abcde"])
def test_bank_form_refuses_account_numbers_that_are_not_10_to_18_digits(player_client, user, number):
    response = player_client.post(
        BANK_URL, {"bank_name": "Maybank", "account_number": number, "account_holder_name": "Siti Nur"}
    )

    assert response.status_code == 200
    assert "Enter 10 to 18 digits." in response.content.decode()
    assert not Wallet.objects.filter(owner=user, has_bank_account=True).exists()


# --- Withdrawals


def test_withdrawal_holds_amount_plus_fee_and_shows_as_pending(player_client, user, settings):
    settings.FRAUD_BANK_CHANGE_HOURS = 0  # the account was linked a moment ago
    funded_wallet(user, "100.00")
    link_bank(user)

    response = player_client.post(WITHDRAW_URL, {"amount": "50"}, HTTP_USER_AGENT="Firefox/128")
    page = player_client.get(WALLET_URL).content.decode()

    assert response.status_code == 302
    assert response["Location"] == WALLET_URL
    assert balances_of(user) == (Decimal("100.00"), Decimal("49.00"), Decimal("50.00") + Decimal("1.00"))
    withdrawal = Withdrawal.objects.get(user=user)
    assert (withdrawal.amount, withdrawal.fee, withdrawal.status) == (Decimal("50.00"), Decimal("1.00"), "pending")
    assert (withdrawal.requested_ip, withdrawal.user_agent) == ("127.0.0.1", "Firefox/128")
    assert "Withdrawal of RM 50.00 requested. RM 51.00 is on hold until it is paid out." in page
    assert '<span class="badge status status-pending">Pending</span>' in page


def test_a_withdrawal_right_after_linking_the_bank_is_held_for_review(player_client, user):
    funded_wallet(user, "100.00")
    link_bank(user)

    response = player_client.post(WITHDRAW_URL, {"amount": "20.00"}, follow=True)

    page = response.content.decode()
    assert "It needs a manual review; RM 21.00 is on hold until then." in page
    assert '<span class="badge status status-review">Held for review</span>' in page
    assert Withdrawal.objects.get(user=user).status == Withdrawal.Status.REVIEW
    assert balances_of(user) == (Decimal("100.00"), Decimal("79.00"), Decimal("21.00"))


@pytest.mark.parametrize(
    ("amount", "message"),
    [("9.99", "Minimum withdrawal RM 10.00"), ("5000.01", "Maximum withdrawal RM 5,000.00"), ("12.345", "two decimal")],
)
def test_withdrawal_outside_the_rules_shows_the_rule_and_holds_nothing(player_client, user, amount, message):
    funded_wallet(user, "6000.00")
    link_bank(user)

    response = player_client.post(WITHDRAW_URL, {"amount": amount})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Withdrawal.objects.exists()
    assert balances_of(user) == (Decimal("6000.00"), Decimal("6000.00"), Decimal("0.00"))


def test_withdrawal_without_a_bank_account_shows_the_services_message(player_client, user):
    funded_wallet(user, "100.00")

    response = player_client.post(WITHDRAW_URL, {"amount": "20.00"}, follow=True)

    assert response.status_code == 200
    assert "Link a bank account before withdrawing." in response.content.decode()
    assert not Withdrawal.objects.exists()


def test_withdrawal_needs_the_fee_covered_by_the_usable_balance(player_client, user):
    funded_wallet(user, "50.00")
    link_bank(user)

    response = player_client.post(WITHDRAW_URL, {"amount": "50.00"}, follow=True)

    assert response.status_code == 200
    assert 'class="toast toast-error"' in response.content.decode()
    assert not Withdrawal.objects.exists()
    assert balances_of(user) == (Decimal("50.00"), Decimal("50.00"), Decimal("0.00"))


def test_withdrawals_share_the_money_rate_limit(player_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "money": "2/m"}
    funded_wallet(user, "100.00")
    link_bank(user)

    statuses = [player_client.post(WITHDRAW_URL, {"amount": "10.00"}).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert Withdrawal.objects.filter(user=user).count() == 2


def test_posts_without_a_csrf_token_are_refused(user):
    funded_wallet(user, "100.00")
    link_bank(user)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    withdraw = client.post(WITHDRAW_URL, {"amount": "20.00"})
    bank = client.post(
        BANK_URL, {"bank_name": "RHB", "account_number": "1111222233334444", "account_holder_name": "Mallory"}
    )

    assert (withdraw.status_code, bank.status_code) == (403, 403)
    assert not Withdrawal.objects.exists()
    assert Wallet.objects.get(owner=user).bank_name == "Maybank"


def test_the_pages_csrf_token_is_what_its_script_sends_to_the_top_up_api(user):
    require_localstripe()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get(WALLET_URL).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = {"amount": "25.00"}

    without = client.post(TOPUPS_API, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    with_token = client.post(
        TOPUPS_API, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2", HTTP_X_CSRFTOKEN=token
    )

    assert without.status_code == 403
    assert without.json()["code"] == "permission_denied"
    assert with_token.status_code == 201
    assert with_token.json()["client_secret"].startswith(with_token.json()["payment_intent_id"])
    assert TopUp.objects.filter(user=user).count() == 1


def test_forms_only_accept_post(player_client):
    assert player_client.get(WITHDRAW_URL).status_code == 405
    assert player_client.get(BANK_URL).status_code == 405


def test_another_players_bank_account_and_withdrawals_are_never_shown(player_client, user):
    other = UserFactory()
    funded_wallet(other, "300.00")
    # (a bank name the top-up form's FPX list does not show anyway)
    bank_account_set(
        user=other, bank_name="Bank Simpanan Nasional", account_number="9988776655", account_holder_name="Other"
    )
    withdrawal_request(user=other, amount=Decimal("123.00"), ip="127.0.0.1", user_agent="test")

    page = player_client.get(WALLET_URL).content.decode()

    assert "Bank Simpanan Nasional" not in page
    assert "6655" not in page
    assert "RM 123.00" not in page
    assert "No withdrawals yet." in page
