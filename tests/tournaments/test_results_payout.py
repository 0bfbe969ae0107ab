"""Paying a finished event: prizes per placement into the winners' wallets, fees to the organizer,
after the dispute window and never while a dispute is open, exactly once."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from driftwood.celery import app
from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, funded_wallet, players_joined, team_with_members
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Entry, Event, Match, PrizePayout, Registration, Stage
from tournaments.services.checkin import entry_check_in
from tournaments.services.events import escrow_wallet, event_publish
from tournaments.services.registrations import registration_join
from tournaments.services.results import event_results_pay, results_process_due
from tournaments.tasks import process_results
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE

pytestmark = pytest.mark.django_db
DAY = timedelta(hours=24)


def usable(user) -> Decimal:
    wallet = Wallet.objects.filter(owner=user).first()
    return wallet.usable_balance if wallet else Decimal("0.00")


def platform_fees() -> Decimal:
    return Wallet.objects.get(reference=PLATFORM_FEES_REFERENCE).usable_balance


def published_event(*, prize_pool: str, distribution: list, fee: str = "10.00", **fields) -> Event:
    """A published event whose organizer put `prize_pool` into escrow (the organizer's wallet is left at 0)."""
    organizer = UserFactory()
    funded_wallet(organizer, prize_pool)
    starts_at = timezone.now() + timedelta(minutes=30)
    event = EventFactory(
        status=Event.Status.DRAFT,
        published_at=None,
        organizer=organizer,
        prize_pool=Decimal(prize_pool),
        prize_distribution=distribution,
        entry_fee=Decimal(fee),
        starts_at=starts_at,
        registration_closes_at=starts_at - timedelta(minutes=10),
        **fields,
    )
    event_publish(event_id=event.pk, actor=organizer)
    return Event.objects.get(pk=event.pk)


def finish(event: Event, places: list[int], *, ago: timedelta = DAY + timedelta(minutes=1)) -> list[Entry]:
    """Mark the event completed `ago` with the confirmed registrations (in registration order, seeds 1..N)
    placed as `places`, the way the bracket engine leaves it."""
    registrations = Registration.objects.filter(event=event, status=Registration.Status.CONFIRMED).order_by("pk")
    entries = [
        Entry.objects.create(event=event, registration=registration, seed=seed, placement=place)
        for seed, (registration, place) in enumerate(zip(registrations, places, strict=True), start=1)
    ]
    Event.objects.filter(pk=event.pk).update(status=Event.Status.COMPLETED, completed_at=timezone.now() - ago)
    return entries


def prizes(event: Event) -> dict[int, Decimal]:
    return dict(PrizePayout.objects.filter(event=event).values_list("user_id", "amount"))


def test_prizes_follow_the_distribution_and_the_organizer_gets_the_fees_less_the_platform_fee():
    # given 4 players (10.00 each), a 100.00 pool shared 60/30/10, and placements 1..4
    event = published_event(prize_pool="100.00", distribution=[60, 30, 10])
    players = players_joined(event, 4)
    finish(event, [2, 1, 4, 3])

    # when the dispute window has passed
    assert results_process_due() == 1

    # then
    assert prizes(event) == {
        players[1].pk: Decimal("60.00"),
        players[0].pk: Decimal("30.00"),
        players[3].pk: Decimal("10.00"),
    }
    assert [usable(player) for player in players] == [
        Decimal("30.00"),
        Decimal("60.00"),
        Decimal("0.00"),
        Decimal("10.00"),
    ]
    assert usable(event.organizer) == Decimal("36.00")  # 40.00 of fees less the 10% platform fee
    assert platform_fees() == Decimal("4.00")
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok
    event.refresh_from_db()
    assert event.prizes_paid_at is not None and event.fees_settled_at is not None
    prize_rows = LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.PRIZE, amount__gt=0)
    assert sorted(row.metadata["place"] for row in prize_rows) == [1, 2, 3]
    assert {row.metadata["event_id"] for row in prize_rows} == {event.pk}
    notice = Notification.objects.get(user=players[1], kind="prize_paid")
    assert notice.data == {"event_id": event.pk, "place": 1, "amount": "60.00"}
    assert not Notification.objects.filter(user=players[2], kind="prize_paid").exists()


def test_tied_places_share_their_positions_and_odd_sen_go_to_the_better_seed():
    # positions of 100.05 at 40/30/20/10: 40.03 (1st takes the rounding sen), 30.01, 20.01, 10.00
    event = published_event(prize_pool="100.05", distribution=[40, 30, 20, 10], max_participants=8)
    players = players_joined(event, 5)
    # seeds 3 and 4 tie on 3rd: they share positions 3 and 4 (30.01), 15.01 to seed 3
    finish(event, [1, 2, 3, 3, 5])

    results_process_due()

    assert prizes(event) == {
        players[0].pk: Decimal("40.03"),
        players[1].pk: Decimal("30.01"),
        players[2].pk: Decimal("15.01"),
        players[3].pk: Decimal("15.00"),
    }
    assert sum(prizes(event).values()) == Decimal("100.05")
    assert set(PrizePayout.objects.filter(event=event, user=players[3]).values_list("place", flat=True)) == {3}
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_a_team_prize_is_split_among_its_players_odd_sen_to_the_lowest_user_ids():
    # given 2 teams of 3 and a 10.00 pool all for 1st: 3.34 + 3.33 + 3.33
    event = published_event(prize_pool="10.00", distribution=[100], is_solo=False, team_size=3, fee="5.00")
    teams = []
    for _ in range(2):
        captain = UserFactory()
        funded_wallet(captain, "5.00")
        team = team_with_members(captain, 3)
        registration_join(event_id=event.pk, user=captain, team_id=team.pk, payment_method="wallet")
        teams.append(team)
    finish(event, [1, 2])

    results_process_due()

    winners = sorted(teams[0].memberships.values_list("user_id", flat=True))
    assert prizes(event) == dict(zip(winners, [Decimal("3.34"), Decimal("3.33"), Decimal("3.33")], strict=True))
    assert usable(event.organizer) == Decimal("9.00")  # 10.00 of fees less 1.00
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok
    assert Notification.objects.filter(kind="prize_paid").count() == 3


def test_prize_places_nobody_reached_go_back_to_the_organizer():
    # given 50/30/20 but only two entrants: 3rd place's 20.00 is unawarded
    event = published_event(prize_pool="100.00", distribution=[50, 30, 20], fee="0.00")
    players = players_joined(event, 2)
    finish(event, [1, 2])

    results_process_due()

    assert [usable(player) for player in players] == [Decimal("50.00"), Decimal("30.00")]
    assert usable(event.organizer) == Decimal("20.00")
    release = LedgerEntry.objects.get(wallet__owner=event.organizer, transaction_type=LedgerEntry.Type.RELEASE)
    assert release.amount == Decimal("20.00")
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_nothing_is_paid_before_the_dispute_window_has_passed(settings):
    settings.RESULTS_DISPUTE_WINDOW = DAY
    event = published_event(prize_pool="20.00", distribution=[100])
    players = players_joined(event, 2)
    finish(event, [1, 2], ago=timedelta(hours=23))

    assert results_process_due() == 0
    assert event_results_pay(event_id=event.pk) == []
    assert not PrizePayout.objects.exists()
    assert usable(players[0]) == Decimal("0.00")
    assert escrow_wallet(event).current_balance == Decimal("40.00")

    # an hour later the window is over
    assert results_process_due(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1
    assert usable(players[0]) == Decimal("20.00")


def test_an_open_dispute_holds_the_payment_until_it_is_resolved():
    event = published_event(prize_pool="20.00", distribution=[100])
    players = players_joined(event, 2)
    entries = finish(event, [1, 2])
    stage = Stage.objects.create(event=event, format=event.format)
    match = Match.objects.create(
        event=event,
        stage=stage,
        key="W1-1",
        round=1,
        position=1,
        bracket=Match.Bracket.WINNERS,
        a_source=Match.Source.SEED,
        b_source=Match.Source.SEED,
        entry_a=entries[0],
        entry_b=entries[1],
        score_a=1,
        score_b=0,
        winner=entries[0],
        status=Match.Status.COMPLETED,
    )
    dispute = Dispute.objects.create(match=match, opened_by=players[1], reason="They used a banned character.")

    assert results_process_due() == 0
    assert event_results_pay(event_id=event.pk) == []
    assert not PrizePayout.objects.exists()

    dispute.status = Dispute.Status.RESOLVED
    dispute.save()

    assert results_process_due() == 1
    assert usable(players[0]) == Decimal("20.00")


def test_each_prize_is_paid_once_however_often_the_job_runs():
    event = published_event(prize_pool="30.00", distribution=[70, 30])
    players = players_joined(event, 3)
    finish(event, [1, 2, 3])

    assert len(event_results_pay(event_id=event.pk)) == 2
    assert event_results_pay(event_id=event.pk) == []
    assert results_process_due() == 0

    assert PrizePayout.objects.filter(event=event).count() == 2
    assert [usable(player) for player in players] == [Decimal("21.00"), Decimal("9.00"), Decimal("0.00")]
    assert usable(event.organizer) == Decimal("27.00")
    assert escrow_wallet(event).current_balance == Decimal("0.00")


def test_events_not_completed_are_not_paid():
    event = published_event(prize_pool="20.00", distribution=[100])
    players_joined(event, 2)
    finish(event, [1, 2])
    Event.objects.filter(pk=event.pk).update(status=Event.Status.ONGOING)

    assert results_process_due(now=timezone.now() + 7 * DAY) == 0
    assert escrow_wallet(event).current_balance == Decimal("40.00")


def test_a_no_show_kept_fee_reaches_the_organizer_through_a_full_event(settings):
    # given a 50% no-show policy, 3 players who check in and 1 who does not, played to the end
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    event = published_event(prize_pool="30.00", distribution=[100], no_show_refund_percent=50, check_in_minutes=60)
    players = players_joined(event, 4)
    for player in players[:3]:
        entry_check_in(event_id=event.pk, actor=player)
    event_start(event_id=event.pk, actor=event.organizer)

    # when the organizer enters every result (no dispute window: paid on completion)
    while match := Match.objects.filter(event=event, status=Match.Status.READY).first():
        match_report(match_id=match.pk, actor=event.organizer, score_a=1, score_b=0)

    # then the champion has the pool, the organizer 35.00 of fees less 3.50, and escrow is empty
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED and event.prizes_paid_at is not None
    champion = Entry.objects.get(event=event, placement=1).registration.user
    assert usable(champion) == Decimal("30.00")
    assert usable(players[3]) == Decimal("5.00")
    assert usable(event.organizer) == Decimal("31.50")
    assert platform_fees() == Decimal("3.50")
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_the_command_reports_how_many_events_it_paid():
    for _ in range(2):
        event = published_event(prize_pool="10.00", distribution=[100])
        players_joined(event, 2)
        finish(event, [1, 2])
    out = StringIO()

    call_command("process_results", stdout=out)
    assert out.getvalue().strip() == "Paid results of 2 events."

    out = StringIO()
    call_command("process_results", stdout=out)
    assert out.getvalue().strip() == "Paid results of 0 events."


def test_the_beat_task_pays_due_events_on_the_low_queue():
    event = published_event(prize_pool="10.00", distribution=[100])
    players = players_joined(event, 2)
    finish(event, [1, 2])

    assert process_results.apply().get() == 1

    assert usable(players[0]) == Decimal("10.00")
    assert app.amqp.router.route({}, "tournaments.tasks.process_results")["queue"].name == "low"
    assert any(entry["task"] == "tournaments.tasks.process_results" for entry in app.conf.beat_schedule.values())
