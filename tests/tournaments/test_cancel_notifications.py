"""Cancelling an event tells every player on every cancelled roster, in-app, with their refund."""

from decimal import Decimal

import pytest

from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tournaments.exceptions import AlreadyCancelled
from tournaments.services.events import event_cancel
from tournaments.services.registrations import registration_join, registration_leave
from tournaments.services.teams import team_member_add

pytestmark = pytest.mark.django_db


def notified(event) -> dict[int, Notification]:
    rows = Notification.objects.filter(kind="event_cancelled", data__event_id=event.pk)
    assert len({row.user_id for row in rows}) == len(rows), "a player was notified twice"
    return {row.user_id: row for row in rows}


def paid_entry(event, player, team=None):
    funded_wallet(player, str(event.entry_fee))
    registration_join(event_id=event.pk, user=player, team_id=team.pk if team else None, payment_method="wallet")


def test_cancelling_notifies_the_solo_player_and_both_players_of_a_team_and_nobody_else():
    # given one organizer's solo event with a player, and team event with a 2-player team,
    # plus people who must not hear about it: a player who left, a bystander, the organizer
    organizer = UserFactory()
    solo_event = EventFactory(organizer=organizer, entry_fee=Decimal("10.00"))
    team_event = EventFactory(organizer=organizer, is_solo=False, team_size=2, entry_fee=Decimal("20.00"))
    solo_player, captain, leaver, bystander = UserFactory(), UserFactory(), UserFactory(), UserFactory()
    team = team_with_members(captain, 2)
    teammate = team.memberships.exclude(user=captain).get().user
    paid_entry(solo_event, solo_player)
    paid_entry(team_event, captain, team)
    paid_entry(solo_event, leaver)
    registration_leave(event_id=solo_event.pk, user=leaver)

    # when the organizer cancels both
    event_cancel(event_id=solo_event.pk, actor=organizer)
    event_cancel(event_id=team_event.pk, actor=organizer)

    # then exactly the three players on the rosters have one notification each, linking to their event
    assert set(notified(solo_event)) == {solo_player.pk}
    assert set(notified(team_event)) == {captain.pk, teammate.pk}
    cancelled = Notification.objects.filter(kind="event_cancelled")
    assert set(cancelled.values_list("user_id", flat=True)) == {solo_player.pk, captain.pk, teammate.pk}
    assert cancelled.count() == 3
    assert notified(solo_event)[solo_player.pk].url == f"/events/{solo_event.pk}/"
    assert {row.url for row in notified(team_event).values()} == {f"/events/{team_event.pk}/"}
    assert {row.title for row in cancelled} == {
        f"Cancelled: {solo_event.name}",
        f"Cancelled: {team_event.name}",
    }
    assert not cancelled.filter(user__in=[organizer, leaver, bystander]).exists()


def test_the_payer_learns_the_refund_less_penalty_and_teammates_where_fees_went():
    # given a team of two entered by its captain, who paid RM 20.00 from the wallet
    organizer, captain = UserFactory(), UserFactory()
    event = EventFactory(organizer=organizer, is_solo=False, team_size=2, entry_fee=Decimal("20.00"))
    team = team_with_members(captain, 2)
    teammate = team.memberships.exclude(user=captain).get().user
    paid_entry(event, captain, team)

    # when it is cancelled with a 20% penalty
    event_cancel(event_id=event.pk, actor=organizer, penalty_percent=Decimal(20))

    # then the captain reads their refund, the teammate that fees go back to the payer
    rows = notified(event)
    assert "RM 16.00 of the entry fee you paid is back in your wallet." in rows[captain.pk].body
    assert rows[captain.pk].data == {"event_id": event.pk, "refund": {"method": "wallet", "amount": "16.00"}}
    assert "Entry fees go back to whoever paid them" in rows[teammate.pk].body
    assert rows[teammate.pk].data == {"event_id": event.pk, "refund": None}
    assert all(row.read_at is None for row in rows.values())


def test_the_roster_at_entry_counts_not_the_team_today():
    # given a team of two entered in an event, which then takes on a third player (the two entered
    # stay on the roster until the event is over: roster_locked)
    organizer, captain = UserFactory(), UserFactory()
    event = EventFactory(organizer=organizer, is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
    team = team_with_members(captain, 2)
    entered = team.memberships.exclude(user=captain).get().user
    registration_join(event_id=event.pk, user=captain, team_id=team.pk, payment_method="wallet")
    newcomer = UserFactory()
    team_member_add(team_id=team.pk, user=newcomer)

    # when the event is cancelled
    event_cancel(event_id=event.pk, actor=organizer)

    # then the players who were entered hear about it (a free event: no refund talk), the newcomer does not
    rows = notified(event)
    assert set(rows) == {captain.pk, entered.pk}
    assert rows[entered.pk].body == f"{event.name} was cancelled by its organizer."


def test_cancelling_again_notifies_nobody_twice():
    organizer, player = UserFactory(), UserFactory()
    event = EventFactory(organizer=organizer)
    paid_entry(event, player)
    event_cancel(event_id=event.pk, actor=organizer)

    with pytest.raises(AlreadyCancelled):
        event_cancel(event_id=event.pk, actor=organizer)

    assert Notification.objects.filter(user=player, kind="event_cancelled").count() == 1


@pytest.mark.django_db(transaction=True)
def test_every_player_on_a_cancelled_roster_is_emailed(eager_mail):
    from django.core import mail

    organizer = UserFactory()
    event = EventFactory(organizer=organizer, is_solo=False, team_size=2, entry_fee=Decimal("20.00"))
    captain = UserFactory()
    team = team_with_members(captain, 2)
    teammate = team.memberships.exclude(user=captain).get().user
    paid_entry(event, captain, team)
    mail.outbox.clear()

    event_cancel(event_id=event.pk, actor=organizer)

    cancelled = [message for message in mail.outbox if message.subject == f"Cancelled: {event.name}"]
    assert sorted(message.to[0] for message in cancelled) == sorted([captain.email, teammate.email])
