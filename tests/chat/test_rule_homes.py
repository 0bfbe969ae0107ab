"""Chat's rules each have one home: `dm_allowed` (who may start a DM) and tournaments' member
selectors (who is in an event's or a team's room), used by chat's services, push, selectors and
by the social profile page alike."""

from decimal import Decimal

import pytest
from django.urls import reverse

from chat import push, selectors
from chat.exceptions import CannotMessage
from chat.models import ChatRoom
from chat.services import can_access, dm_open, room_for
from social.services import friend_request_send
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.usefixtures("commit_hooks_run")  # friendship reads are cached by generation


def befriend(a, b):
    friend_request_send(requester=a, target_id=b.pk)
    friend_request_send(requester=b, target_id=a.pk)


@pytest.mark.parametrize(
    ("friends", "accepts_anyone", "active", "allowed"),
    [
        (True, False, True, True),
        (False, True, True, True),
        (False, False, True, False),
        (False, True, False, False),
    ],
)
def test_dm_allowed_is_friends_or_a_recipient_who_accepts_anyone(friends, accepts_anyone, active, allowed):
    # given two players, friends or not, and a recipient who may accept strangers
    sender = UserFactory()
    recipient = UserFactory(allow_messages_from_anyone=accepts_anyone)
    if friends:
        befriend(sender, recipient)
    recipient.is_active = active
    recipient.save(update_fields=["is_active"])

    # then the rule answers the same whether it loads the recipient or is handed the flag
    assert selectors.dm_allowed(sender.pk, recipient.pk) is allowed
    if active:
        assert selectors.dm_allowed(sender.pk, recipient.pk, recipient_accepts_anyone=accepts_anyone) is allowed


def test_nobody_may_message_themselves():
    player = UserFactory(allow_messages_from_anyone=True)

    assert selectors.dm_allowed(player.pk, player.pk) is False


def test_dm_open_and_the_profile_button_follow_dm_allowed(client):
    # given a stranger who does not accept messages, and one who does
    me, closed, open_ = UserFactory(), UserFactory(), UserFactory(allow_messages_from_anyone=True)
    client.force_login(me)

    # then the service refuses exactly where the rule does, and the profile offers the button likewise
    with pytest.raises(CannotMessage):
        dm_open(user=me, other_id=closed.pk)
    assert dm_open(user=me, other_id=open_.pk)[1] is True
    offered = {
        other.pk: client.get(reverse("social:profile", args=[other.pk])).context["can_message"]
        for other in (closed, open_, me)
    }
    assert offered == {closed.pk: False, open_.pk: True, me.pk: False}


def test_event_room_people_are_the_confirmed_players_and_the_organizer():
    # given a free event with one confirmed player and a bystander
    event = EventFactory(entry_fee=Decimal("0.00"))
    player, bystander = UserFactory(), UserFactory()
    registration_join(event_id=event.pk, user=player, payment_method="wallet")
    room = room_for(user_id=player.pk, room_id=f"event_{event.pk}")
    people = {player.pk, event.organizer_id}

    # then access, push recipients, the people list and the inbox all read the same selector
    assert [can_access(user_id=pk, room_id=room.room_id) for pk in (player.pk, event.organizer_id, bystander.pk)] == [
        True,
        True,
        False,
    ]
    assert push.member_ids(room) == people
    assert {user.pk for user in selectors.room_people(room=room)} == people
    assert room.pk in {r.pk for r in selectors.rooms_of(user_id=event.organizer_id)}
    assert room.pk not in {r.pk for r in selectors.rooms_of(user_id=bystander.pk)}


def test_team_room_people_are_the_team_members():
    # given a team of three and an outsider
    captain, outsider = UserFactory(), UserFactory()
    team = team_with_members(captain, 3)
    members = set(team.memberships.values_list("user_id", flat=True))
    room = room_for(user_id=captain.pk, room_id=f"team_{team.pk}")

    # then the room is theirs, titled after the team, and nobody else's
    assert (room.kind, room.title) == (ChatRoom.Kind.TEAM, team.name)
    assert push.member_ids(room) == members
    assert {user.pk for user in selectors.room_people(room=room)} == members
    assert not can_access(user_id=outsider.pk, room_id=room.room_id)
