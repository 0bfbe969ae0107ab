"""Ledger descriptions in the reader's language: each new row keeps its parts (metadata "text"), so
the wallet page and `GET /wallet/transactions` word it in Malay for a Malay reader and exactly as
stored for an English one; a row from before (no parts) shows its stored sentence."""

from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory
from tests.tournaments.test_results_payout import finish, published_event
from tests.wallet.bank_support import ready_to_withdraw
from tests.wallet.stripe_support import charge, deliver, event, payment_intent, pending_topup
from tournaments.services.events import event_cancel
from tournaments.services.registrations import registration_join, registration_leave
from tournaments.services.results import event_results_pay
from wallet.models import LedgerEntry
from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit, wallet_get_or_create
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request

pytestmark = pytest.mark.django_db
TRANSACTIONS = "/api/v1/wallet/transactions"


def _history(player) -> dict:
    """Every kind of row a player's wallet gets, through the services that write them."""
    ready_to_withdraw(player, "100.00")
    topup = pending_topup(player, "30.00")
    webhook = Client()
    deliver(webhook, event("payment_intent.succeeded", payment_intent(topup)))
    deliver(webhook, event("charge.refunded", charge(topup, amount_refunded="5.00")))
    left = EventFactory(name="Piala Merdeka", entry_fee=Decimal("10.00"))
    registration_join(event_id=left.pk, user=player, payment_method="wallet")
    registration_leave(event_id=left.pk, user=player)
    cancelled = EventFactory(name="Liga Pantai", entry_fee=Decimal("10.00"))
    registration_join(event_id=cancelled.pk, user=player, payment_method="wallet")
    event_cancel(event_id=cancelled.pk, actor=cancelled.organizer)
    won = published_event(prize_pool="50.00", distribution=[100], fee="0.00", name="Kejohanan Kota")
    registration_join(event_id=won.pk, user=player)
    finish(won, [1])
    event_results_pay(event_id=won.pk)
    staff = UserFactory(is_staff=True)
    paid = withdrawal_request(user=player, amount=Decimal("20.00"), ip=None, user_agent="test")
    withdrawal_approve(withdrawal_id=paid.pk, staff=staff)
    refused = withdrawal_request(user=player, amount=Decimal("10.00"), ip=None, user_agent="test")
    withdrawal_reject(withdrawal_id=refused.pk, staff=staff, reason="Name does not match")
    return {"topup": topup.pk, "paid": paid.pk, "refused": refused.pk}


def _malay_rows(ids: dict) -> list[str]:
    return [
        f"Tambah nilai kad #{ids['topup']}",
        f"Bayaran balik ke kad bagi tambah nilai #{ids['topup']}",
        "Yuran penyertaan: Piala Merdeka",
        "Bayaran balik: Piala Merdeka",
        "Bayaran balik: Liga Pantai dibatalkan",
        "Hadiah tempat ke-1 dalam Kejohanan Kota",
        f"Pengeluaran #{ids['paid']}: RM 20.00 + yuran RM 1.00 ditahan",
        f"Yuran pengeluaran #{ids['paid']}",
        f"Pengeluaran #{ids['paid']}: RM 20.00 dibayar ke Maybank ••••9012",
        f"Pengeluaran #{ids['refused']}: RM 10.00 + yuran RM 1.00 ditahan",
        f"Pengeluaran #{ids['refused']} ditolak: RM 11.00 dikembalikan",
    ]


def test_a_malay_player_reads_every_kind_of_row_in_malay_on_the_page_and_in_the_api(fake_bank):
    # given a Malay-reading player with top-ups, entry fees, refunds, a prize and withdrawals
    player = UserFactory(language="ms", email_verified_at=timezone.now())
    malay = _malay_rows(_history(player))

    # when they read their wallet page and the transactions API (their stored language)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    browser.force_login(player)
    page = browser.get("/wallet/", {"limit": 50}).content.decode()
    api = bearer_client(player).get(TRANSACTIONS, {"limit": 50}).json()["results"]

    # then every row is in Malay, the page's and the API's alike, and nothing else is left in English
    described = [row["description"] for row in api]
    for text in malay:
        assert text in described, text
        assert text in page, text
    assert described.count("Test funds") == 1  # what a row was given as plain text stays as it is
    assert not any(row.startswith(("Withdrawal", "Refund", "Entry fee", "Prize", "Card")) for row in described)
    # and the API keeps its contract
    assert set(api[0]) == {"id", "transaction_type", "amount", "balance_after", "description", "created_at"}


def test_english_readers_get_the_stored_sentence_and_accept_language_picks_the_language(fake_bank):
    # given a Malay-reading player's history
    player = UserFactory(language="ms", email_verified_at=timezone.now())
    malay = _malay_rows(_history(player))
    client = bearer_client(player)

    # when the app asks in English, then in Malay
    english = client.get(TRANSACTIONS, {"limit": 50}, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    in_malay = client.get(TRANSACTIONS, {"limit": 50}, HTTP_ACCEPT_LANGUAGE="ms").json()["results"]

    # then English is each row's stored sentence, word for word, and Malay the same rows in Malay
    stored = dict(LedgerEntry.objects.filter(wallet__owner=player).values_list("pk", "description"))
    assert {row["id"]: row["description"] for row in english} == stored
    assert "Prize for place 1 in Kejohanan Kota" in stored.values()
    assert set(malay) <= {row["description"] for row in in_malay}
    # and once the player switches to English, the wallet page shows the stored sentences
    player.language = "en"
    player.save(update_fields=["language"])
    browser = Client()
    browser.force_login(player)
    page = browser.get("/wallet/").content.decode()
    assert "Refund: Liga Pantai was cancelled" in page and "Prize for place 1 in Kejohanan Kota" in page
    assert "Bayaran balik" not in page


def test_a_row_from_before_without_its_parts_shows_its_stored_sentence():
    # given a prize row written before rows kept their parts (only ids in its metadata)
    player = UserFactory(language="ms")
    wallet_credit(
        wallet=wallet_get_or_create(user=player),
        amount=Decimal("25.00"),
        source=system_account(ADJUSTMENTS),
        transaction_type=LedgerEntry.Type.PRIZE,
        description="Prize for place 2 in Old Cup",
        metadata={"event_id": 1, "place": 2},
    )
    browser = Client()
    browser.force_login(player)

    # when the Malay player reads it
    page = browser.get("/wallet/").content.decode()
    [row] = bearer_client(player).get(TRANSACTIONS).json()["results"]

    # then it reads as it was stored, on a page otherwise in Malay
    assert row["description"] == "Prize for place 2 in Old Cup"
    assert "Prize for place 2 in Old Cup" in page and "Dompet anda" in page
