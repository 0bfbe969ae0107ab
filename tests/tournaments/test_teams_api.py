"""Teams over the API: create, read, add and remove members."""

import pytest

from tests.conftest import bearer_client
from tests.factories import UserFactory, team_with_members
from tournaments.models import Team, TeamMember

pytestmark = pytest.mark.django_db
TEAMS = "/api/v1/teams"


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code


def member_ids(team) -> set[int]:
    return set(TeamMember.objects.filter(team=team).values_list("user_id", flat=True))


class TestCreate:
    def test_the_creator_is_the_captain(self, user, jwt_client):
        response = jwt_client.post(TEAMS, {"name": "  Harimau Esports "})

        assert response.status_code == 201, response.json()
        team = Team.objects.get()
        body = response.json()
        assert body == {
            "id": team.pk,
            "name": "Harimau Esports",
            "captain": {"id": user.pk, "username": user.username},
            "members": [
                {
                    "id": user.pk,
                    "username": user.username,
                    "display_name": user.display_name,
                    "role": "captain",
                    "joined_at": body["members"][0]["joined_at"],
                }
            ],
            "created_at": body["created_at"],
        }
        assert body["created_at"].endswith("Z")

    def test_a_name_taken_in_any_case_is_409(self, jwt_client):
        team_with_members(UserFactory(username="first_cap"), 1)  # "Team first_cap"

        assert_error(jwt_client.post(TEAMS, {"name": "TEAM FIRST_CAP"}), 409, "team_name_taken")
        assert Team.objects.count() == 1

    @pytest.mark.parametrize("body", [{}, {"name": "   "}, {"name": "x" * 61}])
    def test_a_bad_name_is_400(self, jwt_client, body):
        response = jwt_client.post(TEAMS, body)

        assert_error(response, 400, "invalid")
        assert "name" in response.json()["errors"]
        assert not Team.objects.exists()

    def test_lists_the_callers_teams(self, user, jwt_client):
        captained = team_with_members(user, 3)
        other = team_with_members(UserFactory(), 2)
        TeamMember.objects.create(team=other, user=user)
        team_with_members(UserFactory(), 2)  # not the caller's

        response = jwt_client.get(TEAMS)

        assert response.status_code == 200
        assert {(team["id"], team["member_count"]) for team in response.json()["results"]} == {
            (captained.pk, 3),
            (other.pk, 3),
        }


class TestDetail:
    def test_shows_the_captain_and_members(self, jwt_client):
        captain = UserFactory()
        team = team_with_members(captain, 3)

        body = jwt_client.get(f"{TEAMS}/{team.pk}").json()

        assert body["captain"] == {"id": captain.pk, "username": captain.username}
        assert [member["role"] for member in body["members"]] == ["captain", "member", "member"]
        assert {member["id"] for member in body["members"]} == member_ids(team)

    def test_an_unknown_team_is_404(self, jwt_client):
        assert_error(jwt_client.get(f"{TEAMS}/987654321"), 404, "not_found")

    @pytest.mark.parametrize("size", [2, 20])
    def test_the_query_count_does_not_grow_with_the_team(self, jwt_client, size, django_assert_num_queries):
        team = team_with_members(UserFactory(), size)

        # the caller, the team with its captain, its members with their users
        with django_assert_num_queries(3):
            response = jwt_client.get(f"{TEAMS}/{team.pk}")

        assert len(response.json()["members"]) == size


class TestMembers:
    def test_the_captain_invites_a_player_who_joins_only_by_accepting(self, user, jwt_client):
        team = team_with_members(user, 1)
        player = UserFactory()

        response = jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": player.pk})

        assert response.status_code == 201, response.json()
        invite_id = response.json()["invite_id"]
        assert response.json() == {
            "invite_id": invite_id,
            "team_id": team.pk,
            "user_id": player.pk,
            "status": "pending",
        }
        assert member_ids(team) == {user.pk}
        invites = bearer_client(player).get("/api/v1/me/invites").json()["results"]
        assert [(item["invite_id"], item["team"]["name"], item["invited_by"]["id"]) for item in invites] == [
            (invite_id, team.name, user.pk)
        ]
        accepted = bearer_client(player).post(f"/api/v1/invites/{invite_id}/accept")
        assert accepted.json() == {"invite_id": invite_id, "status": "accepted"}
        assert member_ids(team) == {user.pk, player.pk}
        assert bearer_client(player).get("/api/v1/me/invites").json()["results"] == []

    def test_someone_else_cannot_add(self, jwt_client):
        team = team_with_members(UserFactory(), 1)

        assert_error(
            jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": UserFactory().pk}), 403, "permission_denied"
        )
        assert len(member_ids(team)) == 1

    def test_an_unknown_or_inactive_player_is_404(self, user, jwt_client):
        team = team_with_members(user, 1)
        inactive = UserFactory(is_active=False)

        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": 987654321}), 404, "not_found")
        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": inactive.pk}), 404, "not_found")
        assert member_ids(team) == {user.pk}

    def test_an_unknown_team_is_404(self, jwt_client):
        response = jwt_client.post(f"{TEAMS}/987654321/members", {"user_id": UserFactory().pk})

        assert_error(response, 404, "not_found")

    def test_inviting_a_member_or_inviting_twice_is_409(self, user, jwt_client):
        team = team_with_members(user, 2)
        member = team.memberships.exclude(user=user).get().user
        invited = UserFactory()

        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": member.pk}), 409, "already_invited")
        assert jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": invited.pk}).status_code == 201
        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": invited.pk}), 409, "already_invited")

    def test_the_captain_removes_a_member(self, user, jwt_client):
        team = team_with_members(user, 2)
        member = team.memberships.exclude(user=user).get().user

        response = jwt_client.delete(f"{TEAMS}/{team.pk}/members/{member.pk}")

        assert response.status_code == 204
        assert member_ids(team) == {user.pk}

    def test_a_member_leaves(self):
        team = team_with_members(UserFactory(), 2)
        member = team.memberships.exclude(user=team.captain).get().user

        response = bearer_client(member).delete(f"{TEAMS}/{team.pk}/members/{member.pk}/")

        assert response.status_code == 204
        assert member_ids(team) == {team.captain_id}

    def test_a_stranger_cannot_remove_anyone(self, jwt_client):
        team = team_with_members(UserFactory(), 2)
        member = team.memberships.exclude(user=team.captain).get().user

        assert_error(jwt_client.delete(f"{TEAMS}/{team.pk}/members/{member.pk}"), 403, "permission_denied")
        assert len(member_ids(team)) == 2

    def test_the_captain_cannot_leave(self, user, jwt_client):
        team = team_with_members(user, 2)

        assert_error(jwt_client.delete(f"{TEAMS}/{team.pk}/members/{user.pk}"), 409, "captain_cannot_leave")
        assert user.pk in member_ids(team)

    def test_removing_someone_not_in_the_team_is_404(self, user, jwt_client):
        team = team_with_members(user, 1)

        assert_error(jwt_client.delete(f"{TEAMS}/{team.pk}/members/{UserFactory().pk}"), 404, "not_found")


class TestInvitationsAndRoster:
    def test_only_the_invitee_answers_and_only_once(self, user, jwt_client):
        from driftwood.notifications.models import Notification

        team = team_with_members(user, 1)
        player = UserFactory()
        invite_id = jwt_client.post(f"{TEAMS}/{team.pk}/members", {"user_id": player.pk}).json()["invite_id"]

        note = Notification.objects.get(user=player, kind="team_invite")
        assert (note.url, note.data["invite_id"]) == (f"/events/teams/{team.pk}/", invite_id)
        # the captain (or anyone else) cannot answer for the player
        assert_error(jwt_client.post(f"/api/v1/invites/{invite_id}/accept"), 404, "not_found")
        declined = bearer_client(player).post(f"/api/v1/invites/{invite_id}/decline")
        assert declined.json() == {"invite_id": invite_id, "status": "declined"}
        assert_error(bearer_client(player).post(f"/api/v1/invites/{invite_id}/accept"), 409, "not_pending")
        assert member_ids(team) == {user.pk}

    def test_a_member_leaves_and_the_captain_must_hand_over_first(self, user, jwt_client):
        team = team_with_members(user, 2)
        member = team.memberships.exclude(user=user).get().user

        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/leave"), 409, "captain_cannot_leave")
        handed = jwt_client.post(f"{TEAMS}/{team.pk}/captain", {"user_id": member.pk})
        assert handed.status_code == 200
        assert handed.json()["captain"]["id"] == member.pk
        assert {row["id"]: row["role"] for row in handed.json()["members"]} == {user.pk: "member", member.pk: "captain"}

        assert jwt_client.post(f"{TEAMS}/{team.pk}/leave").status_code == 204
        assert member_ids(team) == {member.pk}
        assert_error(jwt_client.post(f"{TEAMS}/{team.pk}/captain", {"user_id": user.pk}), 403, "permission_denied")

    def test_a_roster_entered_in_an_unfinished_event_is_locked(self, user, jwt_client):
        from decimal import Decimal

        from tests.factories import EventFactory
        from tournaments.models import Event
        from tournaments.services.registrations import registration_join

        team = team_with_members(user, 2)
        member = team.memberships.exclude(user=user).get().user
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
        registration_join(event_id=event.pk, user=user, team_id=team.pk)

        assert_error(bearer_client(member).post(f"{TEAMS}/{team.pk}/leave"), 409, "roster_locked")
        assert_error(jwt_client.delete(f"{TEAMS}/{team.pk}/members/{member.pk}"), 409, "roster_locked")
        assert member_ids(team) == {user.pk, member.pk}

        # once the event is over, the roster is free again
        Event.objects.filter(pk=event.pk).update(status=Event.Status.COMPLETED)
        assert bearer_client(member).post(f"{TEAMS}/{team.pk}/leave").status_code == 204
