"""Bahasa Melayu: every page family rendered in `ms` shows no English text the catalogue translates
and no template placeholder; API errors, e-mails and notifications follow the reader's language;
the catalogue compiles in pure Python exactly as GNU msgfmt would."""

import gettext
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone, translation
from django.utils.text import capfirst
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from chat.services import dm_open, message_post
from driftwood.accounts.passwords import password_reset_request
from driftwood.core.catalogues import compile_file, parse_po
from driftwood.core.times import malaysia_time
from driftwood.notifications.delivery import emails_send
from social.moderation import user_suspend
from social.services import friend_request_accept, friend_request_send, report_create
from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tests.test_file_sizes import python_files
from tests.wallet.bank_support import ready_to_withdraw
from tests.wallet.stripe_support import deliver, require_localstripe, stripe_client
from tests.wallet.stripe_support import event as stripe_event
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Match, ParticipantPayment
from tournaments.services.checkin import entry_check_in
from tournaments.services.events import event_cancel
from tournaments.services.registrations import registration_join, registration_leave
from wallet.models import CardRefund, TopUp, Withdrawal
from wallet.services.balances import wallet_get_or_create
from wallet.services.topups import topup_create, topup_payment_open
from wallet.services.withdrawals import withdrawal_request

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

PO = Path(settings.BASE_DIR) / "locale" / "ms" / "LC_MESSAGES" / "django.po"
PLACEHOLDERS = re.compile(r"\{\{|\}\}|\{%|%\}|%\([a-z_0-9]+\)[sd]|\{[0-9]\}|\{[a-z_]+\}")
SHOWN_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "data-countdown-done")


def _catalogue() -> dict[str, str]:
    return parse_po(PO.read_text(encoding="utf-8"), str(PO))


def _english_with_malay() -> set[str]:
    """The plain msgids (no context, plural or placeholder) whose Malay differs from the English."""
    return {
        msgid
        for msgid, msgstr in _catalogue().items()
        if msgid and msgstr != msgid and not any(mark in msgid for mark in ("\x04", "\0", "%(", "{", "<"))
    }


class _VisibleText(HTMLParser):
    """Text a reader sees (text nodes and the attributes read out or shown), skipping code."""

    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skipping += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.texts.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def visible_texts(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    return [text for text in (" ".join(raw.split()) for raw in parser.texts) if text]


def untranslated(html: str, english: set[str]) -> list[str]:
    return sorted({text for text in visible_texts(html) if text in english or text.rstrip(":") in english})


def placeholders_left(html: str) -> list[str]:
    return [text for text in visible_texts(html) if PLACEHOLDERS.search(text)]


def check_page(client: Client, url: str, english: set[str]) -> str:
    response = client.get(url, follow=True)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert '<html lang="ms">' in html, url
    assert untranslated(html, english) == [], url
    assert placeholders_left(html) == [], url
    return html


def malay_client(user=None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")  # the choice below must win over the browser's
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ms"
    if user is not None:
        client.force_login(user)
    return client


# --- Every page family in Malay


def test_the_visitor_pages_are_all_in_malay(client):
    english = _english_with_malay()
    event = EventFactory()
    visitor = malay_client()
    for url in (
        "/",
        "/events/",
        f"/events/{event.pk}/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
    ):
        check_page(visitor, url, english)
    missing = visitor.get("/no-such-page/")
    assert missing.status_code == 404
    assert untranslated(missing.content.decode(), english) == []


def test_a_players_pages_are_all_in_malay_with_real_rows():
    english = _english_with_malay()
    player = UserFactory(language="ms", email_verified_at=timezone.now())
    funded_wallet(player, "100.00")
    friend, stranger = UserFactory(display_name="Siti"), UserFactory()
    accepted = friend_request_send(requester=friend, target_id=player.pk).friendship
    friend_request_accept(user=player, friendship_id=accepted.pk)
    friend_request_send(requester=stranger, target_id=player.pk)
    room = dm_open(user=player, other_id=friend.pk)[0]
    message_post(room=room, sender=friend, text="Jom main malam ni")
    team = team_with_members(player, 2)
    paid = EventFactory(name="Piala Merdeka", entry_fee=Decimal("10.00"))
    registration_join(event_id=paid.pk, user=player, payment_method="wallet")
    mine = EventFactory(organizer=player, entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=4)
    for entrant in (player, friend, *UserFactory.create_batch(2)):
        registration_join(event_id=mine.pk, user=entrant)
    event_start(event_id=mine.pk, actor=player)
    a_match = Match.objects.filter(event=mine).order_by("pk").first()
    draft = EventFactory(organizer=player, status="draft", published_at=None)

    browser = malay_client(player)
    for url in (
        "/",
        "/events/",
        "/events/mine/",
        f"/events/{paid.pk}/",
        f"/events/{mine.pk}/",
        f"/events/{mine.pk}/manage/",
        f"/events/{mine.pk}/bracket/",
        f"/events/matches/{a_match.pk}/",
        f"/events/{draft.pk}/edit/",
        "/events/new/",
        "/events/teams/",
        f"/events/teams/{team.pk}/",
        "/wallet/",
        "/friends/",
        "/players/?q=Siti",
        f"/players/{friend.pk}/",
        f"/players/{player.pk}/followers/",
        "/chat/",
        f"/chat/{room.room_id}/",
        "/notifications/",
        "/notifications/settings/",
        "/accounts/profile/",
        "/accounts/password/change/",
        "/accounts/email/change/",
    ):
        check_page(browser, url, english)


def test_an_event_page_is_in_malay_in_every_state_of_the_players_entry():
    english = _english_with_malay()
    player = UserFactory(language="ms")
    funded_wallet(player, "100.00")
    full = EventFactory(max_participants=2, entry_fee=Decimal("0.00"))
    for seated in UserFactory.create_batch(2):
        registration_join(event_id=full.pk, user=seated)
    registration_join(event_id=full.pk, user=player, waitlist=True)
    by_card = EventFactory(entry_fee=Decimal("15.00"))
    registration_join(event_id=by_card.pk, user=player, payment_method="stripe")
    soon = timezone.now() + timedelta(minutes=30)
    checking_in = EventFactory(
        entry_fee=Decimal("0.00"),
        starts_at=soon,
        registration_closes_at=soon - timedelta(minutes=20),
        check_in_minutes=60,
    )
    registration_join(event_id=checking_in.pk, user=player)
    checked_in = EventFactory(
        entry_fee=Decimal("0.00"),
        starts_at=soon,
        registration_closes_at=soon - timedelta(minutes=20),
        check_in_minutes=60,
    )
    registration_join(event_id=checked_in.pk, user=player)
    entry_check_in(event_id=checked_in.pk, actor=player)
    left = EventFactory(entry_fee=Decimal("5.00"))
    registration_join(event_id=left.pk, user=player, payment_method="wallet")
    registration_leave(event_id=left.pk, user=player)
    cancelled = EventFactory(entry_fee=Decimal("5.00"))
    registration_join(event_id=cancelled.pk, user=player, payment_method="wallet")
    event_cancel(event_id=cancelled.pk, actor=cancelled.organizer)

    browser = malay_client(player)
    pages = {event: check_page(browser, f"/events/{event.pk}/", english) for event in (full, by_card, checking_in)}
    for event in (checked_in, left, cancelled):
        check_page(browser, f"/events/{event.pk}/", english)
    assert "data-waitlist-position" in pages[full]
    assert "Daftar masuk" in pages[checking_in]


TOPUP_STATES = [
    # (method, bank, status, what the page says in Malay)
    (
        "fpx",
        "maybank2u",
        "pending",
        "Sedang diproses: menunggu Maybank2u mengesahkan pembayaran anda sebanyak RM 30.00.",
    ),
    ("grabpay", "", "pending", "Sedang diproses: menunggu GrabPay mengesahkan pembayaran anda sebanyak RM 30.00."),
    ("card", "", "pending", "Sedang diproses: menunggu pembayaran kad sebanyak RM 30.00 disahkan."),
    ("fpx", "cimb", "succeeded", "RM 30.00 telah ditambah ke dompet anda."),
    ("fpx", "cimb", "failed", "CIMB Clicks tidak meluluskan pembayaran, atau ia telah dibatalkan."),
    ("grabpay", "", "failed", "GrabPay tidak meluluskan pembayaran, atau ia telah dibatalkan."),
    ("card", "", "failed", "Pembayaran kad tidak berjaya. Anda tidak dicaj."),
    ("grabpay", "", "cancelled", "Tambah nilai ini dibatalkan kerana tidak dibayar tepat pada masanya."),
    ("card", "", "refunded", "Tambah nilai sebanyak RM 30.00 ini telah dipulangkan."),
]


def test_the_top_up_return_page_is_in_malay_in_every_state():
    english = _english_with_malay()
    player = UserFactory(language="ms")
    browser = malay_client(player)
    for number, (method, bank, status, said) in enumerate(TOPUP_STATES):
        topup = TopUp.objects.create(
            user=player,
            wallet=wallet_get_or_create(user=player),
            amount=Decimal("30.00"),
            payment_method=method,
            fpx_bank=bank,
            status=status,
            payment_intent_id=f"pi_return_page_{number}",
        )
        html = check_page(browser, f"/wallet/topups/{topup.pk}/?redirect_status=succeeded", english)
        assert said in html, (method, status)


def test_the_return_page_says_how_it_was_paid_in_a_whole_sentence():
    player = UserFactory(language="ms")
    said = {}
    for method, bank in (("fpx", "maybank2u"), ("grabpay", ""), ("card", "")):
        topup = TopUp.objects.create(
            user=player,
            wallet=wallet_get_or_create(user=player),
            amount=Decimal("30.00"),
            payment_method=method,
            fpx_bank=bank,
            payment_intent_id=f"pi_paid_with_{method}",
        )
        for language in ("ms", "en"):
            player.language = language
            player.save(update_fields=["language"])
            page = malay_client(player).get(f"/wallet/topups/{topup.pk}/").content.decode()
            said[method, language] = re.search(r'<p class="muted">([^<]*)</p>', page).group(1)

    assert said == {
        ("fpx", "ms"): "Dibayar dengan perbankan dalam talian FPX (Maybank2u)",
        ("fpx", "en"): "Paid with FPX online banking (Maybank2u)",
        ("grabpay", "ms"): "Dibayar dengan GrabPay",
        ("grabpay", "en"): "Paid with GrabPay",
        ("card", "ms"): "Dibayar dengan kad",
        ("card", "en"): "Paid by card",
    }


@pytest.mark.usefixtures("commit_hooks_run")
def test_the_payment_stand_in_and_an_event_with_a_pending_fpx_payment_are_in_malay(settings, client):
    require_localstripe()
    settings.SITE_URL, settings.STRIPE_REDIRECT_STAND_IN = "https://driftwood.example", True
    settings.CELERY_TASK_ALWAYS_EAGER = True
    english = _english_with_malay()
    player = UserFactory(language="ms")
    browser = malay_client(player)
    for method, bank in (("fpx", "maybank2u"), ("grabpay", "")):
        topup = topup_payment_open(
            topup_id=topup_create(user=player, amount=Decimal("30.00"), payment_method=method, fpx_bank=bank).pk
        )
        html = check_page(browser, urlsplit(topup.redirect_url).path, english)
        assert "Luluskan pembayaran ini?" in html

    event = EventFactory(entry_fee=Decimal("20.00"))
    joined = bearer_client(player).post(
        f"/api/v1/events/{event.pk}/join", {"payment_method": "fpx", "fpx_bank": "cimb"}, format="json"
    )
    assert joined.status_code == 201, joined.json()
    payment_id = ParticipantPayment.objects.get(registration_id=joined.json()["join_event_id"]).pk
    waiting = check_page(browser, f"/events/{event.pk}/", english)
    assert "Tempat anda disahkan sebaik sahaja bank anda mengesahkan pembayaran FPX." in waiting
    back = check_page(browser, f"/events/{event.pk}/?payment={payment_id}&redirect_status=succeeded", english)
    assert "Sedang diproses: menunggu CIMB Clicks mengesahkan pembayaran anda sebanyak RM 20.00." in back
    intent = stripe_client().v1.payment_intents.retrieve(joined.json()["payment"]["payment_intent_id"])
    deliver(client, stripe_event("payment_intent.payment_failed", intent.to_dict(for_json=True)))
    declined = check_page(browser, f"/events/{event.pk}/?payment={payment_id}&redirect_status=failed", english)
    assert "CIMB Clicks tidak meluluskan pembayaran, atau ia telah dibatalkan." in declined


def test_dates_are_in_malaysia_time_with_malay_month_names_and_money_stays_ringgit():
    moment = datetime(2026, 8, 31, 1, 30, tzinfo=UTC)
    with translation.override("ms"):
        assert malaysia_time(moment) == "31 Ogo 2026, 09:30 MYT"
    with translation.override("en"):
        assert malaysia_time(moment) == "31 Aug 2026, 09:30 MYT"
    player = UserFactory(language="ms")
    funded_wallet(player, "1234.50")
    page = malay_client(player).get("/wallet/").content.decode()
    assert "RM 1,234.50" in page


def test_form_errors_and_messages_come_in_malay():
    visitor = malay_client()
    response = visitor.post(
        "/accounts/signup/", {"username": "x", "email": "bad", "password": "1", "password_confirm": "2"}
    )
    page = response.content.decode()
    assert "Sila betulkan medan yang ditandakan di bawah." in page
    assert "Kedua-dua kata laluan tidak sepadan." in page
    assert placeholders_left(page) == []


# --- Staff screens in Malay (Django's own admin is translated by Django)


def check_admin(response, english: set[str]) -> str:
    assert response.status_code == 200, (response.request["PATH_INFO"], response.status_code)
    html = response.content.decode()
    assert 'lang="ms"' in html
    assert untranslated(html, english) == [], response.request["PATH_INFO"]
    assert placeholders_left(html) == [], response.request["PATH_INFO"]
    return html


def _disputed_match() -> Match:
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=2)
    first, second = UserFactory(), UserFactory()
    for player in (first, second):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    match = Match.objects.get(event=event)
    match_report(match_id=match.pk, actor=first, score_a=1, score_b=0)
    dispute_open(match_id=match.pk, actor=second, reason="Skor salah")
    return match


def test_the_staff_screens_are_all_in_malay():
    # Model and field names are lower case in the catalogue; the admin shows them capitalised.
    english = _english_with_malay()
    english |= {capfirst(text) for text in english}
    staff = UserFactory(language="ms", is_staff=True, is_superuser=True)
    troll, victim = UserFactory(), UserFactory()
    report = report_create(reporter=victim, target_id=troll.pk, reason="harassment", description="Kata-kata kesat")
    suspended = UserFactory()
    user_suspend(user=suspended, days=3, staff=staff, reason="Spam di sembang")
    sanction = suspended.sanctions.get()
    player = UserFactory()
    ready_to_withdraw(player, "100.00")
    withdrawal = withdrawal_request(user=player, amount=Decimal("50.00"), ip=None, user_agent="test")
    Withdrawal.objects.filter(pk=withdrawal.pk).update(
        status=Withdrawal.Status.REVIEW, fraud_flags=[{"code": "unusual_amount", "message": "Unusual amount."}]
    )
    CardRefund.objects.create(
        payment_intent_id="pi_refund",
        amount=Decimal("5.00"),
        idempotency_key="refund-1",
        state="failed",
        description="Card refund",
        last_error="card_declined",
        attempts=3,
    )
    event = EventFactory(entry_fee=Decimal("10.00"))
    funded_wallet(player, "10.00")
    registration_join(event_id=event.pk, user=player, payment_method="wallet")
    match = _disputed_match()
    dispute = match.disputes.get()

    browser = malay_client(staff)
    for url in (
        "/admin/",
        "/admin/social/report/",
        f"/admin/social/report/{report.pk}/change/",
        "/admin/social/sanction/",
        "/admin/wallet/withdrawal/",
        "/admin/wallet/withdrawal/?payout=stuck&flagged=yes",
        f"/admin/wallet/withdrawal/{withdrawal.pk}/change/",
        "/admin/wallet/cardrefund/",
        "/admin/wallet/wallet/",
        "/admin/wallet/wallet/money/",
        "/admin/wallet/reconcilerun/",
        "/admin/tournaments/event/",
        f"/admin/tournaments/event/{event.pk}/change/",
        "/admin/tournaments/dispute/",
        f"/admin/tournaments/dispute/{dispute.pk}/resolve/",
        f"/admin/accounts/user/{staff.pk}/change/",
    ):
        check_admin(browser.get(url), english)
    confirmations = [
        ("/admin/social/report/", report.pk, ("dismiss_selected", "warn_selected", "suspend_selected", "ban_selected")),
        ("/admin/social/sanction/", sanction.pk, ("lift_selected", "unban_selected")),
        ("/admin/wallet/withdrawal/", withdrawal.pk, ("approve_selected", "reject_selected")),
        ("/admin/tournaments/event/", event.pk, ("cancel_with_refunds",)),
    ]
    for url, pk, actions in confirmations:
        for action in actions:
            page = check_admin(browser.post(url, {"action": action, "_selected_action": [pk]}), english)
            assert "Tidak, bawa saya kembali" in page and 'value="Ya, ' in page, action

    dismissed = browser.post(
        "/admin/social/report/",
        {"action": "dismiss_selected", "_selected_action": [report.pk], "confirm": "yes", "reason": "Bukan gangguan"},
        follow=True,
    )
    assert f"Laporan #{report.pk} diketepikan." in check_admin(dismissed, english)
    resolved = browser.post(
        f"/admin/tournaments/dispute/{dispute.pk}/resolve/", {"score_a": 1, "score_b": 0, "resolution": ""}, follow=True
    )
    assert "telah diselesaikan." in check_admin(resolved, english)
    done = check_admin(browser.get(f"/admin/tournaments/dispute/{dispute.pk}/resolve/"), english)
    assert "Pertikaian ini sudah diselesaikan: Diselesaikan oleh penganjur.." in done


# --- The switcher and where the choice is kept


def test_switching_stores_the_choice_in_the_cookie_and_for_a_player_on_the_account():
    visitor = Client()
    response = visitor.post("/i18n/setlang/", {"language": "ms", "next": "/events/"})
    assert response.status_code == 302 and response["Location"] == "/events/"
    assert visitor.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ms"
    assert '<html lang="ms">' in visitor.get("/events/").content.decode()

    player = UserFactory(password="driftwood-pass-1")
    assert player.language == ""
    visitor.post("/accounts/login/", {"username": player.username, "password": "driftwood-pass-1"})
    player.refresh_from_db()
    assert player.language == "ms"  # never chose: keeps the language they were reading
    visitor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    player.refresh_from_db()
    assert player.language == "en"


def test_a_players_stored_language_wins_over_the_browser_and_resets_the_cookie():
    player = UserFactory(language="ms")
    browser = Client(HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    browser.force_login(player)
    response = browser.get("/")
    assert '<html lang="ms">' in response.content.decode()
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "ms"


def test_the_switcher_is_in_the_header_and_the_footer_and_posts_with_the_csrf_token():
    html = Client().get("/events/?game=").content.decode()
    assert html.count('action="/i18n/setlang/"') == 2
    assert html.count('name="csrfmiddlewaretoken"') >= 2
    assert '<input type="hidden" name="next" value="/events/?game=">' in html
    assert 'value="ms" lang="ms"' in html and "Bahasa Melayu" in html


# --- The API


def test_api_errors_follow_accept_language():
    api = APIClient()
    refused = api.post(
        "/api/v1/auth/login", {"username": "nobody", "password": "wrong"}, format="json", HTTP_ACCEPT_LANGUAGE="ms"
    )
    assert refused.status_code == 401
    assert refused.json()["message"] == "Nama pengguna atau kata laluan tidak sah."
    assert refused.json()["code"] == "invalid_credentials"
    english = api.post("/api/v1/auth/login", {"username": "nobody", "password": "wrong"}, format="json")
    assert english.json()["message"] == "Invalid username or password."
    invalid = api.post("/api/v1/auth/register", {"username": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="ms")
    assert invalid.status_code == 400
    assert invalid.json()["errors"]["email"] == ["Medan ini diperlukan."]
    assert invalid.json()["message"] != "Invalid input."


def test_an_api_caller_without_accept_language_gets_their_stored_language():
    player = UserFactory(language="ms")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(player)}")
    missing = api.get("/api/v1/events/999999")
    assert missing.status_code == 404
    assert missing.json()["message"] == "Kejohanan tidak dijumpai."
    asked = api.get("/api/v1/events/999999", HTTP_ACCEPT_LANGUAGE="en")
    assert asked.json()["message"] == "Event not found."


# --- E-mails and notifications in the recipient's language


def test_notifications_and_their_emails_are_in_each_recipients_language():
    malay, english, asker = UserFactory(language="ms"), UserFactory(language=""), UserFactory(language="ms")
    with translation.override("en"):  # the actor's language must not matter
        friend_request_send(requester=asker, target_id=malay.pk)
        friend_request_send(requester=asker, target_id=english.pk)
    mail.outbox.clear()
    emails_send(user_id=malay.pk)
    emails_send(user_id=english.pk)
    malay_note = malay.notifications.get()
    assert malay_note.title.endswith("ingin berkawan")
    assert english.notifications.get().title.endswith("wants to be friends")
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert by_recipient[malay.email].body.startswith(f"Hai {malay.public_name},")
    assert "Pilih e-mel yang anda terima" in by_recipient[malay.email].body
    assert by_recipient[english.email].body.startswith(f"Hi {english.public_name},")


@pytest.mark.usefixtures("commit_hooks_run", "eager_mail")
def test_account_emails_go_in_the_players_language():
    player = UserFactory(language="ms")
    mail.outbox.clear()
    with translation.override("en"):
        password_reset_request(email=player.email)
    assert mail.outbox[-1].subject == "Tetapkan semula kata laluan Driftwood anda"
    assert "Pautan ini hanya boleh digunakan sekali." in mail.outbox[-1].body


def test_event_times_in_notifications_use_malay_month_names():
    player = UserFactory(language="ms")
    event = EventFactory(entry_fee=Decimal("0.00"), starts_at=timezone.now() + timedelta(days=40))
    registration_join(event_id=event.pk, user=player)
    body = player.notifications.get(kind="registration_confirmed").body
    with translation.override("ms"):
        assert malaysia_time(event.starts_at) in body
    assert body.startswith("Pendaftaran anda untuk")


# --- The catalogue


def test_every_entry_is_translated_and_keeps_its_placeholders():
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    assert 'msgstr ""\n\n' not in text.split("\n\n", 1)[1]  # no empty translation after the header
    for msgid, msgstr in _catalogue().items():
        if not msgid:
            continue
        english = msgid.split("\0")[-1].split("\x04")[-1]
        marks = sorted(re.findall(r"%\([a-z_0-9]+\)(?:[sd]|04X)|\{[a-z_0-9]*\}|%%", english))
        assert sorted(re.findall(r"%\([a-z_0-9]+\)(?:[sd]|04X)|\{[a-z_0-9]*\}|%%", msgstr)) == marks, msgid


def test_no_translatable_text_hides_where_makemessages_cannot_see_it():
    """xgettext does not look inside an f-string's braces: a text marked there never reaches the
    catalogue and stays English in every language (join the parts, or use lazy_join)."""
    hidden = re.compile(r"\{(?:_|gettext|gettext_lazy|ngettext|pgettext)\(")
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}"
        for path in python_files(Path(settings.BASE_DIR))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hidden.search(line)
    ]
    assert offenders == []


def test_the_pure_python_compiler_matches_gnu_msgfmt(tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed (the project does not need it)")
    copy = tmp_path / "django.po"
    copy.write_text(PO.read_text(encoding="utf-8"), encoding="utf-8")
    ours = compile_file(copy)
    theirs = tmp_path / "gnu.mo"
    subprocess.run([msgfmt, "-o", str(theirs), str(copy)], check=True)
    with ours.open("rb") as a, theirs.open("rb") as b:
        mine, gnu = gettext.GNUTranslations(a)._catalog, gettext.GNUTranslations(b)._catalog
    mine.pop(""), gnu.pop("")  # the header: msgfmt drops POT-Creation-Date
    assert mine == gnu


def test_fuzzy_and_untranslated_entries_stay_english():
    po = (
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "One"\nmsgstr "Satu"\n\n#, fuzzy\nmsgid "Two"\nmsgstr "Dua"\n\nmsgid "Three"\nmsgstr ""\n\n'
        'msgctxt "wins"\nmsgid "W"\nmsgstr "M"\n\n'
        'msgid "%(n)s day"\nmsgid_plural "%(n)s days"\nmsgstr[0] "%(n)s hari"\n'
    )
    assert parse_po(po) == {
        "": "Content-Type: text/plain; charset=UTF-8\n",
        "One": "Satu",
        "wins\x04W": "M",
        "%(n)s day\0%(n)s days": "%(n)s hari",
    }
