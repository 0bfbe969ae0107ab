"""Django admin in the staff member's language: model names, field labels, list columns and filters
come from the models' translated verbose names, ledger rows are described in that language."""

from decimal import Decimal

import pytest
from django.test import Client

from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.wallet.bank_support import ready_to_withdraw
from tournaments.services.registrations import registration_join
from wallet.models import LedgerEntry
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
