"""Acceptance (issue 17): a whole four-player event, from check-in to the prize leaving for the bank,
and what each person heard, by kind: exactly one notification per happening."""

from collections import Counter
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.wallet.bank_support import ready_to_withdraw
from tournaments.brackets.services.matches import dispute_open, match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.models import Entry, Match
from tournaments.services.checkin import checkins_announce, entry_check_in
from tournaments.services.events import event_publish
from tournaments.services.registrations import registration_join
from tournaments.services.results import results_process_due
from wallet.services.bank_accounts import bank_account_set
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request

pytestmark = pytest.mark.django_db


def kinds(user) -> Counter:
    return Counter(Notification.objects.filter(user=user).values_list("kind", flat=True))


def both_report(match: Match, seats: dict, score_a: int, score_b: int) -> None:
    match_report(match_id=match.pk, actor=seats[match.entry_a_id], score_a=score_a, score_b=score_b)
    match_report(match_id=match.pk, actor=seats[match.entry_b_id], score_a=score_a, score_b=score_b)


def test_each_player_hears_each_step_of_an_event_once(settings, fake_bank):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(hours=24)
    # given a paid single elimination of four with a prize pool for the winner, published by an
    # organizer who funds it, check-in open an hour before the start (so now)
    organizer = UserFactory()
    funded_wallet(organizer, "30.00")
    event = EventFactory(
        organizer=organizer,
        status="draft",
        published_at=None,
        entry_fee=Decimal("10.00"),
        prize_pool=Decimal("30.00"),
        prize_distribution=[100],
        max_participants=4,
        check_in_minutes=60,
        starts_at=timezone.now() + timedelta(minutes=30),
        registration_closes_at=timezone.now() + timedelta(minutes=20),
    )
    event_publish(event_id=event.pk, actor=organizer)
    players = [UserFactory() for _ in range(4)]
    for player in players:
        funded_wallet(player, "10.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")

    # when the beat announces check-in (twice: the second run repeats nothing), everyone checks in,
    # and the organizer starts the event
    checkins_announce()
    checkins_announce()
    for player in players:
        entry_check_in(event_id=event.pk, actor=player)
    event_start(event_id=event.pk, actor=organizer)

    matches = {match.key: match for match in Match.objects.filter(event=event)}
    seats = {entry.pk: entry.registration.registered_by for entry in Entry.objects.filter(event=event)}
    first, second = matches["W1-1"], matches["W1-2"]

    # W1-1: side a reports, side b agrees. W1-2: the sides disagree, a player disputes, the
    # organizer decides.
    both_report(first, seats, 2, 0)
    match_report(match_id=second.pk, actor=seats[second.entry_a_id], score_a=2, score_b=1)
    match_report(match_id=second.pk, actor=seats[second.entry_b_id], score_a=1, score_b=2)
    dispute_open(match_id=second.pk, actor=seats[second.entry_b_id], reason="They reported the wrong score.")
    match_resolve(match_id=second.pk, actor=organizer, score_a=2, score_b=1, resolution="Replay checked: 2-1.")
    # the final: both agree, the event completes; prizes are held for the dispute window, then paid
    final = Match.objects.get(event=event, key="W2-1")
    both_report(final, seats, 2, 0)
    champion = seats[final.entry_a_id]
    results_process_due(now=timezone.now() + timedelta(hours=25))
    results_process_due(now=timezone.now() + timedelta(hours=26))  # a second run pays nobody twice

    # and the champion withdraws part of their winnings, which the bank pays out
    ready_to_withdraw(champion, "1.00")  # the bank account, and the fee
    withdrawal = withdrawal_request(user=champion, amount=Decimal("10.00"), ip="203.0.113.9", user_agent="test")
    withdrawal_approve(withdrawal_id=withdrawal.pk, staff=UserFactory(is_staff=True))

    # then each player heard each step once
    finalists = {seats[final.entry_a_id], seats[final.entry_b_id]}
    w1_2_players = {seats[second.entry_a_id], seats[second.entry_b_id]}
    for player in players:
        expected = Counter(registration_confirmed=1, checkin_open=1, event_started=1, match_ready=1, event_completed=1)
        if player in (seats[first.entry_b_id], seats[second.entry_b_id]):
            expected["result_reported"] += 1  # side a reported first
        if player == seats[final.entry_b_id]:
            expected["result_reported"] += 1
        if player == seats[second.entry_a_id]:
            expected["dispute_opened"] += 1  # the other side disputed
        if player in w1_2_players:
            expected["dispute_resolved"] += 1
        if player in finalists:
            expected["match_ready"] += 1
        if player == champion:
            expected.update(prize_held=1, prize_paid=1, withdrawal_completed=1)
        assert kinds(player) == expected, player
    # and the organizer: each entry, the disputed match once (two ways of disputing it)
    assert kinds(organizer) == Counter(entry_update=4, dispute_opened=1)


def test_a_withdrawal_held_for_review_then_rejected_is_told_at_each_step():
    # given a player whose bank account changed just now (withdrawals are reviewed for a day)
    player = UserFactory()
    ready_to_withdraw(player, "60.00")
    bank_account_set(user=player, bank_name="Maybank", account_number="5140999988887777", account_holder_name="Ana Lim")

    # when they ask for a withdrawal, and staff reject it
    withdrawal = withdrawal_request(user=player, amount=Decimal("50.00"), ip="203.0.113.9", user_agent="test")
    withdrawal_reject(withdrawal_id=withdrawal.pk, staff=UserFactory(is_staff=True), reason="Account name mismatch.")

    # then they heard of the review and of the outcome, once each
    assert kinds(player) == Counter(withdrawal_review=1, withdrawal_failed=1)
    failed = Notification.objects.get(user=player, kind="withdrawal_failed")
    assert "Account name mismatch." in failed.body and "back in your usable balance" in failed.body
