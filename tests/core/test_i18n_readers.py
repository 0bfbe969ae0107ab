"""Texts written for someone else come out in that reader's language, whoever caused them: staff
alerts in each staff member's, WebSocket error frames in the socket user's, and the reasons inside
players' notices (waitlist, withdrawals, disputes), so that a Malay notice is Malay throughout."""

from datetime import timedelta
from decimal import Decimal

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from chat.push import message_pushes
from chat.services import message_post, room_for
from driftwood.asgi import application
from driftwood.core.times import malaysia_time
from driftwood.core.websocket import UNAVAILABLE_MESSAGE, error_frame, socket_language
from driftwood.notifications.models import Notification
from social.services import report_create
from tests.chat.sockets import (
    SAME_ORIGIN,
    communicator,
    dm_pair,
    fakes,  # noqa: F401 - fixture
)
from tests.conftest import bearer_client
from tests.core.sockets import socket_db  # noqa: F401 - fixture
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tests.wallet.bank_support import ready_to_withdraw
from tournaments.brackets.services.matches import dispute_open, match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.models import Match
from tournaments.services.events import event_cancel, registrations_close_due
from tournaments.services.registrations import registration_join, registration_leave
from wallet.models import Withdrawal
from wallet.notices import withdrawal_outcome
from wallet.reconciliation import wallet_reconcile_and_alert
from wallet.services.payouts import withdrawals_stuck_alert
from wallet.services.withdrawals import withdrawal_reject, withdrawal_request

pytestmark = pytest.mark.django_db
TIMEOUT = 5


def staff_pair():
    """Two staff members: one who reads Malay, one who never chose (English)."""
    return UserFactory(is_staff=True, language="ms"), UserFactory(is_staff=True, language="")


def requested_withdrawal(player) -> Withdrawal:
    ready_to_withdraw(player, "100.00")
    return withdrawal_request(user=player, amount=Decimal("50.00"), ip=None, user_agent="test")


# --- Staff alerts: one row per staff member, in their language


def test_a_malay_staff_member_reads_the_stuck_withdrawal_alert_in_malay():
    malay, english = staff_pair()
    player = UserFactory(username="ali")
    withdrawal = requested_withdrawal(player)
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status=Withdrawal.Status.PROCESSING,
        processing_since=timezone.now() - timedelta(minutes=61),
        payout_attempts=3,
        last_payout_error="HTTP 503",
    )
    withdrawal.refresh_from_db()

    with translation.override("en"):  # the beat's sweep runs in the default language
        assert withdrawals_stuck_alert() == [withdrawal.pk]

    in_malay = Notification.objects.get(user=malay, kind="withdrawal_processing_stuck")
    in_english = Notification.objects.get(user=english, kind="withdrawal_processing_stuck")
    with translation.override("ms"):
        since_ms = malaysia_time(withdrawal.processing_since)
    since_en = malaysia_time(withdrawal.processing_since)
    assert in_malay.title == f"Pengeluaran #{withdrawal.pk}: bank tidak menjawab selama lebih sejam"
    assert in_malay.body == (
        f"RM 50.00 kepada ali (Maybank ••••9012) masih diproses sejak {since_ms} selepas 3 percubaan. "
        "Ralat terakhir: HTTP 503. Jumlahnya kekal tertunda; percubaan semula diteruskan."
    )
    assert in_english.title == f"Withdrawal #{withdrawal.pk}: the bank has not answered for over an hour"
    assert in_english.body == (
        f"RM 50.00 to ali (Maybank ••••9012) has been processing since {since_en} after 3 attempt(s). "
        "Last error: HTTP 503. The total stays pending; retries go on."
    )


def test_the_reconciliation_alert_is_in_each_staff_members_language():
    malay, english = staff_pair()
    wallet = funded_wallet(UserFactory(), "10.00")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE wallet_wallet SET usable_balance = 20, current_balance = 20 WHERE id = %s", [wallet.pk])

    with translation.override("en"):
        report = wallet_reconcile_and_alert()

    assert len(report.problems) == 2
    in_malay = Notification.objects.get(user=malay, kind="wallet_reconcile_failed")
    in_english = Notification.objects.get(user=english, kind="wallet_reconcile_failed")
    assert in_malay.title == "Penyesuaian dompet menemui 2 perbezaan"
    assert in_malay.body.splitlines() == [
        f"dompet {wallet.reference}: jumlah lejar boleh guna 10.00 / tertunda 0.00, tersimpan 20.00 / 0.00",
        f"dompet {wallet.reference}: baris lejar terakhir menyatakan 10.00 / 0.00",
    ]
    assert in_english.title == "Wallet reconciliation found 2 difference(s)"
    assert in_english.body.splitlines()[0] == (
        f"wallet {wallet.reference}: ledger sums usable 10.00 / pending 0.00, stored 20.00 / 0.00"
    )


def test_a_new_report_reaches_each_moderator_in_their_language_with_the_reporters_words_as_written():
    malay, english = staff_pair()
    troll = UserFactory(username="troll88")

    with translation.override("en"):
        report_create(reporter=UserFactory(), target_id=troll.pk, reason="harassment")
        report_create(reporter=UserFactory(), target_id=troll.pk, reason="spam", description="Iklan judi di chat")

    malay_alerts = Notification.objects.filter(user=malay, kind="report_filed").order_by("pk")
    assert [(alert.title, alert.body) for alert in malay_alerts] == [
        ("Laporan baharu: @troll88 atas sebab gangguan", "Tiada keterangan diberikan."),
        ("Laporan baharu: @troll88 atas sebab spam", "Iklan judi di chat"),
    ]
    english_alert = Notification.objects.filter(user=english, kind="report_filed").order_by("pk").first()
    assert (english_alert.title, english_alert.body) == ("New report: @troll88 for harassment", "No description given.")


# --- WebSocket error frames: the socket user's language; codes unchanged


@async_to_sync
async def first_error(socket: WebsocketCommunicator, frame: dict) -> dict:
    connected, _ = await socket.connect(timeout=TIMEOUT)
    assert connected
    await socket.send_json_to(frame)
    while (reply := await socket.receive_json_from(timeout=TIMEOUT))["type"] != "error":
        pass
    await socket.disconnect()
    return reply


@pytest.mark.usefixtures("socket_db", "fakes")
def test_a_chat_error_frame_is_in_malay_for_a_player_who_chose_malay():
    a, b, room_id = dm_pair()
    a.language, b.language = "ms", "en"
    a.save(update_fields=["language"])
    b.save(update_fields=["language"])
    browser_says_english = [SAME_ORIGIN, (b"accept-language", b"en-GB,en;q=0.9")]

    malay = first_error(communicator(f"/ws/chat/{room_id}", a, headers=browser_says_english), {"type": "wave"})
    english = first_error(communicator(f"/ws/chat/{room_id}", b), {"type": "wave"})
    too_long = first_error(communicator(f"/ws/chat/{room_id}", a), {"type": "message", "message": "x" * 2001})

    assert malay == {
        "type": "error",
        "code": "invalid",
        "message": '"type" bingkai tidak dikenali: gunakan "message", "typing" atau "read".',
    }
    assert english["message"] == 'Unknown frame "type": use "message", "typing" or "read".'
    assert too_long == {"type": "error", "code": "invalid", "message": "Mesej mestilah 1 hingga 2000 aksara."}


@pytest.mark.usefixtures("socket_db")
def test_a_visitors_socket_speaks_the_language_of_the_handshake():
    event = EventFactory()
    path = f"/ws/events/{event.pk}/"

    def reply(*headers):
        socket = WebsocketCommunicator(application, path, headers=[SAME_ORIGIN, *headers])
        return first_error(socket, {"type": "ping"})

    asks_malay = reply((b"accept-language", b"ms-MY,ms;q=0.9,en;q=0.5"))
    switched_to_malay = reply((b"accept-language", b"en"), (b"cookie", b"django_language=ms; other=1"))
    says_nothing = reply()

    assert asks_malay == {
        "type": "error",
        "code": "invalid",
        "message": "Soket ini hanya menghantar kemas kini kejohanan.",
    }
    assert switched_to_malay["message"] == "Soket ini hanya menghantar kemas kini kejohanan."
    assert says_nothing["message"] == "This socket only sends event updates."


def test_the_reconnect_hint_and_the_language_rules_of_a_socket():
    malay, chose_nothing = UserFactory(language="ms"), UserFactory(language="")
    malay_headers = [(b"accept-language", b"ms")]

    assert error_frame({"user": malay}, "unavailable", UNAVAILABLE_MESSAGE, retry_after=5) == {
        "type": "error",
        "code": "unavailable",
        "message": "Kemas kini langsung tidak tersedia buat seketika. Menyambung semula sebentar lagi.",
        "retry_after": 5,
    }
    assert socket_language({"user": malay, "headers": [(b"accept-language", b"en")]}) == "ms"
    assert socket_language({"user": chose_nothing, "headers": malay_headers}) == "ms"
    assert socket_language({"user": chose_nothing, "headers": [(b"accept-language", b"fr")]}) == "en"
    assert socket_language({}) == "en"


# --- Reasons inside players' notices


@pytest.fixture
def full(db):
    """A two-seat event (RM 5.00) with both seats taken by English readers; returns it and them."""
    event = EventFactory(name="Piala Merdeka", max_participants=2, entry_fee=Decimal("5.00"))
    seated = [UserFactory(language="en"), UserFactory(language="en")]
    for player in seated:
        funded_wallet(player, "5.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    return event, seated


def waitlisted(event, *, funded: str | None = None):
    player = UserFactory(language="ms")
    if funded:
        funded_wallet(player, funded)
    registration_join(event_id=event.pk, user=player, payment_method="wallet", waitlist=True)
    return player


def test_a_waitlist_notice_is_malay_throughout_whoever_freed_the_seat(full):
    event, seated = full
    short = waitlisted(event)

    with translation.override("en"):  # the player who leaves reads English
        registration_leave(event_id=event.pk, user=seated[0])

    note = Notification.objects.get(user=short, kind="waitlist_skipped")
    assert note.title == "Terlepas tempat di Piala Merdeka"
    assert note.body == (
        "Satu tempat telah kosong, tetapi penyertaan anda tidak dapat mengambilnya "
        "(Baki boleh guna anda tidak mencukupi untuk ini.). "
        "Anda dikeluarkan dari senarai menunggu; sertai semula bila-bila masa."
    )


def test_the_waitlist_closing_says_why_in_malay(full):
    event, _seated = full
    at_deadline = waitlisted(event)

    with translation.override("en"):
        registrations_close_due(now=event.registration_closes_at + timedelta(minutes=1))
    other = EventFactory(name="Kopitiam Cup", max_participants=2, entry_fee=Decimal("0.00"))
    for player in UserFactory.create_batch(2):
        registration_join(event_id=other.pk, user=player)
    at_cancel = waitlisted(other)
    with translation.override("en"):
        event_cancel(event_id=other.pk, actor=other.organizer)

    nothing_charged = "Tiada tempat yang kosong untuk penyertaan anda dalam senarai menunggu; tiada apa-apa dicaj."
    closed = Notification.objects.get(user=at_deadline, kind="waitlist_closed")
    cancelled = Notification.objects.get(user=at_cancel, kind="waitlist_closed")
    assert (closed.title, closed.body) == (
        "Tiada tempat di Piala Merdeka",
        f"Pendaftaran untuk Piala Merdeka telah ditutup. {nothing_charged}",
    )
    assert cancelled.body == f"Kopitiam Cup telah dibatalkan oleh penganjurnya. {nothing_charged}"


def test_the_waitlist_closing_at_the_start_is_in_malay():
    event = EventFactory(name="Liga Malam", max_participants=2, entry_fee=Decimal("0.00"), check_in_minutes=0)
    for player in UserFactory.create_batch(2):
        registration_join(event_id=event.pk, user=player)
    late = waitlisted(event)

    with translation.override("en"):
        event_start(event_id=event.pk, actor=event.organizer)

    assert Notification.objects.get(user=late, kind="waitlist_closed").body.startswith("Liga Malam telah bermula. ")


def test_withdrawal_notices_are_in_malay_with_staffs_words_as_written():
    player, staff = UserFactory(language="ms"), UserFactory(is_staff=True, language="en")
    withdrawal = requested_withdrawal(player)

    with translation.override("en"):
        withdrawal_reject(withdrawal_id=withdrawal.pk, staff=staff, reason="Nama akaun tidak sepadan")

    note = Notification.objects.get(user=player, kind="withdrawal_failed")
    assert note.title == "Pengeluaran RM 50.00 anda telah ditolak"
    assert note.body == (
        f"Pengeluaran #{withdrawal.pk} ke Maybank •••• 9012 telah ditolak: Nama akaun tidak sepadan\n\n"
        "RM 51.00 (amaun serta yuran) telah dikembalikan ke baki boleh guna anda."
    )


def test_driftwoods_own_payout_failure_reason_reads_in_malay_in_the_notice_and_on_the_wallet_page():
    player = UserFactory(language="ms")
    withdrawal = requested_withdrawal(player)
    reason = "The bank account was changed after the approval; nothing was paid. Request the withdrawal again."
    Withdrawal.objects.filter(pk=withdrawal.pk).update(status=Withdrawal.Status.FAILED, failure_reason=reason)
    withdrawal.refresh_from_db()

    with translation.override("en"):
        withdrawal_outcome(withdrawal)

    in_malay = "Akaun bank telah ditukar selepas kelulusan; tiada apa yang dibayar. Minta pengeluaran sekali lagi."
    note = Notification.objects.get(user=player, kind="withdrawal_failed")
    assert note.title == "Pengeluaran RM 50.00 anda tidak dapat dibayar"
    assert f"tidak dapat dibayar: {in_malay}\n\n" in note.body
    browser = Client()
    browser.force_login(player)
    assert in_malay in browser.get("/wallet/").content.decode()


def test_a_dispute_decided_without_the_organizers_words_reads_in_malay():
    event = EventFactory(name="Piala Merdeka", entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=2)
    first, second = UserFactory(language="ms"), UserFactory(language="ms")
    for player in (first, second):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    match = Match.objects.get(event=event)
    side_of_first = "a" if match.entry_a.registration.user_id == first.pk else "b"
    score = (1, 0) if side_of_first == "a" else (0, 1)

    with translation.override("en"):
        match_report(match_id=match.pk, actor=second, score_a=score[1], score_b=score[0])
        dispute_open(match_id=match.pk, actor=first, reason="Skor salah")
        match_resolve(match_id=match.pk, actor=event.organizer, score_a=score[0], score_b=score[1])

    opened = Notification.objects.get(user=second, kind="dispute_opened")
    assert (
        opened.body
        == f"{first.username} mempertikaikan keputusan: Skor salah\n\nPenganjur akan memutuskan keputusannya."
    )
    decided = Notification.objects.get(user=first, kind="dispute_resolved")
    assert decided.body == "Diselesaikan oleh penganjur."
    browser = Client()
    browser.force_login(first)
    page = browser.get(f"/events/matches/{match.pk}/").content.decode()
    assert "Diselesaikan oleh penganjur." in page
    assert "Resolved by the organizer." not in page


def test_a_chat_push_is_titled_in_each_offline_players_language():
    captain = UserFactory(username="kapten")
    team = team_with_members(captain, 3)
    malay, english = (member.user for member in team.memberships.exclude(user=captain).order_by("pk"))
    malay.language = "ms"
    malay.save(update_fields=["language"])
    room = room_for(user_id=captain.pk, room_id=f"team_{team.pk}")
    message = message_post(room=room, sender=captain, text="Daftar masuk sebelum 8 malam")

    with translation.override("en"):
        pushes = {push.user_id: push.title for push in message_pushes(message, [malay.pk, english.pk])}

    assert pushes == {malay.pk: f"kapten dalam {team.name}", english.pk: f"kapten in {team.name}"}


def test_the_social_apis_own_messages_follow_accept_language():
    asker, target, reported = UserFactory(), UserFactory(), UserFactory()
    api = bearer_client(asker)

    malay = api.post("/api/v1/friends/request", {"target_user_id": target.pk}, format="json", HTTP_ACCEPT_LANGUAGE="ms")
    again = api.post("/api/v1/friends/request", {"target_user_id": target.pk}, format="json")
    report = api.post(
        f"/api/v1/users/{reported.pk}/report", {"reason": "spam"}, format="json", HTTP_ACCEPT_LANGUAGE="ms"
    )

    assert (malay.status_code, malay.json()["message"]) == (201, "Permintaan rakan dihantar")
    assert again.json()["message"] == "Request already sent"
    assert (report.status_code, report.json()["message"]) == (201, "Laporan dihantar untuk semakan")
