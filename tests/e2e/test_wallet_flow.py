"""A player's money in a real browser against real servers: a card top-up through Stripe.js
(localstripe's stand-in) and the signed webhook, a bank account, a withdrawal, and a staff
member approving it in Django admin so that the fake bank pays it out.
"""

import httpx
import pytest
from django.conf import global_settings, settings
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from tests import services
from tests.factories import TEST_PASSWORD, UserFactory
from tests.wallet.bank_support import FakeBank
from tests.wallet.stripe_support import WEBHOOK_URL, require_localstripe, stripe_client
from wallet.models import LedgerEntry, TopUp, Withdrawal

pytestmark = pytest.mark.browser

# The API end-to-end tests register under the same id: re-registering replaces the URL, so
# localstripe never keeps posting events to a server that has already stopped.
WEBHOOK_ENDPOINT_ID = "driftwood"
THREE_D_SECURE_CARD = "4000002760003184"
ACCOUNT_NUMBER = "5140123456789012"
WEBHOOK_WAIT_MS = 20_000


@pytest.fixture
def fake_bank():
    bank = FakeBank()
    yield bank
    bank.stop()


@pytest.fixture
def asgi_server(transactional_db, fake_bank):
    """conftest's server, paying withdrawals into the fake bank and registered as localstripe's webhook."""
    localstripe = require_localstripe()
    process, url = services.start_daphne(
        STATIC_MANIFEST="false",
        DJANGO_ALLOW_ASYNC_UNSAFE="",
        STRIPE_API_BASE=localstripe,
        BANK_API_URL=fake_bank.url,
        BANK_API_KEY=fake_bank.api_key,
    )
    try:
        httpx.post(
            f"{localstripe}/_config/webhooks/{WEBHOOK_ENDPOINT_ID}",
            data={"url": f"{url}{WEBHOOK_URL}", "secret": settings.STRIPE_WEBHOOK_SECRET},
        ).raise_for_status()
        yield url
    finally:
        services.stop(process)


@pytest.fixture
def server_password_hashers(settings):
    """Users made here log in on the server, which does not know the tests' fast MD5 hasher."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS


def stripe_js_attaches_the_card(payment_intent_id: str, number: str) -> None:
    """The part of Stripe.js's confirmCardPayment that localstripe's stand-in leaves out.

    Real Stripe.js turns the card typed into the element into a PaymentMethod and confirms
    the intent with it; localstripe's script only performs the 3-D Secure step after that
    (its modal), and its server refuses a publishable key for the first two calls. So the
    test makes those calls for the browser, with the card number the player typed.
    """
    card_holder = stripe_client()
    method = card_holder.v1.payment_methods.create(
        params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    card_holder.v1.payment_intents.update(payment_intent_id, params={"payment_method": method.id})
    assert card_holder.v1.payment_intents.confirm(payment_intent_id).status == "requires_action"


def top_up_on_the_page(page, player, amount: str, *, authentication: str) -> None:
    """Type the amount and a 3-D Secure test card, press Top up, then answer the 3-D Secure prompt."""
    page.get_by_label("Amount (RM)").fill(amount)
    card = page.get_by_role("group", name="Card details")
    card.get_by_placeholder("number").fill(THREE_D_SECURE_CARD)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    card.get_by_placeholder("postal_code").fill("50000")
    page.get_by_role("button", name="Top up").click()
    prompt = page.get_by_role("button", name=authentication)
    expect(prompt).to_be_visible()
    stripe_js_attaches_the_card(TopUp.objects.get(user=player).payment_intent_id, THREE_D_SECURE_CARD)
    prompt.click()


def log_in_as_player(page, server: str, username: str) -> None:
    page.goto(f"{server}/accounts/login/?next=/wallet/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{server}/wallet/")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("server_password_hashers")
def test_top_up_by_card_withdraw_and_see_it_paid_after_staff_approval(asgi_server, browser_page, fake_bank):
    page = browser_page
    player = UserFactory(username="siti_nur")
    cashier = UserFactory(username="cashier", is_staff=True)
    cashier.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="wallet", codename__in=["view_withdrawal", "change_withdrawal"]
        )
    )

    def balance(name: str):
        return page.locator(f'.balance-amount[data-balance="{name}"]')

    toasts = page.locator(".toasts")

    # given the player, logged in, on an empty wallet
    log_in_as_player(page, asgi_server, "siti_nur")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your wallet")
    expect(balance("current_balance")).to_have_text("RM 0.00")

    # when they top up RM 50 with a card that asks for 3-D Secure, and complete it
    top_up_on_the_page(page, player, "50.00", authentication="Complete authentication")

    # then Stripe's webhook credits the wallet and the page shows it without a reload
    status = page.locator("[data-topup-status]")
    expect(status).to_have_text("RM 50.00 added to your wallet.", timeout=WEBHOOK_WAIT_MS)
    expect(balance("current_balance")).to_have_text("RM 50.00")
    expect(balance("usable_balance")).to_have_text("RM 50.00")
    expect(page.locator("#history")).to_contain_text("Card top-up #")

    # when they link a bank account
    bank = page.locator("#bank")
    bank.get_by_label("Bank", exact=True).fill("Maybank")
    bank.get_by_label("Account number").fill(ACCOUNT_NUMBER)
    bank.get_by_label("Account holder name").fill("Siti Nur")
    bank.get_by_role("button", name="Link bank account").click()

    # then only its last four digits are shown
    expect(toasts).to_contain_text("Bank account Maybank •••• 9012 linked.")
    expect(page.locator("#bank")).to_contain_text("•••• 9012")
    assert ACCOUNT_NUMBER not in page.content()

    # when they withdraw RM 20 (held for review: the account was linked a moment ago)
    page.get_by_label("Amount to withdraw (RM)").fill("20.00")
    page.get_by_role("button", name="Request withdrawal").click()

    # then amount + fee wait as pending
    expect(toasts).to_contain_text("Withdrawal of RM 20.00 requested.")
    expect(balance("usable_balance")).to_have_text("RM 29.00")
    expect(balance("pending_balance")).to_have_text("RM 21.00")
    expect(page.locator("#withdrawals")).to_contain_text("Held for review")
    withdrawal = Withdrawal.objects.get(user=player)

    # when a staff member logs in to Django admin and approves it, with an override reason
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Log out").click()
    page.goto(f"{asgi_server}/admin/wallet/withdrawal/")
    page.get_by_label("Username").fill("cashier")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    row = page.get_by_role("row").filter(has_text="siti_nur")
    expect(row).to_contain_text("The bank account was changed within 24 hours before it.")
    row.get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(
        label="Approve selected withdrawals (pay out to the bank)"
    )
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_role("heading", name="Approve 1 withdrawal?")).to_be_visible()
    page.get_by_label("Override reason").fill("Player confirmed the new account by phone.")
    page.get_by_role("button", name="Yes, approve").click()

    # then the bank is paid once
    expect(page.locator(".messagelist")).to_contain_text(
        f"Withdrawal #{withdrawal.pk} approved: RM 20.00 paid out to Maybank •••• 9012."
    )
    assert [(payout["reference"], payout["amount"]) for payout in fake_bank.payouts()] == [
        (str(withdrawal.pk), "20.00")
    ]

    # when the player comes back to their wallet
    page.get_by_role("button", name="Log out").click()
    log_in_as_player(page, asgi_server, "siti_nur")

    # then the withdrawal is completed and the money has left the wallet
    expect(page.locator("#withdrawals")).to_contain_text("Completed")
    expect(balance("current_balance")).to_have_text("RM 29.00")
    expect(balance("usable_balance")).to_have_text("RM 29.00")
    expect(balance("pending_balance")).to_have_text("RM 0.00")
    expect(page.locator("#history")).to_contain_text(f"Withdrawal #{withdrawal.pk} paid to Maybank •••• 9012")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("server_password_hashers")
def test_a_failed_card_authentication_shows_an_error_and_credits_nothing(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="aiman")
    log_in_as_player(page, asgi_server, "aiman")

    top_up_on_the_page(page, player, "30.00", authentication="Fail authentication")

    expect(page.get_by_role("alert")).to_contain_text("You have not been charged.")
    expect(page.get_by_role("button", name="Top up")).to_be_enabled()
    expect(page.locator('.balance-amount[data-balance="current_balance"]')).to_have_text("RM 0.00")
    assert TopUp.objects.get(user=player).status == TopUp.Status.PENDING
    assert not LedgerEntry.objects.filter(wallet__owner=player).exists()
