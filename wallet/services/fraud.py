"""Fraud checks on withdrawals: at request time, at approval time and in a periodic scan.

Four rules (thresholds in settings, FRAUD_*):
- `daily_limit`: more than RM 10,000 withdrawn in any 24 hours, this request included
  (failed and rejected withdrawals never left, so they do not count);
- `request_burst`: 5 or more withdrawal requests within an hour;
- `unusual_amount`: over 3x the average of the player's completed withdrawals of the
  previous 90 days and over RM 1,000 (with no history the average is zero, so a first
  withdrawal over RM 1,000 is reviewed);
- `bank_account_changed`: the bank account changed in the 24 hours before the request, or
  at any time after it (the money would go to an account the request was not made for).

A rule looks at every window that contains the request, including requests made after it:
a withdrawal that looked fine when requested can break a rule later, which is what the scan
(`manage.py fraud_scan`, celery beat) and the approval re-check catch. Flags are stored on
the withdrawal as `{"code", "message", "values"}` objects and move it to `review`: the message in
English, and the figures it was made of, so that staff read it in their own language
(`fraud_flag_message`); flags stored before the figures were kept show their English message.
"""

import logging
from bisect import bisect_left
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext_noop

from driftwood.core.stored_text import StoredText, money, stored_text_render
from wallet.models import ZERO, Wallet, Withdrawal
from wallet.notices import withdrawal_held_for_review

logger = logging.getLogger("driftwood.wallet.fraud")

DAILY_LIMIT = "daily_limit"
REQUEST_BURST = "request_burst"
UNUSUAL_AMOUNT = "unusual_amount"
BANK_ACCOUNT_CHANGED = "bank_account_changed"
FLAG_CODES = (DAILY_LIMIT, REQUEST_BURST, UNUSUAL_AMOUNT, BANK_ACCOUNT_CHANGED)
# What each finding says, from its code and the figures stored with it.
FLAG_TEXTS = {
    DAILY_LIMIT: gettext_noop("%(withdrawn)s withdrawn within 24 hours, above the %(limit)s daily limit."),
    REQUEST_BURST: gettext_noop("%(count)s withdrawal requests within an hour."),
    UNUSUAL_AMOUNT: gettext_noop(
        "%(amount)s is over %(multiplier)sx the 90-day average withdrawal (%(average)s) and over %(large)s."
    ),
    BANK_ACCOUNT_CHANGED: gettext_noop("The bank account was changed %(when)s."),
}

DAY = timedelta(hours=24)
HOUR = timedelta(hours=1)
AVERAGE_PERIOD = timedelta(days=90)
NEVER_PAID = (Withdrawal.Status.FAILED, Withdrawal.Status.REJECTED)

Event = tuple[datetime, Decimal]


def _peak(events: list[Event], *, anchor: datetime, width: timedelta) -> tuple[int, Decimal]:
    """The most events, and the largest total, in any window [start, start + width) holding `anchor`.

    The busiest such window can always start at an event, so only those starts are tried.
    """
    events = sorted(events)
    moments = [moment for moment, _amount in events]
    running = [ZERO]
    for _moment, amount in events:
        running.append(running[-1] + amount)
    most, largest = 0, ZERO
    for first, start in enumerate(moments):
        if anchor - width < start <= anchor:
            end = bisect_left(moments, start + width)
            most, largest = max(most, end - first), max(largest, running[end] - running[first])
    return most, largest


def _flag(code: str, **values) -> dict:
    return {"code": code, "message": StoredText(FLAG_TEXTS[code], **values).english(), "values": values}


def fraud_flag_message(flag) -> str:
    """A stored finding in the reader's language: rebuilt from its code and figures, else (a flag
    stored before they were kept, or of an unknown shape) its stored words."""
    if not isinstance(flag, dict):
        return str(flag)
    stored = str(flag.get("message") or flag.get("reason") or flag.get("code") or flag)
    if flag.get("code") not in FLAG_TEXTS or not isinstance(flag.get("values"), dict):
        return stored
    return stored_text_render(StoredText(FLAG_TEXTS[flag["code"]], **flag["values"]), fallback=stored)


def _flags(
    *, wallet: Wallet, amount: Decimal, at: datetime, known_until: datetime, withdrawal_id: int | None = None
) -> list[dict]:
    """The rules broken by a withdrawal of `amount` requested at `at`, judged on what is known at `known_until`."""
    others = Withdrawal.objects.filter(user_id=wallet.owner_id, created_at__lte=known_until)
    if withdrawal_id is not None:
        others = others.exclude(pk=withdrawal_id)
    nearby = list(
        others.filter(created_at__gt=at - DAY, created_at__lt=at + DAY).values_list("created_at", "amount", "status")
    )
    requests = [(moment, value) for moment, value, _status in nearby] + [(at, amount)]
    paid_or_open = [(moment, value) for moment, value, status in nearby if status not in NEVER_PAID] + [(at, amount)]
    flags = []

    _count, withdrawn = _peak(paid_or_open, anchor=at, width=DAY)
    if withdrawn > settings.FRAUD_DAILY_WITHDRAWN_LIMIT:
        flags.append(_flag(DAILY_LIMIT, withdrawn=money(withdrawn), limit=money(settings.FRAUD_DAILY_WITHDRAWN_LIMIT)))

    burst, _total = _peak(requests, anchor=at, width=HOUR)
    if burst >= settings.FRAUD_HOURLY_REQUEST_LIMIT:
        flags.append(_flag(REQUEST_BURST, count=burst))

    average = (
        others.filter(
            status=Withdrawal.Status.COMPLETED, created_at__gte=at - AVERAGE_PERIOD, created_at__lt=at
        ).aggregate(average=Avg("amount"))["average"]
        or ZERO
    )
    if amount > average * settings.FRAUD_AVERAGE_MULTIPLIER and amount > settings.FRAUD_LARGE_AMOUNT:
        flags.append(
            _flag(
                UNUSUAL_AMOUNT,
                amount=money(amount),
                multiplier=str(settings.FRAUD_AVERAGE_MULTIPLIER),
                average=money(average),
                large=money(settings.FRAUD_LARGE_AMOUNT),
            )
        )

    changed = wallet.bank_account_changed_at
    window = timedelta(hours=settings.FRAUD_BANK_CHANGE_HOURS)
    if changed is not None and at - window < changed <= known_until:
        if changed > at:
            when = StoredText(gettext_noop("after the request"))
        else:
            when = StoredText(gettext_noop("within %(hours)s hours before it"), hours=settings.FRAUD_BANK_CHANGE_HOURS)
        flags.append(_flag(BANK_ACCOUNT_CHANGED, when=when))
    return flags


def withdrawal_fraud_flags(*, wallet: Wallet, amount: Decimal, now: datetime) -> list[dict]:
    """The rules a new withdrawal of `amount`, requested now, would break (empty: none).

    Call it with the wallet row locked, so that concurrent requests are counted.
    """
    return _flags(wallet=wallet, amount=amount, at=now, known_until=now)


def open_withdrawal_flags(*, withdrawal: Withdrawal, now: datetime) -> list[dict]:
    """The rules an existing withdrawal breaks in the light of everything up to `now`."""
    return _flags(
        wallet=Wallet.objects.get(pk=withdrawal.wallet_id),
        amount=withdrawal.amount,
        at=withdrawal.created_at,
        known_until=now,
        withdrawal_id=withdrawal.pk,
    )


def fraud_flag_codes(withdrawal: Withdrawal) -> list[str]:
    return [flag["code"] for flag in withdrawal.fraud_flags]


def fraud_scan(*, now: datetime | None = None) -> list[Withdrawal]:
    """Move every pending withdrawal that now breaks a rule to `review`; returns those moved.

    One short transaction per withdrawal; one being approved right now (row locked) is
    skipped, as the approval re-checks the rules itself.
    """
    now = now or timezone.now()
    moved = []
    pending = Withdrawal.objects.filter(status=Withdrawal.Status.PENDING, created_at__lte=now)
    for withdrawal_id in pending.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            withdrawal = (
                Withdrawal.objects.select_for_update(skip_locked=True)
                .filter(pk=withdrawal_id, status=Withdrawal.Status.PENDING)
                .first()
            )
            if withdrawal is None:
                continue
            flags = open_withdrawal_flags(withdrawal=withdrawal, now=now)
            if not flags:
                continue
            withdrawal.status = Withdrawal.Status.REVIEW
            withdrawal.fraud_flags = flags
            withdrawal.save(update_fields=["status", "fraud_flags"])
            withdrawal_held_for_review(withdrawal)
        logger.warning("withdrawal %s held for review by the scan: %s", withdrawal.pk, fraud_flag_codes(withdrawal))
        moved.append(withdrawal)
    return moved
