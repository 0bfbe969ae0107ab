"""The four fraud rules at request time, and the periodic scan (command and celery task)."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from driftwood.celery import app
from tests.conftest import bearer_client
from tests.factories import UserFactory
from tests.wallet.bank_support import ready_to_withdraw
from wallet import tasks
from wallet.models import Wallet, Withdrawal
from wallet.services.fraud import fraud_flag_message, fraud_scan, withdrawal_fraud_flags
from wallet.services.withdrawals import withdrawal_request

pytestmark = pytest.mark.django_db
Status = Withdrawal.Status


@pytest.fixture
def wallet(db):
    return ready_to_withdraw(UserFactory(), "10000.00")


def past(wallet: Wallet, amount: str, *, ago: timedelta, status: str = Status.COMPLETED) -> Withdrawal:
    """A withdrawal row from the past (the rules read these rows; no money moves here)."""
    return Withdrawal.objects.create(
        user_id=wallet.owner_id,
        wallet=wallet,
        amount=Decimal(amount),
        fee=Decimal("1.00"),
        total=Decimal(amount) + Decimal("1.00"),
        status=status,
        bank_name="Maybank",
        bank_last4="9012",
        created_at=timezone.now() - ago,
    )


def codes(wallet: Wallet, amount: str) -> list[str]:
    flags = withdrawal_fraud_flags(wallet=wallet, amount=Decimal(amount), now=timezone.now())
    return [flag["code"] for flag in flags]


# --- daily total above RM 10,000 (this request included)


def test_more_than_10000_within_24_hours_is_flagged(wallet):
    past(wallet, "5000.00", ago=timedelta(hours=23), status=Status.COMPLETED)
    past(wallet, "4500.00", ago=timedelta(hours=2), status=Status.PENDING)

    assert codes(wallet, "500.00") == []  # exactly 10,000.00 is not above the limit
    assert codes(wallet, "500.01") == ["daily_limit"]


def test_withdrawals_that_never_left_do_not_count_towards_the_day(wallet):
    past(wallet, "5000.00", ago=timedelta(hours=3), status=Status.FAILED)
    past(wallet, "5000.00", ago=timedelta(hours=2), status=Status.REJECTED)
    past(wallet, "5000.00", ago=timedelta(hours=25))  # outside the 24 hours

    assert codes(wallet, "900.00") == []


def test_the_daily_message_says_how_much(wallet):
    past(wallet, "5000.00", ago=timedelta(hours=1), status=Status.PENDING)
    past(wallet, "4999.00", ago=timedelta(hours=1, minutes=5), status=Status.PENDING)

    [flag] = withdrawal_fraud_flags(wallet=wallet, amount=Decimal("200.00"), now=timezone.now())

    assert flag == {
        "code": "daily_limit",
        "message": "RM 10,199.00 withdrawn within 24 hours, above the RM 10,000.00 daily limit.",
        "values": {"withdrawn": {"money": "10199.00"}, "limit": {"money": "10000.00"}},
    }


# --- 5 or more requests within an hour


def test_the_fifth_request_within_an_hour_is_flagged(wallet):
    for minutes in (50, 40, 30):
        past(wallet, "10.00", ago=timedelta(minutes=minutes), status=Status.REJECTED)
    assert codes(wallet, "10.00") == []  # the fourth

    past(wallet, "10.00", ago=timedelta(minutes=20), status=Status.FAILED)

    assert codes(wallet, "10.00") == ["request_burst"]


def test_requests_older_than_an_hour_are_not_a_burst(wallet):
    for minutes in (61, 70, 80, 90):
        past(wallet, "10.00", ago=timedelta(minutes=minutes))

    assert codes(wallet, "10.00") == []


def test_successive_requests_through_the_service_are_counted(wallet):
    outcomes = [
        withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="").status for _ in range(6)
    ]

    assert outcomes == [Status.PENDING] * 4 + [Status.REVIEW] * 2


# --- over 3x the 90-day average and over RM 1,000


def test_an_amount_far_above_the_usual_and_over_1000_is_flagged(wallet):
    past(wallet, "300.00", ago=timedelta(days=10))
    past(wallet, "500.00", ago=timedelta(days=20))  # average 400.00

    assert codes(wallet, "1200.00") == []  # exactly 3x
    assert codes(wallet, "1200.01") == ["unusual_amount"]


def test_an_unusual_amount_below_1000_is_not_flagged(wallet):
    past(wallet, "100.00", ago=timedelta(days=5))

    assert codes(wallet, "1000.00") == []
    assert codes(wallet, "1000.01") == ["unusual_amount"]


def test_only_completed_withdrawals_of_the_last_90_days_make_the_average(wallet):
    past(wallet, "2000.00", ago=timedelta(days=91))
    past(wallet, "2000.00", ago=timedelta(days=3), status=Status.REJECTED)
    past(wallet, "2000.00", ago=timedelta(days=2), status=Status.REVIEW)
    past(wallet, "400.00", ago=timedelta(days=30))

    assert codes(wallet, "1500.00") == ["unusual_amount"]


def test_a_first_withdrawal_over_1000_is_flagged(wallet):
    assert codes(wallet, "1000.01") == ["unusual_amount"]
    assert codes(wallet, "1000.00") == []


# --- bank account changed in the last 24 hours


@pytest.mark.parametrize(("hours_ago", "flagged"), [(23, True), (1, True), (25, False)])
def test_a_recently_changed_bank_account_is_flagged(wallet, hours_ago, flagged):
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now() - timedelta(hours=hours_ago))
    wallet.refresh_from_db()

    assert codes(wallet, "20.00") == (["bank_account_changed"] if flagged else [])


def test_every_broken_rule_is_recorded_on_the_withdrawal(wallet):
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now())
    for minutes in (40, 30, 20, 10):
        past(wallet, "10.00", ago=timedelta(minutes=minutes), status=Status.FAILED)

    withdrawal = withdrawal_request(user=wallet.owner, amount=Decimal("1500.00"), ip=None, user_agent="")

    assert withdrawal.status == Status.REVIEW
    assert [flag["code"] for flag in withdrawal.fraud_flags] == [
        "request_burst",
        "unusual_amount",
        "bank_account_changed",
    ]
    assert all(flag["message"] for flag in withdrawal.fraud_flags)


# --- the periodic scan


def test_the_scan_holds_pending_withdrawals_that_now_break_a_rule(wallet):
    # given a clean pending withdrawal, and then four more requests within the hour
    first = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    Withdrawal.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(minutes=50))
    for minutes in (40, 30, 20, 10):
        past(wallet, "10.00", ago=timedelta(minutes=minutes), status=Status.REJECTED)
    assert Withdrawal.objects.get(pk=first.pk).status == Status.PENDING

    # when the scan runs
    moved = fraud_scan()

    # then the earlier one is held for review with the reason
    assert [withdrawal.pk for withdrawal in moved] == [first.pk]
    first.refresh_from_db()
    assert first.status == Status.REVIEW
    assert first.fraud_flags == [
        {"code": "request_burst", "message": "5 withdrawal requests within an hour.", "values": {"count": 5}}
    ]


def test_the_scan_catches_a_bank_account_changed_after_the_request(wallet):
    withdrawal = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    Withdrawal.objects.filter(pk=withdrawal.pk).update(created_at=timezone.now() - timedelta(days=3))
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now() - timedelta(days=2))

    out = StringIO()
    call_command("fraud_scan", stdout=out)

    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.REVIEW
    assert [flag["code"] for flag in withdrawal.fraud_flags] == ["bank_account_changed"]
    assert f"Withdrawal #{withdrawal.pk} held for review: bank_account_changed" in out.getvalue()
    assert "1 withdrawal(s) moved to review." in out.getvalue()


def test_the_scan_leaves_clean_and_finished_withdrawals_alone(wallet):
    clean = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    other = ready_to_withdraw(UserFactory(), "100.00")
    finished = past(other, "10.00", ago=timedelta(hours=2), status=Status.COMPLETED)
    # a change after the request would flag it, were it still open
    Wallet.objects.filter(pk=other.pk).update(bank_account_changed_at=timezone.now() - timedelta(hours=1))

    assert fraud_scan() == []
    clean.refresh_from_db()
    finished.refresh_from_db()
    assert (clean.status, finished.status) == (Status.PENDING, Status.COMPLETED)


def test_the_scan_judges_what_was_known_at_the_time_it_is_given(wallet):
    withdrawal = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now() + timedelta(minutes=30))

    assert fraud_scan(now=timezone.now()) == []
    assert [moved.pk for moved in fraud_scan(now=timezone.now() + timedelta(hours=1))] == [withdrawal.pk]


def test_celery_beat_runs_the_scan_on_the_default_queue(wallet):
    withdrawal = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now() + timedelta(hours=1))

    schedules = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert "wallet.tasks.fraud_scan" in schedules
    assert app.amqp.router.route({}, "wallet.tasks.fraud_scan")["queue"].name == "default"
    assert tasks.fraud_scan.apply().get() == 0  # the change is still in the future
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now())
    assert tasks.fraud_scan.apply().get() == 1
    withdrawal.refresh_from_db()
    assert withdrawal.status == Status.REVIEW


# --- the findings in the staff member's language


def test_each_finding_reads_in_the_readers_language_and_an_older_one_as_stored(wallet):
    # given a withdrawal breaking every rule, and a flag stored before findings kept their figures
    Wallet.objects.filter(pk=wallet.pk).update(bank_account_changed_at=timezone.now() - timedelta(hours=2))
    wallet.refresh_from_db()
    for minutes in (40, 30, 20, 10):
        past(wallet, "10.00", ago=timedelta(minutes=minutes), status=Status.REJECTED)
    past(wallet, "9000.00", ago=timedelta(hours=3), status=Status.PENDING)
    flags = withdrawal_fraud_flags(wallet=wallet, amount=Decimal("1500.00"), now=timezone.now())
    older = {"code": "unusual_amount", "message": "RM 2,000.00 is over 3x the 90-day average withdrawal."}

    # when staff read them in Malay and in English
    with translation.override("ms"):
        malay = [fraud_flag_message(flag) for flag in [*flags, older]]
    with translation.override("en"):
        english = [fraud_flag_message(flag) for flag in flags]

    # then Malay staff read Malay, English staff the stored words, and the older flag as it was stored
    assert malay == [
        "RM 10,500.00 dikeluarkan dalam masa 24 jam, melebihi had harian RM 10,000.00.",
        "5 permintaan pengeluaran dalam masa sejam.",
        "RM 1,500.00 melebihi 3 kali purata pengeluaran 90 hari (RM 0.00) dan melebihi RM 1,000.00.",
        "Akaun bank ditukar dalam masa 24 jam sebelum permintaan.",
        "RM 2,000.00 is over 3x the 90-day average withdrawal.",
    ]
    assert english == [flag["message"] for flag in flags]
    assert english[3] == "The bank account was changed within 24 hours before it."


def test_staff_read_the_findings_in_their_language_in_the_admin_and_the_api(wallet):
    # given a withdrawal held for 5 requests within the hour
    for minutes in (40, 30, 20, 10):
        past(wallet, "10.00", ago=timedelta(minutes=minutes), status=Status.REJECTED)
    withdrawal = withdrawal_request(user=wallet.owner, amount=Decimal("10.00"), ip=None, user_agent="")
    staff = UserFactory(is_staff=True, is_superuser=True, language="ms")
    browser = Client()
    browser.force_login(staff)

    # when a Malay staff member reads the list and the API, and an English one asks in English
    page = browser.get("/admin/wallet/withdrawal/").content.decode()
    api = bearer_client(staff)
    [malay] = api.get("/api/v1/admin/withdrawals", {"status": "review"}).json()["results"]
    [english] = api.get("/api/v1/admin/withdrawals", {"status": "review"}, HTTP_ACCEPT_LANGUAGE="en").json()["results"]

    # then the finding is in Malay on the page and in the API, and in English when asked for
    assert withdrawal.status == Status.REVIEW and malay["id"] == withdrawal.pk
    assert "5 permintaan pengeluaran dalam masa sejam." in page
    assert malay["fraud_flags"] == [{"code": "request_burst", "message": "5 permintaan pengeluaran dalam masa sejam."}]
    assert english["fraud_flags"] == [{"code": "request_burst", "message": "5 withdrawal requests within an hour."}]
