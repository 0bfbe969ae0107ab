"""The dashboard costs the same number of queries whether the player has one of everything or many."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat import presence
from social.services import friend_request_accept, friend_request_send
from tests.core.dashboard_support import DAY, check_in_open, finish, free_event, joined, prize_event, started
from tests.factories import UserFactory
from tournaments.services.results import results_process_due
from tournaments.services.teams import team_create, team_invite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def give_the_player(player, count: int) -> None:
    """`count` of each thing the dashboard shows: events (upcoming, checking in, live, completed),
    held and paid prizes, friends online, team invitations and friend requests."""
    for number in range(count):
        joined(free_event(), player)
        check_in_open(player)
        started(player)
        held = prize_event()
        joined(held, player, UserFactory())
        finish(held, [1, 2], ago=timedelta(hours=1))
        paid = prize_event()
        joined(paid, player, UserFactory())
        finish(paid, [1, 2], ago=2 * DAY)
        friend = UserFactory()
        request = friend_request_send(requester=friend, target_id=player.pk).friendship
        friend_request_accept(user=player, friendship_id=request.pk)
        presence.connection_opened(user_id=friend.pk, connection_id=f"tab-{number}")
        captain = UserFactory()
        team = team_create(captain=captain, name=f"Squad {player.pk}-{number}")
        team_invite(team_id=team.pk, actor=captain, user=player)
        friend_request_send(requester=UserFactory(), target_id=player.pk)
    results_process_due()


def dashboard_queries(player, expected_events: int) -> int:
    client = Client()
    client.force_login(player)
    client.get("/")  # the wallet summary's cache filled, as on any visit after the first
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('class="dash-row dash-event"') == expected_events
    assert page.count("dash-friend") >= expected_events // 4
    return len(queries)


def test_query_count_does_not_grow_with_the_players_events_prizes_friends_or_invites():
    one, many = UserFactory(), UserFactory()
    give_the_player(one, 1)
    give_the_player(many, 4)

    # one of each: 5 events (upcoming, checking in, live, held, paid); four of each: 20 (the current
    # ones, 12, and the latest 5 finished of 8)
    assert dashboard_queries(one, 5) == dashboard_queries(many, 17)
