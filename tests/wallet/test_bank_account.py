"""POST /wallet/bank-account, encryption at rest, key rotation and the deploy checks."""

import logging
from io import StringIO

import pytest
from cryptography.fernet import Fernet
from django.core import mail
from django.core.checks import run_checks
from django.core.management import call_command
from django.test import Client

from driftwood.core import crypto
from driftwood.core.exceptions import DomainError
from tests.conftest import bearer_client
from tests.factories import UserFactory, funded_wallet
from tests.wallet.bank_support import ACCOUNT_NUMBER, BANK_SETTLED
from wallet.models import Wallet, Withdrawal
from wallet.services.balances import wallet_get_or_create
from wallet.services.bank_accounts import bank_account_number, bank_account_set, encryption_keys_rotate

pytestmark = pytest.mark.django_db
URL = "/api/v1/wallet/bank-account"
VALID = {"bank_name": "Maybank", "account_number": ACCOUNT_NUMBER, "account_holder_name": "Ali Bin Abu"}


def test_linking_returns_only_the_last_four_digits_and_stores_a_token(jwt_client, user):
    response = jwt_client.post(URL, VALID, format="json")

    assert response.status_code == 200
    assert response.json() == {"success": True, "bank_name": "Maybank", "bank_last4": "9012"}
    wallet = Wallet.objects.get(owner=user)
    assert (wallet.has_bank_account, wallet.bank_last4, wallet.account_holder_name) == (True, "9012", "Ali Bin Abu")
    assert wallet.bank_account_changed_at is not None
    assert ACCOUNT_NUMBER not in wallet.bank_account_number_encrypted
    assert bank_account_number(wallet=wallet) == ACCOUNT_NUMBER


def test_the_holder_name_is_trimmed_and_the_trailing_slash_is_optional(jwt_client, user):
    response = jwt_client.post(URL + "/", {**VALID, "account_holder_name": "  Siti Aminah  "}, format="json")

    assert response.status_code == 200
    assert Wallet.objects.get(owner=user).account_holder_name == "Siti Aminah"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("account_number", "123456789"),  # 9 digits
        ("account_number", "1234567890123456789"),  # 19 digits
        ("account_number", "12345-67890"),
        ("account_number", ""),
        ("account_holder_name", "Ali 2"),
        ("account_holder_name", "   "),
        ("account_holder_name", "Ali_Abu"),
        ("bank_name", ""),
        ("bank_name", "x" * 256),
    ],
)
def test_invalid_details_are_refused_and_nothing_changes(jwt_client, user, field, value):
    response = jwt_client.post(URL, {**VALID, field: value}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"]
    assert not Wallet.objects.filter(owner=user, has_bank_account=True).exists()


def test_missing_fields_are_refused(jwt_client):
    response = jwt_client.post(URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"bank_name", "account_number", "account_holder_name"}


def test_linking_needs_authentication(api_client):
    response = api_client.post(URL, VALID, format="json")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_service_enforces_the_rules_for_every_caller(user):
    with pytest.raises(DomainError) as refused:
        bank_account_set(user=user, bank_name="Maybank", account_number="12ab", account_holder_name="Ali")

    assert refused.value.errors == {"account_number": ["Enter 10 to 18 digits."]}


@pytest.mark.django_db(transaction=True)  # the cached summary is replaced on commit
def test_the_wallet_summary_shows_the_new_account_at_once(jwt_client, user):
    assert jwt_client.get("/api/v1/wallet").json()["has_bank_account"] is False  # now cached

    jwt_client.post(URL, VALID, format="json")
    first = jwt_client.get("/api/v1/wallet").json()
    jwt_client.post(URL, {**VALID, "bank_name": "CIMB", "account_number": "8000000000004321"}, format="json")
    second = jwt_client.get("/api/v1/wallet").json()

    assert (first["has_bank_account"], first["bank_name"], first["bank_last4"]) == (True, "Maybank", "9012")
    assert (second["bank_name"], second["bank_last4"], second["account_holder_name"]) == ("CIMB", "4321", "Ali Bin Abu")


def test_the_full_number_never_appears_in_responses_pages_admin_logs_mail_or_errors(
    caplog, fake_bank, eager_mail, django_capture_on_commit_callbacks
):
    # given a player and a staff member, with every logger recording at DEBUG
    caplog.set_level(logging.DEBUG)
    player, staff = UserFactory(), UserFactory(is_staff=True, is_superuser=True)
    funded_wallet(player, "500.00")
    player_api, staff_api = bearer_client(player), bearer_client(staff)
    seen: list[str] = []

    # when the player links the account, withdraws, and staff list and approve it
    with django_capture_on_commit_callbacks(execute=True):
        seen.append(player_api.post(URL, VALID, format="json").content.decode())
    Wallet.objects.filter(owner=player).update(
        bank_account_changed_at=Wallet.objects.get(owner=player).created_at - BANK_SETTLED
    )
    with django_capture_on_commit_callbacks(execute=True):
        created = player_api.post("/api/v1/wallet/withdrawal", {"amount": "100.00"}, format="json")
        seen.append(created.content.decode())
    withdrawal_id = created.json()["withdrawal_id"]
    seen.append(staff_api.get("/api/v1/admin/withdrawals").content.decode())
    with django_capture_on_commit_callbacks(execute=True):
        approved = staff_api.post(f"/api/v1/admin/withdrawals/{withdrawal_id}/approve", {}, format="json")
        seen.append(approved.content.decode())
    seen.append(player_api.get("/api/v1/wallet").content.decode())
    seen.append(player_api.get("/api/v1/wallet/transactions").content.decode())
    # and looks at the pages and the admin screens
    player_browser, staff_browser = _browser(player), _browser(staff)
    seen.append(player_browser.get("/wallet/").content.decode())
    wallet_id = Wallet.objects.get(owner=player).pk
    for path in (
        "/admin/wallet/wallet/",
        f"/admin/wallet/wallet/{wallet_id}/change/",
        "/admin/wallet/withdrawal/",
        f"/admin/wallet/withdrawal/{withdrawal_id}/change/",
        "/admin/wallet/ledgerentry/",
    ):
        page = staff_browser.get(path)
        assert page.status_code == 200, path
        seen.append(page.content.decode())
    # and errors are raised by the service and by decryption with the wrong key
    with pytest.raises(DomainError) as too_long:
        bank_account_set(
            user=player, bank_name="Maybank", account_number=ACCOUNT_NUMBER + "999", account_holder_name="Ali"
        )
    seen.append(str(too_long.value) + repr(too_long.value.errors))
    seen.append(
        player_api.post(URL, {**VALID, "account_number": ACCOUNT_NUMBER + "999"}, format="json").content.decode()
    )

    # then the payout really happened with the full number, yet it is nowhere else
    assert approved.json()["status"] == Withdrawal.Status.COMPLETED
    assert [payout["account_number"] for payout in fake_bank.payouts()] == [ACCOUNT_NUMBER]
    seen.extend(f"{message.subject}\n{message.body}" for message in mail.outbox)
    assert len(mail.outbox) == 1
    assert caplog.records, "nothing was logged at all"
    seen.append(caplog.text)
    for text in seen:
        assert ACCOUNT_NUMBER not in text
        assert ACCOUNT_NUMBER[:-4] not in text  # not even the part that is never shown
    assert "9012" in seen[0]


def _browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_decrypting_with_the_wrong_keys_fails_without_revealing_anything(settings):
    token = crypto.encrypt(ACCOUNT_NUMBER)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.DecryptionFailed) as failed:
        crypto.decrypt(token)

    assert ACCOUNT_NUMBER not in str(failed.value)
    assert token not in str(failed.value)


def test_rotation_re_encrypts_every_number_with_the_newest_key(settings):
    # given two accounts encrypted with the old key
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    first, second = UserFactory(), UserFactory()
    bank_account_set(user=first, bank_name="Maybank", account_number=ACCOUNT_NUMBER, account_holder_name="Ali")
    bank_account_set(user=second, bank_name="CIMB", account_number="7000000000001111", account_holder_name="Siti")
    wallet_get_or_create(user=UserFactory())  # a wallet without a bank account is left alone
    before = dict(
        Wallet.objects.exclude(bank_account_number_encrypted="").values_list("pk", "bank_account_number_encrypted")
    )

    # when the new key is put first and the command runs
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    # then every token changed, and the new key alone opens them
    assert "Re-encrypted 2 bank account number(s)" in out.getvalue()
    after = dict(
        Wallet.objects.exclude(bank_account_number_encrypted="").values_list("pk", "bank_account_number_encrypted")
    )
    assert set(after) == set(before)
    assert all(after[pk] != before[pk] for pk in before)
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    assert bank_account_number(wallet=Wallet.objects.get(owner=first)) == ACCOUNT_NUMBER
    assert bank_account_number(wallet=Wallet.objects.get(owner=second)) == "7000000000001111"
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(before[Wallet.objects.get(owner=first).pk])


def test_rotation_refuses_tokens_no_key_opens(settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    bank_account_set(user=UserFactory(), bank_name="Maybank", account_number=ACCOUNT_NUMBER, account_holder_name="Ali")
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(crypto.DecryptionFailed):
        encryption_keys_rotate()


def _wallet_deploy_errors() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True) if message.id.startswith("wallet.")}


def test_deploy_check_refuses_the_development_secrets(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode(), settings.DEV_FIELD_ENCRYPTION_KEY]
    settings.BANK_API_KEY = "bank-dev-key"

    assert _wallet_deploy_errors() == {"wallet.E001", "wallet.E002"}


def test_deploy_check_accepts_real_secrets(settings):
    settings.DEBUG = False
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    settings.BANK_API_KEY = "a-real-bank-key"

    assert _wallet_deploy_errors() == set()
