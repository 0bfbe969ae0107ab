"""A player's money in a real browser against real servers: a card top-up through Stripe.js
(localstripe's stand-in) and the signed webhook, a bank account, a withdrawal, and a staff
member approving it in Django admin so that the fake bank pays it out.
"""

import pytest
from django.conf import global_settings
from django.contrib.auth.models import Permission
from django.test import override_settings
from playwright.sync_api import expect

from tests.e2e.helpers import WEBHOOK_WAIT_MS, log_in, type_card
from tests.factories import TEST_PASSWORD, UserFactory
from tests.wallet.bank_support import ACCOUNT_NUMBER
from wallet.models import LedgerEntry, TopUp, Withdrawal

pytestmark = pytest.mark.browser


@pytest.fixture
def asgi_server(stripe_server, fake_bank):
    """conftest's server, paying withdrawals into the session's fake bank (none paid yet) and
    registered as localstripe's webhook."""
    return stripe_server


def top_up_on_the_page(page, player, amount: str, *, authentication: str) -> None:
    """Type the amount and a 3-D Secure test card, press Top up, then answer the 3-D Secure prompt.

    All in the browser: the page's Stripe.js (localstripe's, completed by static/js/localstripe-card.js)
    attaches the card and asks for 3-D Secure."""
    page.get_by_label("Amount (RM)").fill(amount)
    type_card(page, postal_code="50000")
    page.get_by_role("button", name="Top up").click()
    prompt = page.get_by_role("button", name=authentication)
    expect(prompt).to_be_visible()
    prompt.click()


@pytest.mark.django_db(transaction=True)
def test_top_up_by_card_withdraw_and_see_it_paid_after_staff_approval(asgi_server, browser_page, fake_bank):
    page = browser_page
    player = UserFactory(username="siti_nur")
    with override_settings(PASSWORD_HASHERS=global_settings.PASSWORD_HASHERS):
        # the cashier logs in through Django admin's form: the server only knows the project's hashers
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
    log_in(page, asgi_server, player, "/wallet/")
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
    expect(toasts).to_contain_text("You have logged out.")
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
    # (the staff session is over before hers starts)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Log in")).to_be_visible()
    log_in(page, asgi_server, player, "/wallet/")

    # then the withdrawal is completed and the money has left the wallet
    expect(page.locator("#withdrawals")).to_contain_text("Completed")
    expect(balance("current_balance")).to_have_text("RM 29.00")
    expect(balance("usable_balance")).to_have_text("RM 29.00")
    expect(balance("pending_balance")).to_have_text("RM 0.00")
    paid = page.locator("#history tr", has_text=f"Withdrawal #{withdrawal.pk}: RM 20.00 paid to Maybank ••••9012")
    expect(paid).to_contain_text("\u2212RM 20.00 from held")  # a minus sign: taken from the held money


@pytest.mark.django_db(transaction=True)
def test_a_failed_card_authentication_shows_an_error_and_credits_nothing(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="aiman")
    log_in(page, asgi_server, player, "/wallet/")

    top_up_on_the_page(page, player, "30.00", authentication="Fail authentication")

    expect(page.get_by_role("alert")).to_contain_text("You have not been charged.")
    expect(page.get_by_role("button", name="Top up")).to_be_enabled()
    expect(page.locator('.balance-amount[data-balance="current_balance"]')).to_have_text("RM 0.00")
    assert TopUp.objects.get(user=player).status == TopUp.Status.PENDING
    assert not LedgerEntry.objects.filter(wallet__owner=player).exists()


@pytest.mark.django_db(transaction=True)
def test_a_card_without_3d_secure_is_credited_without_a_prompt(asgi_server, browser_page):
    page = browser_page
    player = UserFactory(username="mei_ling")
    log_in(page, asgi_server, player, "/wallet/")

    page.get_by_label("Amount (RM)").fill("12.50")
    type_card(page, postal_code="10000", number="4242424242424242")
    page.get_by_role("button", name="Top up").click()

    expect(page.locator('.balance-amount[data-balance="current_balance"]')).to_have_text(
        "RM 12.50", timeout=WEBHOOK_WAIT_MS
    )
    assert TopUp.objects.get(user=player).status == TopUp.Status.SUCCEEDED
