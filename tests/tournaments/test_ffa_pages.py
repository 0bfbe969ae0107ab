"""Free-for-all through the services and the pages: settings, lobbies kept or reshuffled, hosts,
corrections until the round closes, the bracket page's standings and lobbies, the organizer's
lobbies page and a lobby's results page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from driftwood.core.exceptions import PermissionDenied
from driftwood.notifications.models import Notification
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.brackets.ffa import selectors, services
from tournaments.brackets.services.seeding import seeding_apply
from tournaments.brackets.services.start import event_start
from tournaments.exceptions import (
    InvalidResults,
    InvalidStatus,
    LobbyClosed,
    ReopenRefused,
    RoundNotReady,
    SeedingLocked,
)
from tournaments.models import Entry, Event, Lobby, LobbyResult
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def ffa_event(count: int, **settings) -> Event:
    """A free free-for-all with `count` players registered (seed = registration order), not started."""
    event = EventFactory(
        format=Event.Format.FREE_FOR_ALL, entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=count
    )
    for player in UserFactory.create_batch(count):
        registration_join(event_id=event.pk, user=player)
    if settings:
        services.ffa_settings_update(event_id=event.pk, actor=event.organizer, **settings)
    return event


def started(count: int, **settings) -> Event:
    event = ffa_event(count, **settings)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    return event


def lobbies(event: Event, round_number: int) -> list[Lobby]:
    return list(Lobby.objects.filter(stage__event=event, round=round_number).order_by("number"))


def entries_of(lobby: Lobby) -> list[int]:
    return sorted(lobby.slots.values_list("entry_id", flat=True))


def by_seed(lobby: Lobby, kills: int = 0) -> list[dict]:
    """The lobby's result with the best seed 1st."""
    slots = lobby.slots.select_related("entry").order_by("entry__seed")
    return [{"entry_id": slot.entry_id, "placement": index, "kills": kills} for index, slot in enumerate(slots, 1)]


def play_round(event: Event, round_number: int) -> None:
    for lobby in lobbies(event, round_number):
        services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=by_seed(lobby))
    services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=round_number)


# --- Services


def test_settings_default_to_lobbies_of_100_and_pubg_points_and_are_fixed_at_the_start():
    event = ffa_event(3)
    defaults = selectors.ffa_settings_of(event)
    assert (defaults.lobby_size, defaults.rounds, list(defaults.placement_points), defaults.kill_points) == (
        100,
        3,
        [10, 6, 5, 4, 3, 2, 1, 1],
        1,
    )
    services.ffa_settings_update(event_id=event.pk, actor=event.organizer, preset="apex", rounds=2, lobby_size=2)
    with pytest.raises(PermissionDenied):
        services.ffa_settings_update(event_id=event.pk, actor=UserFactory(), rounds=4)
    event_start(event_id=event.pk, actor=event.organizer)
    stage = selectors.ffa_stage(event.pk)
    assert stage.options["placement_points"][:3] == [12, 9, 7] and stage.options["rounds"] == 2
    assert [len(entries_of(lobby)) for lobby in lobbies(event, 1)] == [1, 2]
    with pytest.raises(InvalidStatus):
        services.ffa_settings_update(event_id=event.pk, actor=event.organizer, rounds=4)


def test_settings_only_for_a_free_for_all():
    event = EventFactory(format=Event.Format.SINGLE_ELIMINATION)
    with pytest.raises(InvalidStatus):
        services.ffa_settings_update(event_id=event.pk, actor=event.organizer, rounds=2)


def test_without_reshuffles_every_round_keeps_the_first_rounds_lobbies():
    event = started(9, lobby_size=4, rounds=3)
    first = [entries_of(lobby) for lobby in lobbies(event, 1)]
    assert [len(entries) for entries in first] == [3, 3, 3]
    play_round(event, 1)
    assert [entries_of(lobby) for lobby in lobbies(event, 2)] == first


def test_with_reshuffles_the_next_round_is_dealt_by_the_standings():
    # given 4 players in lobbies of 2 (seeds 1,4 and 2,3), reshuffled
    event = started(4, lobby_size=2, rounds=2, reshuffle=True)
    seeds = dict(Entry.objects.filter(event=event).values_list("seed", "pk"))
    assert [entries_of(lobby) for lobby in lobbies(event, 1)] == [
        sorted([seeds[1], seeds[4]]),
        sorted([seeds[2], seeds[3]]),
    ]

    # when seed 4 and seed 3 win their lobbies (4 with more kills) and the round closes
    first, second = lobbies(event, 1)
    services.lobby_results_enter(
        lobby_id=first.pk,
        actor=event.organizer,
        results=[
            {"entry_id": seeds[4], "placement": 1, "kills": 3},
            {"entry_id": seeds[1], "placement": 2, "kills": 0},
        ],
    )
    services.lobby_results_enter(
        lobby_id=second.pk,
        actor=event.organizer,
        results=[
            {"entry_id": seeds[3], "placement": 1, "kills": 1},
            {"entry_id": seeds[2], "placement": 2, "kills": 0},
        ],
    )
    services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=1)

    # then the standings (4, 3, 1, 2) are dealt snake-wise: 4 with 2, 3 with 1
    assert [entries_of(lobby) for lobby in lobbies(event, 2)] == [
        sorted([seeds[4], seeds[2]]),
        sorted([seeds[3], seeds[1]]),
    ]


def test_a_host_enters_their_lobby_until_the_round_closes_and_every_version_is_kept():
    event = started(4, lobby_size=2, rounds=2)
    first, second = lobbies(event, 1)
    host = UserFactory()
    with pytest.raises(PermissionDenied):
        services.lobby_results_enter(lobby_id=first.pk, actor=host, results=by_seed(first))
    with pytest.raises(PermissionDenied):
        services.lobby_host_set(lobby_id=first.pk, actor=host, host_id=host.pk)
    services.lobby_host_set(lobby_id=first.pk, actor=event.organizer, host_id=host.pk)
    services.lobby_host_set(lobby_id=first.pk, actor=event.organizer, host_id=host.pk)
    told = Notification.objects.get(user=host, kind="lobby_host")
    assert told.url == f"/events/{event.pk}/lobbies/{first.pk}/"
    with pytest.raises(PermissionDenied):
        services.lobby_results_enter(lobby_id=second.pk, actor=host, results=by_seed(second))

    services.lobby_results_enter(lobby_id=first.pk, actor=host, results=by_seed(first, kills=1))
    # a correction swaps the placements (the unique placement per lobby holds throughout)
    swapped = [{**row, "placement": 3 - row["placement"]} for row in by_seed(first, kills=2)]
    services.lobby_results_enter(lobby_id=first.pk, actor=event.organizer, results=swapped)
    with pytest.raises(RoundNotReady):
        services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=1)
    with pytest.raises(InvalidStatus):
        services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=2)
    services.lobby_results_enter(lobby_id=second.pk, actor=event.organizer, results=by_seed(second))
    services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=1)

    first.refresh_from_db()
    assert sorted(first.slots.values_list("placement", "kills")) == [(1, 2), (2, 2)]
    versions = list(LobbyResult.objects.filter(lobby=first).order_by("version"))
    assert [(row.version, row.entered_by_id) for row in versions] == [(1, host.pk), (2, event.organizer_id)]
    assert versions[0].rows[0]["kills"] == 1
    with pytest.raises(LobbyClosed):
        services.lobby_results_enter(lobby_id=first.pk, actor=event.organizer, results=by_seed(first))


@pytest.mark.parametrize(
    "change",
    [
        lambda rows: rows[:-1],
        lambda rows: [*rows, rows[0]],
        lambda rows: [{**rows[0], "placement": 2}, *rows[1:]],
        lambda rows: [{**rows[0], "kills": -1}, *rows[1:]],
        lambda rows: [{**rows[0], "entry_id": 0}, *rows[1:]],
    ],
)
def test_an_impossible_result_is_refused_and_nothing_changes(change):
    event = started(6, lobby_size=3)
    lobby = lobbies(event, 1)[0]
    with pytest.raises(InvalidResults):
        services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=change(by_seed(lobby)))
    assert not lobby.slots.filter(placement__isnull=False).exists()
    assert not LobbyResult.objects.exists()


def test_results_lock_the_seeding_and_a_reseed_before_them_draws_the_lobbies_again():
    event = started(4, lobby_size=2)
    seeding_apply(event_id=event.pk, actor=event.organizer, method="random")
    assert Lobby.objects.filter(stage__event=event).count() == 2
    lobby = lobbies(event, 1)[0]
    services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=by_seed(lobby))
    with pytest.raises(SeedingLocked):
        seeding_apply(event_id=event.pk, actor=event.organizer, method="random")


def test_the_last_round_completes_the_event_with_places_one_to_n():
    event = started(5, lobby_size=3, rounds=2)
    play_round(event, 1)
    play_round(event, 2)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    places = sorted(Entry.objects.filter(event=event).values_list("placement", flat=True))
    assert places == [1, 2, 3, 4, 5]


def test_squads_play_as_entries_and_every_member_is_told_their_lobby(settings):
    # given four squads of two in a free squad free-for-all, lobbies of 25 (the squad default)
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    event = EventFactory(
        format=Event.Format.FREE_FOR_ALL,
        is_solo=False,
        team_size=2,
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=4,
    )
    captains = UserFactory.create_batch(4)
    for captain in captains:
        registration_join(event_id=event.pk, user=captain, team_id=team_with_members(captain, 2).pk)

    # when it starts and its three rounds are played
    event_start(event_id=event.pk, actor=event.organizer)
    (lobby,) = lobbies(event, 1)
    assert len(entries_of(lobby)) == 4
    assert Notification.objects.filter(kind="lobby_assigned").count() == 8
    for round_number in (1, 2, 3):
        play_round(event, round_number)

    # then the squads are placed 1..4, best seed first (it won every round)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    placed = Entry.objects.filter(event=event).order_by("seed").values_list("placement", flat=True)
    assert list(placed) == [1, 2, 3, 4]


def test_the_last_closed_round_opens_again_until_the_next_has_results_or_the_prizes_are_paid(settings):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(hours=24)
    event = started(4, lobby_size=2, rounds=2)
    play_round(event, 1)
    first_round_two = {lobby.pk for lobby in lobbies(event, 2)}
    with pytest.raises(InvalidStatus):
        services.ffa_round_reopen(event_id=event.pk, actor=event.organizer, round_number=2)
    with pytest.raises(PermissionDenied):
        services.ffa_round_reopen(event_id=event.pk, actor=UserFactory(), round_number=1)

    # reopening round 1 withdraws round 2's lobbies; closing it again deals them afresh
    services.ffa_round_reopen(event_id=event.pk, actor=event.organizer, round_number=1)
    assert lobbies(event, 2) == [] and all(not lobby.is_closed for lobby in lobbies(event, 1))
    lobby = lobbies(event, 1)[0]
    corrected = [{**row, "kills": 4} for row in by_seed(lobby)]
    services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=corrected)
    services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=1)
    assert {lobby.pk for lobby in lobbies(event, 2)}.isdisjoint(first_round_two)

    # once round 2 has a result, round 1 stays closed
    second = lobbies(event, 2)[0]
    services.lobby_results_enter(lobby_id=second.pk, actor=event.organizer, results=by_seed(second))
    with pytest.raises(ReopenRefused):
        services.ffa_round_reopen(event_id=event.pk, actor=event.organizer, round_number=1)

    # the completed event's last round reopens inside the dispute window: under way again, no places
    play_round(event, 2)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    services.ffa_round_reopen(event_id=event.pk, actor=event.organizer, round_number=2)
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING and event.completed_at is None
    assert not Entry.objects.filter(event=event, placement__isnull=False).exists()
    services.ffa_round_close(event_id=event.pk, actor=event.organizer, round_number=2)
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED

    # and never once the prizes are paid
    Event.objects.filter(pk=event.pk).update(prizes_paid_at=event.completed_at)
    with pytest.raises(InvalidStatus):
        services.ffa_round_reopen(event_id=event.pk, actor=event.organizer, round_number=2)


# --- Pages


def test_the_bracket_page_shows_the_standings_and_the_lobbies_in_a_fixed_number_of_queries(client):
    event = started(12, lobby_size=4, rounds=2)
    play_round(event, 1)

    def page():
        response = client.get(f"/events/{event.pk}/bracket/")
        assert response.status_code == 200
        return response

    with CaptureQueriesContext(connection) as small:
        page()
    body = page().content.decode()
    assert 'id="ffa-standings"' in body and body.count('class="card ffa-lobby"') == 6
    assert "Round 2 of 2 is being played." in body
    standings = page().context["ffa"].standings
    assert [row.standing.place for row in standings] == list(range(1, 13))
    # the players placed 1st in round 1 have 10 points and top the table
    assert [row.standing.points for row in standings[:3]] == [10, 10, 10]
    play_round(event, 2)
    with CaptureQueriesContext(connection) as large:
        page()
    assert len(large) == len(small)
    assert "Final standings" in page().content.decode()


def test_the_fragment_offers_result_entry_only_to_those_who_may(client):
    event = started(4, lobby_size=2)
    first, _second = lobbies(event, 1)
    host = UserFactory()
    services.lobby_host_set(lobby_id=first.pk, actor=event.organizer, host_id=host.pk)
    url = f"/events/{event.pk}/bracket/fragment/"
    assert "Enter results" not in client.get(url).content.decode()
    assert client_for(host).get(url).content.decode().count("Enter results") == 1
    assert client_for(event.organizer).get(url).content.decode().count("Enter results") == 2


def test_the_organizer_sets_the_points_table_on_the_lobbies_page():
    event = ffa_event(3)
    organizer = client_for(event.organizer)
    assert organizer.get(f"/events/{event.pk}/ffa/").status_code == 200
    bad = organizer.post(
        f"/events/{event.pk}/ffa/",
        {"lobby_size": 20, "rounds": 2, "placement_points": "3, 5", "kill_points": 1, "preset": ""},
    )
    assert bad.status_code == 400
    saved = organizer.post(
        f"/events/{event.pk}/ffa/",
        {"lobby_size": 20, "rounds": 2, "placement_points": "5, 3, 1", "kill_points": 2, "reshuffle": "on"},
    )
    assert saved.status_code == 302
    settings = selectors.ffa_settings_of(event)
    assert (list(settings.placement_points), settings.kill_points, settings.reshuffle) == ([5, 3, 1], 2, True)
    assert client_for(UserFactory()).get(f"/events/{event.pk}/ffa/").status_code == 302


def test_a_lobbys_results_page_takes_placements_and_kills_and_the_round_closes_from_the_lobbies_page():
    event = started(4, lobby_size=2, rounds=1)
    organizer = client_for(event.organizer)
    for lobby in lobbies(event, 1):
        url = f"/events/{event.pk}/lobbies/{lobby.pk}/"
        assert organizer.get(url).status_code == 200
        rows = by_seed(lobby, kills=2)
        same = {f"placement_{row['entry_id']}": 1 for row in rows}
        assert organizer.post(url, {**same, **{f"kills_{row['entry_id']}": 0 for row in rows}}).status_code == 400
        data = {}
        for row in rows:
            data[f"placement_{row['entry_id']}"] = row["placement"]
            data[f"kills_{row['entry_id']}"] = row["kills"]
        assert organizer.post(url, data).status_code == 302
    page = organizer.get(f"/events/{event.pk}/ffa/").content.decode()
    assert "Close round 1" in page and "Reopen round" not in page
    closed = organizer.post(f"/events/{event.pk}/rounds/1/close/")
    assert closed.status_code == 302 and closed["Location"] == f"/events/{event.pk}/bracket/"
    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert "Reopen round 1" in organizer.get(f"/events/{event.pk}/ffa/").content.decode()
    assert organizer.post(f"/events/{event.pk}/rounds/1/reopen/").status_code == 302
    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING
    assert client_for(UserFactory()).get(f"/events/{event.pk}/lobbies/{lobbies(event, 1)[0].pk}/").status_code == 302


# --- Admin


def test_staff_see_lobbies_with_their_results_and_every_version_read_only():
    event = started(4, lobby_size=2)
    lobby = lobbies(event, 1)[0]
    services.lobby_results_enter(lobby_id=lobby.pk, actor=event.organizer, results=by_seed(lobby))
    staff = client_for(UserFactory(is_staff=True, is_superuser=True))
    listing = staff.get("/admin/tournaments/lobby/")
    assert listing.status_code == 200 and "Round 1, lobby 1" in listing.content.decode()
    page = staff.get(f"/admin/tournaments/lobby/{lobby.pk}/change/")
    assert page.status_code == 200
    assert event.organizer.username in page.content.decode()
    assert staff.post(f"/admin/tournaments/lobby/{lobby.pk}/delete/", {"post": "yes"}).status_code == 403
    assert staff.get("/admin/tournaments/freeforallsettings/").status_code == 200


# --- Public JSON and embed


def test_the_public_json_and_the_embed_carry_the_lobbies_and_standings(client):
    event = started(4, lobby_size=2, rounds=2)
    play_round(event, 1)
    body = client.get(f"/api/v1/events/{event.pk}/bracket").json()
    assert body["matches"] == []
    assert body["ffa"]["current_round"] == 2
    assert [row["place"] for row in body["ffa"]["standings"]] == [1, 2, 3, 4]
    assert [len(round_["lobbies"]) for round_ in body["ffa"]["rounds"]] == [2, 2]
    Event.objects.filter(pk=event.pk).update(embed_origins=["https://example.com"])
    embed = client.get(f"/embed/events/{event.pk}/bracket")
    assert embed.status_code == 200 and 'id="ffa-standings"' in embed.content.decode()
    other = EventFactory(format=Event.Format.SINGLE_ELIMINATION)
    assert client.get(f"/api/v1/events/{other.pk}/bracket").json()["ffa"] is None
