"""Check-in, seeding and starting an event: who plays, in what order, and what no-shows get back."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from driftwood.core.exceptions import PermissionDenied
from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, funded_wallet, players_joined, team_with_members
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.seeding import seeding_apply, seeding_confirm
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import CheckInClosed, InvalidStatus, NotEnoughEntries, NotRegistered, SeedingLocked
from tournaments.models import Entry, Event, Match, ParticipantPayment, Registration, RegistrationMember, Stage
from tournaments.services.checkin import check_in_window, entry_check_in
from tournaments.services.events import escrow_wallet, event_fees_settle, event_transition
from tournaments.services.registrations import registration_join
from wallet.models import Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE

pytestmark = pytest.mark.django_db


def soon_event(starts_in=timedelta(minutes=30), **fields) -> Event:
    """An open event starting soon, so a 60-minute check-in window is open now."""
    starts_at = timezone.now() + starts_in
    fields.setdefault("registration_closes_at", starts_at - timedelta(minutes=10))
    fields.setdefault("check_in_minutes", 60)
    return EventFactory(starts_at=starts_at, **fields)


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def entry_of(player) -> Entry:
    return Entry.objects.get(registration__user=player)


def seeds(event: Event) -> list[int]:
    """The players (user ids) of the active solo entries, best seed first."""
    entries = Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).order_by("seed")
    return [entry.registration.user_id for entry in entries]


# --- Check-in


def test_window_opens_check_in_minutes_before_the_start_and_lasts_until_the_event_starts():
    later = soon_event(starts_in=timedelta(hours=3))
    now_open = soon_event()
    no_check_in = soon_event(check_in_minutes=0)

    assert check_in_window(later) == (later.starts_at - timedelta(minutes=60), False)
    assert check_in_window(now_open) == (now_open.starts_at - timedelta(minutes=60), True)
    assert check_in_window(no_check_in) == (None, False)
    # Still open past starts_at while the organizer has not started; closed once under way.
    now_open.starts_at = timezone.now() - timedelta(minutes=5)
    assert check_in_window(now_open)[1] is True
    now_open.status = Event.Status.ONGOING
    assert check_in_window(now_open)[1] is False


def test_a_registered_player_checks_in_inside_the_window():
    event = soon_event()
    [player] = players_joined(event, 1)

    entry = entry_check_in(event_id=event.pk, actor=player)

    assert entry.registration.user_id == player.pk
    assert entry.status == Entry.Status.ACTIVE
    assert entry.checked_in_at is not None
    assert entry.checked_in_by_id == player.pk


def test_check_in_before_the_window_opens_is_refused():
    event = soon_event(starts_in=timedelta(hours=3))
    [player] = players_joined(event, 1)

    with pytest.raises(CheckInClosed):
        entry_check_in(event_id=event.pk, actor=player)

    assert not Entry.objects.filter(event=event, checked_in_at__isnull=False).exists()


def test_any_team_member_not_only_the_captain_checks_the_team_in():
    event = soon_event(is_solo=False, team_size=3, entry_fee=Decimal("0.00"))
    captain = UserFactory()
    team = team_with_members(captain, 3)
    registration_join(event_id=event.pk, user=captain, team_id=team.pk)
    member = team.memberships.exclude(user=captain).first().user

    entry = entry_check_in(event_id=event.pk, actor=member)

    assert entry.registration.team_id == team.pk
    assert entry.checked_in_by_id == member.pk


def test_a_stranger_cannot_check_in():
    event = soon_event()
    players_joined(event, 2)

    with pytest.raises(NotRegistered):
        entry_check_in(event_id=event.pk, actor=UserFactory())


def test_checking_in_twice_changes_nothing():
    event = soon_event()
    [player] = players_joined(event, 1)
    first = entry_check_in(event_id=event.pk, actor=player)

    again = entry_check_in(event_id=event.pk, actor=player)

    assert (again.pk, again.checked_in_at) == (first.pk, first.checked_in_at)
    assert Entry.objects.filter(event=event).count() == 1


# --- Starting


def test_start_drops_no_shows_with_a_full_refund_by_default():
    organizer = UserFactory()
    event = soon_event(organizer=organizer)
    here = players_joined(event, 3)
    [absent] = players_joined(event, 1)
    for player in here:
        entry_check_in(event_id=event.pk, actor=player)

    stage = event_start(event_id=event.pk, actor=organizer)

    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING
    assert stage.event_id == event.pk and stage.matches.exists()
    dropped = entry_of(absent)
    assert (dropped.status, dropped.seed) == (Entry.Status.NO_SHOW, None)
    assert dropped.registration.status == Registration.Status.REFUNDED
    assert not RegistrationMember.objects.filter(registration=dropped.registration).exists()
    assert usable(absent) == Decimal("10.00")
    assert [usable(player) for player in here] == [Decimal("0.00")] * 3
    assert escrow_wallet(event).current_balance == Decimal("30.00")
    assert sorted(Entry.objects.filter(event=event, status="active").values_list("seed", flat=True)) == [1, 2, 3]
    notice = Notification.objects.get(user=absent, kind="check_in_missed")
    assert notice.kind == "check_in_missed"
    assert notice.data == {"event_id": event.pk, "refund": "10.00"}
    assert not Notification.objects.filter(user__in=here, kind="check_in_missed").exists()


def test_partial_refund_policy_keeps_the_rest_for_the_organizer_at_settlement():
    # given an event refunding a no-show 35% of its 10.00 fee (3.50), rounded down to the sen
    organizer = UserFactory()
    event = soon_event(organizer=organizer, no_show_refund_percent=35)
    here = players_joined(event, 2)
    [absent] = players_joined(event, 1)
    for player in here:
        entry_check_in(event_id=event.pk, actor=player)

    event_start(event_id=event.pk, actor=organizer)

    assert usable(absent) == Decimal("3.50")
    payment = ParticipantPayment.objects.get(payer=absent)
    assert (payment.status, payment.refunded_amount) == (ParticipantPayment.Status.REFUNDED, Decimal("3.50"))
    assert escrow_wallet(event).current_balance == Decimal("26.50")

    # when the event completes and the fees are settled: the kept 6.50 counts with the other fees
    event = Event.objects.get(pk=event.pk)
    event_transition(event, Event.Status.COMPLETED)
    to_organizer = event_fees_settle(event_id=event.pk)

    assert to_organizer == Decimal("23.85")  # 26.50 less the 10% platform fee (2.65)
    assert usable(organizer) == Decimal("23.85")
    assert Wallet.objects.get(reference=PLATFORM_FEES_REFERENCE).usable_balance == Decimal("2.65")
    assert escrow_wallet(event).current_balance == Decimal("0.00")
    assert wallet_reconcile().ok


def test_a_zero_refund_policy_keeps_the_whole_fee():
    organizer = UserFactory()
    event = soon_event(organizer=organizer, no_show_refund_percent=0)
    here = players_joined(event, 2)
    [absent] = players_joined(event, 1)
    for player in here:
        entry_check_in(event_id=event.pk, actor=player)

    event_start(event_id=event.pk, actor=organizer)

    assert usable(absent) == Decimal("0.00")
    assert escrow_wallet(event).current_balance == Decimal("30.00")
    assert entry_of(absent).status == Entry.Status.NO_SHOW
    assert Notification.objects.get(user=absent, kind="check_in_missed").data["refund"] == "0.00"


def test_a_free_event_just_drops_its_no_shows():
    organizer = UserFactory()
    event = soon_event(organizer=organizer, entry_fee=Decimal("0.00"))
    here = players_joined(event, 2)
    [absent] = players_joined(event, 1)
    for player in here:
        entry_check_in(event_id=event.pk, actor=player)

    event_start(event_id=event.pk, actor=organizer)

    dropped = entry_of(absent)
    assert dropped.status == Entry.Status.NO_SHOW
    assert dropped.registration.status == Registration.Status.CANCELLED
    assert Notification.objects.get(user=absent, kind="check_in_missed").data["refund"] is None


def test_a_dropped_team_is_told_member_by_member_and_its_captain_refunded():
    organizer = UserFactory()
    event = soon_event(organizer=organizer, is_solo=False, team_size=2, no_show_refund_percent=50)
    teams = []
    for _ in range(3):
        captain = UserFactory()
        funded_wallet(captain, "10.00")
        team = team_with_members(captain, 2)
        registration_join(event_id=event.pk, user=captain, team_id=team.pk, payment_method="wallet")
        teams.append(team)
    for team in teams[:2]:
        entry_check_in(event_id=event.pk, actor=team.memberships.exclude(user=team.captain).first().user)

    event_start(event_id=event.pk, actor=organizer)

    absent = teams[2]
    assert usable(absent.captain) == Decimal("5.00")
    assert set(Notification.objects.filter(kind="check_in_missed").values_list("user", flat=True)) == set(
        absent.memberships.values_list("user", flat=True)
    )


def test_fewer_than_two_checked_in_cannot_start_and_nothing_changes():
    organizer = UserFactory()
    event = soon_event(organizer=organizer)
    players = players_joined(event, 3)
    entry_check_in(event_id=event.pk, actor=players[0])

    with pytest.raises(NotEnoughEntries):
        event_start(event_id=event.pk, actor=organizer)

    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN
    assert not Stage.objects.filter(event=event).exists()
    assert [usable(player) for player in players] == [Decimal("0.00")] * 3
    assert escrow_wallet(event).current_balance == Decimal("30.00")
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"confirmed"}
    assert not Entry.objects.filter(event=event, status=Entry.Status.NO_SHOW).exists()
    assert not Notification.objects.filter(kind="check_in_missed").exists()


def test_without_check_in_everyone_confirmed_plays():
    organizer = UserFactory()
    event = soon_event(organizer=organizer, check_in_minutes=0, status=Event.Status.REGISTRATION_CLOSED)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_OPEN)
    players_joined(event, 5)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_CLOSED)

    event_start(event_id=event.pk, actor=organizer)

    assert Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).count() == 5
    assert Event.objects.get(pk=event.pk).status == Event.Status.ONGOING


def test_only_the_organizer_starts_and_only_once():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 2)

    with pytest.raises(PermissionDenied):
        event_start(event_id=event.pk, actor=players[0])
    event_start(event_id=event.pk, actor=event.organizer)
    with pytest.raises(InvalidStatus):
        event_start(event_id=event.pk, actor=event.organizer)


# --- Seeding


def test_registration_order_seeding():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 4)

    entries = seeding_apply(event_id=event.pk, actor=event.organizer, method="registration")

    assert [entry.seed for entry in entries] == [1, 2, 3, 4]
    assert seeds(event) == [player.pk for player in players]


def test_random_seeding_seeds_every_entry_once():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 6)

    entries = seeding_apply(event_id=event.pk, actor=event.organizer, method="random")

    assert [entry.seed for entry in entries] == [1, 2, 3, 4, 5, 6]
    assert sorted(seeds(event)) == sorted(player.pk for player in players)
    assert Event.objects.get(pk=event.pk).seeding == Event.Seeding.RANDOM


def test_manual_seeding_follows_the_organizers_order():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 3)
    seeding_apply(event_id=event.pk, actor=event.organizer, method="registration")  # the entries exist now
    order = [entry_of(player).pk for player in reversed(players)]

    seeding_apply(event_id=event.pk, actor=event.organizer, method="manual", order=order)

    assert seeds(event) == [player.pk for player in reversed(players)]


@pytest.mark.parametrize("mistake", ["missing", "duplicate", "stranger", "none"])
def test_manual_order_must_name_every_entry_exactly_once(mistake):
    event = soon_event(check_in_minutes=0)
    players_joined(event, 3)
    seeding_apply(event_id=event.pk, actor=event.organizer, method="registration")
    before = seeds(event)
    ids = list(Entry.objects.filter(event=event).values_list("pk", flat=True))
    order = {
        "missing": ids[:2],
        "duplicate": [ids[0], ids[0], ids[1]],
        "stranger": [*ids[:2], max(ids) + 1000],
        "none": None,
    }[mistake]

    with pytest.raises(ValidationError) as error:
        seeding_apply(event_id=event.pk, actor=event.organizer, method="manual", order=order)

    assert "order" in error.value.message_dict
    assert seeds(event) == before


def test_an_unknown_method_is_refused():
    event = soon_event(check_in_minutes=0)
    players_joined(event, 2)

    with pytest.raises(ValidationError) as error:
        seeding_apply(event_id=event.pk, actor=event.organizer, method="elo")

    assert "method" in error.value.message_dict


def test_only_the_organizer_seeds():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 2)

    with pytest.raises(PermissionDenied):
        seeding_apply(event_id=event.pk, actor=players[0], method="random")
    with pytest.raises(PermissionDenied):
        seeding_confirm(event_id=event.pk, actor=players[0])


def test_confirmed_seeds_are_the_brackets_and_no_shows_leave_no_gap():
    # given seeds set by hand (worst registered first) and confirmed, and the 2nd seed not checked in
    event = soon_event()
    players = players_joined(event, 4)
    seeding_confirm(event_id=event.pk, actor=event.organizer)  # creates the entries
    by_player = {entry.registration.user_id: entry.pk for entry in Entry.objects.filter(event=event)}
    wanted = list(reversed(players))
    seeding_apply(event_id=event.pk, actor=event.organizer, method="manual", order=[by_player[p.pk] for p in wanted])
    assert Event.objects.get(pk=event.pk).seeding_confirmed_at is None  # a new order needs confirming
    confirmed = seeding_confirm(event_id=event.pk, actor=event.organizer)
    assert [entry.registration.user_id for entry in confirmed] == [p.pk for p in wanted]
    assert Event.objects.get(pk=event.pk).seeding_confirmed_at is not None
    for player in players:
        if player != wanted[1]:
            entry_check_in(event_id=event.pk, actor=player)

    # when the organizer starts
    event_start(event_id=event.pk, actor=event.organizer)

    # then the others keep their order, compacted to seeds 1..3
    assert seeds(event) == [wanted[0].pk, wanted[2].pk, wanted[3].pk]
    assert sorted(Entry.objects.filter(event=event, status="active").values_list("seed", flat=True)) == [1, 2, 3]


def test_entries_registered_after_confirmation_follow_the_confirmed_seeds():
    event = soon_event(check_in_minutes=0)
    early = players_joined(event, 2)
    seeding_confirm(event_id=event.pk, actor=event.organizer)
    late = players_joined(event, 1)

    event_start(event_id=event.pk, actor=event.organizer)

    assert seeds(event) == [early[0].pk, early[1].pk, late[0].pk]


def test_reseeding_after_the_start_regenerates_the_bracket_until_a_result_exists():
    event = soon_event(check_in_minutes=0)
    players = players_joined(event, 4)
    event_start(event_id=event.pk, actor=event.organizer)
    first_stage = Stage.objects.get(event=event)
    order = [entry_of(player).pk for player in reversed(players)]

    seeding_apply(event_id=event.pk, actor=event.organizer, method="manual", order=order)

    stage = Stage.objects.get(event=event)
    assert stage.pk != first_stage.pk
    assert seeds(event) == [player.pk for player in reversed(players)]
    # Seed 1 (the last registered) meets seed 4 (the first) in a fresh first round.
    opening = Match.objects.filter(stage=stage, entry_a__isnull=False, entry_b__isnull=False)
    pairs = {frozenset((match.entry_a.registration.user_id, match.entry_b.registration.user_id)) for match in opening}
    assert frozenset((players[3].pk, players[0].pk)) in pairs

    # once a match has a result, the seeds are locked
    match = opening.first()
    match_report(match_id=match.pk, actor=event.organizer, score_a=1, score_b=0)
    with pytest.raises(SeedingLocked):
        seeding_apply(event_id=event.pk, actor=event.organizer, method="random")
    assert Stage.objects.get(event=event).pk == stage.pk


def test_seeding_cannot_change_on_a_finished_event():
    event = soon_event(check_in_minutes=0, status=Event.Status.CANCELLED)

    with pytest.raises(InvalidStatus):
        seeding_apply(event_id=event.pk, actor=event.organizer, method="random")
    with pytest.raises(InvalidStatus):
        seeding_confirm(event_id=event.pk, actor=event.organizer)
