"""Registration rules have one home (`services/registration_rules.py`): the services raise their
refusals from it and the event page's flags (`selectors.entry_options`) are read from it, so a
button shows exactly where the service would agree. The room selectors chat reads live here too."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone

from driftwood.core.exceptions import PermissionDenied
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tournaments import selectors
from tournaments.exceptions import NotRegistered, RegistrationClosed
from tournaments.models import Event, ParticipantPayment
from tournaments.services.registration_rules import (
    leave_refusal,
    registration_can_join,
    registration_can_leave,
    registration_is_open,
)
from tournaments.services.registrations import registration_join, registration_leave

pytestmark = pytest.mark.django_db


def options_for(event, user):
    event.refresh_from_db()
    registration = selectors.registration_of(event=event, user=user)
    return selectors.entry_options(event=event, user=user, registration=registration)


def close_registration(event, how: str) -> None:
    if how == "status":
        Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_CLOSED)
    else:
        Event.objects.filter(pk=event.pk).update(registration_closes_at=timezone.now() - timedelta(minutes=1))
    event.refresh_from_db()


@pytest.mark.parametrize("status", [s for s in Event.Status.values if s != Event.Status.REGISTRATION_OPEN])
def test_registration_is_open_only_while_published_and_before_the_deadline(status):
    assert registration_is_open(EventFactory()) is True
    assert registration_is_open(EventFactory(status=status)) is False
    late = EventFactory()
    close_registration(late, "deadline")
    assert registration_is_open(late) is False


@pytest.mark.parametrize("how", ["status", "deadline"])
def test_joining_a_closed_event_is_refused_by_the_service_and_not_offered_by_the_page(how):
    # given a free event whose registration has closed one way or the other
    event, player = EventFactory(entry_fee=Decimal("0.00")), UserFactory()
    close_registration(event, how)

    # then the page offers no join button and the service refuses with the same rule
    assert registration_can_join(event, player, None) is False
    assert options_for(event, player).can_join is False
    with pytest.raises(RegistrationClosed):
        registration_join(event_id=event.pk, user=player, payment_method="wallet")


def test_joining_is_offered_to_a_signed_in_player_with_no_entry_yet():
    event, player = EventFactory(entry_fee=Decimal("0.00")), UserFactory()

    assert registration_can_join(event, AnonymousUser(), None) is False
    assert options_for(event, player).can_join is True
    registration_join(event_id=event.pk, user=player, payment_method="wallet")
    assert options_for(event, player).can_join is False


@pytest.mark.parametrize(
    ("situation", "refusal"),
    [("not_registered", NotRegistered), ("closed", RegistrationClosed), ("teammate", PermissionDenied)],
)
def test_leaving_is_refused_by_the_service_exactly_where_the_page_hides_the_button(situation, refusal):
    # given an entry the player cannot withdraw, for one of three reasons
    captain = UserFactory()
    event, player = EventFactory(entry_fee=Decimal("0.00")), captain
    if situation == "teammate":
        event = EventFactory(entry_fee=Decimal("0.00"), is_solo=False, team_size=2)
        team = team_with_members(captain, 2)
        registration_join(event_id=event.pk, user=captain, team_id=team.pk, payment_method="wallet")
        player = team.memberships.exclude(user=captain).get().user
    elif situation == "closed":
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
        close_registration(event, "deadline")
    registration = selectors.registration_of(event=event, user=player)

    # then the rule names the refusal, the page hides the button and the service raises it
    assert isinstance(leave_refusal(event, player, registration), refusal)
    assert registration_can_leave(event, player, registration) is False
    assert options_for(event, player).can_leave is False
    with pytest.raises(refusal) as raised:
        registration_leave(event_id=event.pk, user=player)
    assert raised.value.message == leave_refusal(event, player, registration).message


def test_leaving_is_offered_where_the_service_agrees():
    event, player = EventFactory(entry_fee=Decimal("0.00")), UserFactory()
    registration_join(event_id=event.pk, user=player, payment_method="wallet")

    assert options_for(event, player).can_leave is True
    registration_leave(event_id=event.pk, user=player)  # no DomainError


def test_a_pending_card_entry_is_the_players_card_payment_to_finish_once_its_intent_is_open():
    # given a card entry whose PaymentIntent is not open yet
    event, player = EventFactory(entry_fee=Decimal("15.00")), UserFactory()
    result = registration_join(event_id=event.pk, user=player, payment_method="stripe")
    before = options_for(event, player)

    # when Stripe has opened the intent
    ParticipantPayment.objects.filter(pk=result.payment.pk).update(payment_intent_id="pi_1", client_secret="cs_1")
    after = options_for(event, player)

    # then the page offers to finish the payment (and loads Stripe.js) only then
    assert (before.card_payment_to_finish, before.needs_stripe_js) == (None, True)
    assert after.card_payment_to_finish.pk == result.payment.pk
    assert (after.shows_wallet_balance, after.can_join) == (True, False)


def test_a_teammate_does_not_finish_the_captains_card_payment():
    captain = UserFactory()
    event = EventFactory(entry_fee=Decimal("20.00"), is_solo=False, team_size=2)
    team = team_with_members(captain, 2)
    result = registration_join(event_id=event.pk, user=captain, team_id=team.pk, payment_method="stripe")
    ParticipantPayment.objects.filter(pk=result.payment.pk).update(payment_intent_id="pi_2", client_secret="cs_2")
    teammate = team.memberships.exclude(user=captain).get().user

    assert options_for(event, captain).card_payment_to_finish is not None
    assert options_for(event, teammate).card_payment_to_finish is None


def test_free_events_show_no_wallet_and_load_no_stripe():
    event, player = EventFactory(entry_fee=Decimal("0.00")), UserFactory()

    options = options_for(event, player)

    assert (options.can_join, options.shows_wallet_balance, options.needs_stripe_js) == (True, False, False)


def test_a_paid_entry_shows_the_wallet_and_no_stripe_once_confirmed():
    event, player = EventFactory(entry_fee=Decimal("10.00")), UserFactory()
    funded_wallet(player, "10.00")
    registration_join(event_id=event.pk, user=player, payment_method="wallet")

    options = options_for(event, player)

    assert (options.shows_wallet_balance, options.needs_stripe_js, options.card_payment_to_finish) == (
        True,
        False,
        None,
    )


# --- Who is in an event's or a team's room


def test_event_members_are_confirmed_players_and_the_organizer_not_pending_or_withdrawn():
    # given a confirmed player, a pending card entry, a withdrawn player and a bystander
    event = EventFactory(entry_fee=Decimal("10.00"))
    confirmed, pending, withdrawn, bystander = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    for player in (confirmed, withdrawn):
        funded_wallet(player, "10.00")
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
    registration_join(event_id=event.pk, user=pending, payment_method="stripe")
    registration_leave(event_id=event.pk, user=withdrawn)

    # then the selectors agree on who is in
    members = {confirmed.pk, event.organizer_id}
    assert set(selectors.event_member_ids(event.pk)) == members
    everyone = (confirmed, pending, withdrawn, bystander, event.organizer)
    assert {p.pk for p in everyone if selectors.event_has_member(event_id=event.pk, user_id=p.pk)} == members
    assert [p.pk for p in everyone if event in selectors.events_with_member(p.pk)] == [confirmed.pk, event.organizer_id]
    assert selectors.event_name(event.pk) == event.name
    assert selectors.event_name(0) is None


def test_team_members_are_the_roster():
    captain, outsider = UserFactory(), UserFactory()
    team = team_with_members(captain, 3)
    roster = set(team.memberships.values_list("user_id", flat=True))

    assert set(selectors.team_member_ids(team.pk)) == roster
    assert {uid for uid in (*roster, outsider.pk) if selectors.team_has_member(team_id=team.pk, user_id=uid)} == roster
    assert list(selectors.teams_with_member(captain.pk)) == [team]
    assert not selectors.teams_with_member(outsider.pk).exists()
    assert selectors.team_name(team.pk) == team.name


def test_the_event_page_offers_the_chat_room_to_exactly_its_members(client):
    # given a paid event with a confirmed player, a pending card entry and a bystander
    event = EventFactory(entry_fee=Decimal("10.00"))
    confirmed, pending, bystander = UserFactory(), UserFactory(), UserFactory()
    funded_wallet(confirmed, "10.00")
    registration_join(event_id=event.pk, user=confirmed, payment_method="wallet")
    registration_join(event_id=event.pk, user=pending, payment_method="stripe")

    # then the page's link follows the room's membership selector
    for person in (event.organizer, confirmed, pending, bystander):
        client.force_login(person)
        shown = client.get(reverse("tournaments:event_detail", args=[event.pk])).context["shows_event_chat"]
        assert shown == selectors.event_has_member(event_id=event.pk, user_id=person.pk), person
