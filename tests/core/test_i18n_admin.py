"""Django admin in the staff member's language: model names, field labels, list columns and filters
come from the models' translated verbose names, ledger rows are described in that language."""

from decimal import Decimal

import pytest
from django.test import Client

from driftwood.core.stored_text import StoredText
from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.wallet.bank_support import ready_to_withdraw
from tournaments.services.refunds import refund_text
from tournaments.services.registrations import registration_join
from wallet.models import LedgerEntry
from wallet.services.balances import wallet_get_or_create
from wallet.services.card_refunds import card_refund_request
from wallet.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db


def _staff_client(language: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(language=language, is_staff=True, is_superuser=True))
    return client


def _rows():
    player = UserFactory()
    ready_to_withdraw(player, "100.00")
    withdrawal = withdrawal_request(user=player, amount=Decimal("20.00"), ip=None, user_agent="test")
    event = EventFactory(name="Piala Merdeka", entry_fee=Decimal("10.00"))
    funded_wallet(player, "10.00")
    registration_join(event_id=event.pk, user=player, payment_method="wallet")
    return withdrawal, event


def test_a_malay_staff_member_reads_model_and_field_names_in_malay():
    # given a withdrawal and a paid entry
    withdrawal, event = _rows()
    staff = _staff_client("ms")

    # when a Malay-reading staff member opens the admin's index, lists and change forms
    index = staff.get("/admin/").content.decode()
    withdrawals = staff.get("/admin/wallet/withdrawal/").content.decode()
    change = staff.get(f"/admin/wallet/withdrawal/{withdrawal.pk}/change/").content.decode()
    event_form = staff.get(f"/admin/tournaments/event/{event.pk}/change/").content.decode()
    ledger = staff.get("/admin/wallet/ledgerentry/").content.decode()

    # then models, columns, filters and labels are in Malay
    for name in ("Pengeluaran", "Catatan lejar", "Transaksi lejar", "Tambah nilai", "Kejohanan", "Pertikaian"):
        assert f">{name}</a>" in index, name
    assert "Pilih pengeluaran untuk lihat" in withdrawals
    assert "Dicipta pada" in withdrawals and "Created at" not in withdrawals
    assert "Nama bank:" in change and "Alamat IP permintaan:" in change and "Ejen pengguna:" in change
    assert "Kumpulan hadiah" in event_form and "Yuran penyertaan" in event_form and "Prize pool" not in event_form
    # and ledger rows are described in Malay too
    assert f"Pengeluaran #{withdrawal.pk}: RM 20.00 + yuran RM 1.00 ditahan" in ledger
    assert "Yuran penyertaan: Piala Merdeka" in ledger


def test_an_english_staff_member_reads_the_same_screens_in_english():
    withdrawal, _event = _rows()
    staff = _staff_client("en")

    index = staff.get("/admin/").content.decode()
    change = staff.get(f"/admin/wallet/withdrawal/{withdrawal.pk}/change/").content.decode()
    ledger = staff.get("/admin/wallet/ledgerentry/").content.decode()

    assert ">Withdrawals</a>" in index and ">Ledger entries</a>" in index and ">Top-ups</a>" in index
    assert "Bank name:" in change and "IP address of the request:" in change
    hold = LedgerEntry.objects.get(transaction_type="hold")
    assert hold.description in ledger


def test_a_card_refund_owed_reads_in_the_staff_members_language():
    # given a card refund owed for a cancelled event (its sending waits for a commit that never comes here)
    player = UserFactory()
    refund = card_refund_request(
        source=None,
        payer_wallet=wallet_get_or_create(user=player),
        payment_intent_id="pi_cancelled",
        amount=Decimal("10.00"),
        idempotency_key="registration-1-refund",
        description=refund_text("stripe", StoredText("%(event)s was cancelled", event="Liga Pantai")),
        metadata={"event_id": 1},
    )

    malay = _staff_client("ms").get(f"/admin/wallet/cardrefund/{refund.pk}/change/").content.decode()
    english = _staff_client("en").get(f"/admin/wallet/cardrefund/{refund.pk}/change/").content.decode()

    assert refund.description == "Card refund: Liga Pantai was cancelled"
    assert "Bayaran balik ke kad: Liga Pantai dibatalkan" in malay and "Keterangan:" in malay
    assert "Card refund: Liga Pantai was cancelled" in english
