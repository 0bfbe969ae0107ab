"""`match_permissions(match, user)`: the one home of who may report, resolve, reopen and dispute a
match. The services raise its refusals, the match page shows its flags."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from driftwood.core.exceptions import PermissionDenied
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.brackets.rules import match_permissions, seeding_refusal, start_refusal
from tournaments.brackets.selectors import match_get
from tournaments.brackets.services.matches import dispute_open, match_reopen, match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import DisputeAlreadyOpen, InvalidStatus, MatchNotPlayable, SeedingLocked
from tournaments.models import Event, Match
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.django_db

SERVICES = {
    "report": lambda match, user: match_report(match_id=match.pk, actor=user, score_a=2, score_b=0),
    "resolve": lambda match, user: match_resolve(match_id=match.pk, actor=user, score_a=2, score_b=0),
    "reopen": lambda match, user: match_reopen(match_id=match.pk, actor=user),
    "dispute": lambda match, user: dispute_open(match_id=match.pk, actor=user, reason="Wrong score."),
}


def final_of_two(**options) -> tuple[Event, Match]:
    """A free solo event of two players, started: its one match W1-1 is ready."""
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, **options)
    for _ in range(2):
        registration_join(event_id=event.pk, user=UserFactory())
    event_start(event_id=event.pk, actor=event.organizer)
    return event, loaded(Match.objects.get(event=event, key="W1-1"))


def loaded(match: Match) -> Match:
    """The match as the match page loads it (sides, reports and disputes with it)."""
    return match_get(user=match.event.organizer, match_id=match.pk)


def players(match: Match):
    return match.entry_a.registration.user, match.entry_b.registration.user


def flags(permissions) -> dict[str, bool]:
    return {name: getattr(permissions, f"can_{name}") for name in ("report", "resolve", "reopen", "dispute")}


def test_a_player_reports_a_ready_match_and_nothing_else():
    _event, match = final_of_two()
    player_a, _ = players(match)

    permissions = match_permissions(match, player_a)

    assert permissions.role == "a"
    assert flags(permissions) == {"report": True, "resolve": False, "reopen": False, "dispute": False}
    assert isinstance(permissions.refusal("resolve"), PermissionDenied)
    assert isinstance(permissions.refusal("dispute"), MatchNotPlayable)


def test_strangers_and_visitors_may_do_nothing():
    _event, match = final_of_two()

    for user in (UserFactory(), AnonymousUser()):
        permissions = match_permissions(match, user)
        assert permissions.role is None
        assert not permissions.can_act
        assert not permissions.can_see_disputes
        with pytest.raises(PermissionDenied, match="Only the players of this match or the organizer"):
            permissions.require("report")


def test_the_organizer_enters_a_result_but_decides_a_disputed_match_on_the_resolve_form():
    event, match = final_of_two()
    player_a, player_b = players(match)

    ready = match_permissions(match, event.organizer)
    assert ready.is_organizer and ready.is_official
    assert flags(ready) == {"report": True, "resolve": False, "reopen": False, "dispute": False}

    match_report(match_id=match.pk, actor=player_a, score_a=2, score_b=0)
    match_report(match_id=match.pk, actor=player_b, score_a=0, score_b=2)
    disputed = match_permissions(loaded(match), event.organizer)

    # the service would still take the organizer's report; the page offers the decision instead
    assert disputed.needs_decision
    assert disputed.allows("report")
    assert flags(disputed) == {"report": False, "resolve": True, "reopen": False, "dispute": False}


def test_staff_resolve_any_playable_match_and_are_not_offered_a_report():
    _event, match = final_of_two()

    permissions = match_permissions(match, UserFactory(is_staff=True))

    assert permissions.role == "staff" and permissions.is_official
    assert permissions.allows("report")
    assert flags(permissions) == {"report": False, "resolve": True, "reopen": False, "dispute": False}
    assert permissions.can_see_disputes


def test_a_completed_match_can_be_disputed_once_by_its_players_and_reopened_by_the_organizer():
    event, match = final_of_two()
    player_a, player_b = players(match)
    for player in (player_a, player_b):
        match_report(match_id=match.pk, actor=player, score_a=2, score_b=0)
    completed = loaded(match)

    assert flags(match_permissions(completed, player_b)) == {
        "report": False,
        "resolve": False,
        "reopen": False,
        "dispute": True,
    }
    assert flags(match_permissions(completed, event.organizer)) == {
        "report": False,
        "resolve": True,
        "reopen": True,
        "dispute": False,
    }

    dispute_open(match_id=match.pk, actor=player_b, reason="They used a banned hero.")
    under_review = match_permissions(loaded(match), player_b)

    assert not under_review.can_dispute
    assert isinstance(under_review.refusal("dispute"), DisputeAlreadyOpen)
    assert under_review.open_dispute is not None


def test_any_member_of_a_team_disputes_but_only_its_captain_reports():
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, is_solo=False, team_size=2)
    captains = [UserFactory(), UserFactory()]
    teams = [team_with_members(captain, 2) for captain in captains]
    for captain, team in zip(captains, teams, strict=True):
        registration_join(event_id=event.pk, user=captain, team_id=team.pk)
    event_start(event_id=event.pk, actor=event.organizer)
    match = loaded(Match.objects.get(event=event, key="W1-1"))
    member = teams[0].memberships.exclude(user=captains[0]).get().user

    permissions = match_permissions(match, member)

    assert permissions.role is None and permissions.playing
    assert not permissions.can_report
    assert permissions.can_see_disputes
    assert match_permissions(match, captains[0]).can_report


def test_results_are_final_once_prizes_are_paid():
    event, match = final_of_two()
    for player in players(match):
        match_report(match_id=match.pk, actor=player, score_a=2, score_b=0)
    Event.objects.filter(pk=event.pk).update(prizes_paid_at=timezone.now())

    permissions = match_permissions(loaded(match), event.organizer)

    assert not permissions.live
    assert not permissions.can_reopen and not permissions.can_resolve
    assert isinstance(permissions.refusal("reopen"), InvalidStatus)


@pytest.mark.parametrize("action", ["report", "resolve", "reopen", "dispute"])
def test_the_services_refuse_exactly_what_the_permissions_refuse(action):
    # given a ready match and everyone who might try
    event, match = final_of_two()
    player_a, _ = players(match)
    people = [player_a, event.organizer, UserFactory(), UserFactory(is_staff=True)]

    for person in people:
        refusal = match_permissions(loaded(match), person).refusal(action)
        if refusal is None:
            continue
        # when the service is asked, then it raises the same error with the same message
        with pytest.raises(type(refusal)) as raised:
            SERVICES[action](match, person)
        assert raised.value.message == refusal.message


def test_flags_on_a_loaded_match_cost_at_most_the_roster_query(django_assert_max_num_queries):
    # given a match loaded as the page loads it (sides, reports, disputes)
    event, match = final_of_two()
    player_a, _ = players(match)

    for user in (player_a, event.organizer):
        # when every flag is read, twice, then the roster is asked once and nothing else
        with django_assert_max_num_queries(1):
            permissions = match_permissions(match, user)
            assert flags(permissions) == flags(permissions)
            assert permissions.can_see_disputes
            assert permissions.can_act


def test_an_unknown_action_is_a_programming_error():
    event, match = final_of_two()

    with pytest.raises(ValueError, match="Unknown match action"):
        match_permissions(match, event.organizer).require("delete")


def test_seeding_is_open_until_a_match_has_a_result_and_the_start_only_before_it():
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0)
    for _ in range(2):
        registration_join(event_id=event.pk, user=UserFactory())
    assert seeding_refusal(event) is None
    assert start_refusal(event) is None

    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    assert seeding_refusal(event) is None
    assert isinstance(start_refusal(event), InvalidStatus)

    match = loaded(Match.objects.get(event=event, key="W1-1"))
    player_a, _ = players(match)
    match_report(match_id=match.pk, actor=player_a, score_a=2, score_b=0)
    assert isinstance(seeding_refusal(event), SeedingLocked)

    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)
    event.refresh_from_db()
    assert isinstance(seeding_refusal(event), InvalidStatus)
