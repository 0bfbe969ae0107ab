"""Joining, leaving, cancelling and settling an event, paid from the wallet."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from driftwood.core.exceptions import NotFound, PermissionDenied
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tournaments.exceptions import (
    AlreadyCancelled,
    AlreadyJoined,
    EventFull,
    InvalidStatus,
    RegistrationClosed,
    TeamRequired,
    TeamSizeWrong,
)
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.services.events import (
    escrow_wallet,
    event_cancel,
    event_create,
    event_fees_settle,
    event_lock,
    event_publish,
    event_transition,
)
from tournaments.services.registrations import registration_join, registration_leave
from wallet.exceptions import InsufficientBalance
from wallet.models import Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.balances import PLATFORM_FEES_REFERENCE

pytestmark = pytest.mark.django_db


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def escrow_balance(event: Event) -> Decimal:
    return escrow_wallet(event).current_balance


def test_wallet_join_moves_the_fee_to_escrow_and_confirms(user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "20.00")

    result = registration_join(event_id=event.pk, user=user, payment_method="wallet")

    assert result.registration.status == Registration.Status.CONFIRMED
    assert result.payment.status == ParticipantPayment.Status.SUCCEEDED
    assert usable(user) == Decimal("5.00")
    assert escrow_balance(event) == Decimal("15.00")


def test_free_event_confirms_without_a_payment(user):
    event = EventFactory(entry_fee=Decimal("0.00"))

    result = registration_join(event_id=event.pk, user=user, payment_method="wallet")

    assert result.registration.status == Registration.Status.CONFIRMED
    assert result.payment is None


def test_short_wallet_is_refused_and_leaves_no_registration(user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "14.99")

    with pytest.raises(InsufficientBalance):
        registration_join(event_id=event.pk, user=user, payment_method="wallet")

    assert not Registration.objects.filter(event=event).exists()
    assert usable(user) == Decimal("14.99")


def test_joining_twice_is_already_joined(user):
    event = EventFactory(entry_fee=Decimal("0.00"))
    registration_join(event_id=event.pk, user=user)

    with pytest.raises(AlreadyJoined):
        registration_join(event_id=event.pk, user=user)


@pytest.mark.parametrize("status", ["draft", "registration_closed", "ongoing", "completed", "cancelled"])
def test_joining_outside_registration_is_refused(user, status):
    event = EventFactory(status=status, entry_fee=Decimal("0.00"))

    with pytest.raises(RegistrationClosed):
        registration_join(event_id=event.pk, user=user)


def test_full_event_is_refused(user):
    event = EventFactory(entry_fee=Decimal("0.00"), max_participants=2)
    for _ in range(2):
        registration_join(event_id=event.pk, user=UserFactory())

    with pytest.raises(EventFull):
        registration_join(event_id=event.pk, user=user)


def test_team_event_rules(user):
    event = EventFactory(is_solo=False, team_size=3, entry_fee=Decimal("0.00"))
    right = team_with_members(user, 3)
    too_small = team_with_members(UserFactory(username="small_cap"), 2)

    with pytest.raises(TeamRequired):
        registration_join(event_id=event.pk, user=user)
    with pytest.raises(NotFound):
        registration_join(event_id=event.pk, user=user, team_id=999999)
    with pytest.raises(PermissionDenied):
        registration_join(event_id=event.pk, user=UserFactory(), team_id=right.pk)
    with pytest.raises(TeamSizeWrong):
        registration_join(event_id=event.pk, user=too_small.captain, team_id=too_small.pk)

    result = registration_join(event_id=event.pk, user=user, team_id=right.pk)
    assert result.registration.team == right and result.registration.members.count() == 3


def test_a_player_cannot_enter_one_event_through_two_teams(user):
    event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
    first = team_with_members(user, 2)
    shared_player = first.memberships.exclude(user=user).get().user
    second_captain = UserFactory(username="second_cap")
    from tournaments.services.teams import team_create, team_member_add

    second = team_create(captain=second_captain, name="Second")
    team_member_add(team_id=second.pk, user=shared_player)
    registration_join(event_id=event.pk, user=user, team_id=first.pk)

    with pytest.raises(AlreadyJoined):
        registration_join(event_id=event.pk, user=second_captain, team_id=second.pk)


def test_leaving_before_close_refunds_in_full(user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "15.00")
    registration_join(event_id=event.pk, user=user, payment_method="wallet")

    registration = registration_leave(event_id=event.pk, user=user)

    assert registration.status == Registration.Status.WITHDRAWN
    assert usable(user) == Decimal("15.00")
    assert escrow_balance(event) == Decimal("0.00")
    # and they may join again
    registration_join(event_id=event.pk, user=user, payment_method="wallet")
    assert usable(user) == Decimal("0.00")


def test_leaving_after_registration_closed_is_refused(user):
    event = EventFactory(entry_fee=Decimal("0.00"))
    registration_join(event_id=event.pk, user=user)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_CLOSED)

    with pytest.raises(RegistrationClosed):
        registration_leave(event_id=event.pk, user=user)


def test_publishing_holds_the_prize_pool_and_needs_the_money(user):
    organizer = UserFactory()
    event = EventFactory(status="draft", organizer=organizer, prize_pool=Decimal("100.00"), prize_distribution=[100])

    with pytest.raises(InsufficientBalance):
        event_publish(event_id=event.pk, actor=organizer)
    event.refresh_from_db()
    assert event.status == Event.Status.DRAFT

    funded_wallet(organizer, "100.00")
    with pytest.raises(PermissionDenied):
        event_publish(event_id=event.pk, actor=user)
    event_publish(event_id=event.pk, actor=organizer)

    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN
    assert (usable(organizer), escrow_balance(event)) == (Decimal("0.00"), Decimal("100.00"))


def test_cancel_refunds_less_penalty_returns_the_pool_and_reconciles(user):
    organizer = UserFactory()
    funded_wallet(organizer, "50.00")
    event = EventFactory(status="draft", organizer=organizer, prize_pool=Decimal("50.00"), prize_distribution=[100])
    event_publish(event_id=event.pk, actor=organizer)
    players = [UserFactory() for _ in range(3)]
    for player in players:
        funded_wallet(player, "10.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")

    refunds = event_cancel(event_id=event.pk, actor=organizer, penalty_percent=Decimal(20))

    assert refunds == {player.pk: {"wallet": Decimal("8.00")} for player in players}
    assert [usable(player) for player in players] == [Decimal("8.00")] * 3
    assert usable(organizer) == Decimal("50.00")
    assert escrow_balance(event) == Decimal("0.00")
    assert Wallet.objects.get(reference=PLATFORM_FEES_REFERENCE).usable_balance == Decimal("6.00")
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"cancelled"}
    assert wallet_reconcile().ok
    with pytest.raises(AlreadyCancelled):
        event_cancel(event_id=event.pk, actor=organizer)


def test_only_the_organizer_or_staff_can_cancel(user, staff_user):
    event = EventFactory(entry_fee=Decimal("0.00"))

    with pytest.raises(PermissionDenied):
        event_cancel(event_id=event.pk, actor=user)
    event_cancel(event_id=event.pk, actor=staff_user)

    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


def test_penalty_must_be_between_0_and_100(user):
    event = EventFactory()

    with pytest.raises(ValidationError):
        event_cancel(event_id=event.pk, actor=event.organizer, penalty_percent=Decimal(101))


def test_completion_pays_fees_less_platform_fee_to_the_organizer_once(settings):
    settings.PLATFORM_FEE_PERCENT = Decimal(10)
    event = EventFactory(entry_fee=Decimal("25.00"))
    for _ in range(4):
        player = UserFactory()
        funded_wallet(player, "25.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    for status in ("registration_closed", "ongoing", "completed"):
        event_transition(event_lock(event.pk), status)

    first = event_fees_settle(event_id=event.pk)
    second = event_fees_settle(event_id=event.pk)

    assert (first, second) == (Decimal("90.00"), Decimal("0.00"))
    assert usable(event.organizer) == Decimal("90.00")
    assert Wallet.objects.get(reference=PLATFORM_FEES_REFERENCE).usable_balance == Decimal("10.00")
    assert escrow_balance(event) == Decimal("0.00")


ALL_STATUSES = [choice for choice, _ in Event.Status.choices]
LEGAL = {
    ("draft", "registration_open"),
    ("draft", "cancelled"),
    ("registration_open", "registration_closed"),
    ("registration_open", "cancelled"),
    ("registration_closed", "ongoing"),
    ("registration_closed", "cancelled"),
    ("ongoing", "completed"),
    ("ongoing", "cancelled"),
}


@pytest.mark.parametrize(("start", "end"), [(a, b) for a in ALL_STATUSES for b in ALL_STATUSES if (a, b) not in LEGAL])
def test_every_illegal_transition_is_refused(start, end):
    event = EventFactory(status=start)

    with pytest.raises(InvalidStatus):
        event_transition(event_lock(event.pk), end)

    event.refresh_from_db()
    assert event.status == start


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("prize_distribution", [60, 30]),
        ("prize_distribution", [50, 50, 0]),
        ("prize_distribution", ["half", "half"]),
        ("team_size", 5),
        ("max_participants", 1),
    ],
)
def test_event_create_validates(user, field, value):
    from django.utils import timezone

    from tests.factories import GameFactory

    start = timezone.now() + timezone.timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        event_create(
            organizer=user,
            game=GameFactory(),
            name="Bad",
            starts_at=start,
            registration_closes_at=start,
            prize_pool=Decimal("10.00"),
            **{"prize_distribution": [100], field: value},
        )

    assert field in error.value.message_dict
