"""The bracket pages through Django's test client: the bracket drawing, match pages (reports,
disputes with evidence, the organizer's decisions), the organizer's manage page and check-in."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import EventFactory, GameFactory, UserFactory
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Entry, Event, Match, MatchReport
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_of(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def open_event(count: int, **fields) -> tuple[Event, list]:
    """A free event with `count` registered players (registration order = seed order), not started."""
    defaults = {"entry_fee": Decimal("0.00"), "check_in_minutes": 0, "max_participants": max(count, 2)}
    event = EventFactory(**{**defaults, **fields})
    players = UserFactory.create_batch(count)
    for player in players:
        registration_join(event_id=event.pk, user=player)
    return event, players


def started_event(count: int, **fields) -> tuple[Event, list]:
    event, players = open_event(count, **fields)
    event_start(event_id=event.pk, actor=event.organizer)
    event.refresh_from_db()
    return event, players


def match(event: Event, key: str) -> Match:
    return Match.objects.select_related("entry_a__registration", "entry_b__registration").get(event=event, key=key)


def player_of(entry: Entry):
    return entry.registration.user


def bracket_url(event) -> str:
    return f"/events/{event.pk}/bracket/"


def match_url(match_or_id) -> str:
    return f"/events/matches/{getattr(match_or_id, 'pk', match_or_id)}/"


def slot_labels(column) -> list:
    return [None if view is None else (view.a.label, view.b.label) for view in column.slots]


# --- The bracket page


def test_single_elimination_of_five_shows_byes_for_the_top_seeds_and_who_is_still_to_be_decided(client):
    # given five players: seeds 1-3 get first-round byes, 4 and 5 play
    event, players = started_event(5)
    name = {seed: players[seed - 1].display_name for seed in range(1, 6)}

    response = client.get(bracket_url(event))

    assert response.status_code == 200
    [section] = response.context["bracket"].sections
    assert [column.title for column in section.columns] == ["Quarterfinals", "Semifinals", "Final"]
    first, second, final = section.columns
    # the full eight-slot bracket order 1-8, 4-5, 2-7, 3-6, byes drawn where the match would be
    assert slot_labels(first) == [(name[1], "BYE"), (name[4], name[5]), (name[2], "BYE"), (name[3], "BYE")]
    assert [view.match is None for view in first.slots] == [True, False, True, True]
    assert slot_labels(second) == [(name[1], "Winner of W1-2"), (name[2], name[3])]
    assert slot_labels(final) == [("Winner of W2-1", "Winner of W2-2")]
    # connectors: pairs meet half way, the final has none
    assert [view.joins for view in first.slots] == ["down", "up", "down", "up"]
    assert [view.joins for view in final.slots] == [""]
    page = page_of(response)
    assert "Winner of W1-2" in page
    assert f'href="{match_url(match(event, "W1-2"))}"' in page


def test_results_show_scores_and_the_winner_moves_on(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    match_report(match_id=semifinal.pk, actor=event.organizer, score_a=2, score_b=0)

    page = page_of(client.get(bracket_url(event)))

    winner = semifinal.entry_a.name
    assert re.search(
        rf'<span class="bk-side is-winner">.*?{winner}.*?<span class="bk-score">2</span>', page, flags=re.S
    )
    final = client.get(bracket_url(event)).context["bracket"].sections[0].columns[-1].slots[0]
    assert (final.a.label, final.b.label) == (winner, "Winner of W1-2")


def test_double_elimination_draws_the_losers_bracket_below_and_the_grand_final(client):
    event, _players = started_event(4, format=Event.Format.DOUBLE_ELIMINATION, bracket_reset=True)

    response = client.get(bracket_url(event))

    sections = response.context["bracket"].sections
    assert [section.key for section in sections] == ["winners", "losers", "final"]
    losers = sections[1]
    assert [column.title for column in losers.columns] == ["Losers round 1", "Losers final"]
    assert slot_labels(losers.columns[0]) == [("Loser of W1-1", "Loser of W1-2")]
    assert slot_labels(losers.columns[1]) == [("Winner of L1-1", "Loser of W2-1")]
    assert [column.title for column in sections[2].columns] == ["Grand final", "Grand final reset"]
    page = page_of(response)
    assert page.index("Winners bracket") < page.index("Losers bracket") < page.index("Grand final")


def test_round_robin_shows_standings_from_the_results_and_the_rounds(client):
    event, players = started_event(4, format=Event.Format.ROUND_ROBIN)
    # seed 1 wins both of its first two matches
    for played in Match.objects.filter(event=event, round__in=[1, 2]).order_by("round", "position"):
        first = played.entry_a.seed < played.entry_b.seed
        match_report(match_id=played.pk, actor=event.organizer, score_a=2 if first else 0, score_b=0 if first else 2)

    response = client.get(bracket_url(event))

    bracket = response.context["bracket"]
    [group] = bracket.groups
    top = group.rows[0]
    assert (top.place, top.entry.seed, top.standing.points, top.standing.wins) == (1, 1, 6, 2)
    assert [round_view.title for round_view in bracket.rounds] == ["Round 1", "Round 2", "Round 3"]
    page = page_of(response)
    assert "Standings" in page
    assert players[0].display_name in page


def test_swiss_with_an_odd_count_shows_the_bye(client):
    event, _players = started_event(5, format=Event.Format.SWISS)

    response = client.get(bracket_url(event))

    [first_round] = response.context["bracket"].rounds
    byes = [view for view in first_round.matches if view.b.is_bye]
    assert len(byes) == 1
    assert byes[0].match.status == Match.Status.WALKOVER
    assert "Buchholz" in page_of(response)


def test_the_bracket_costs_the_same_queries_for_four_or_sixteen_entrants(client):
    small, _ = started_event(4)
    large, _ = started_event(16, format=Event.Format.DOUBLE_ELIMINATION)
    client.get(bracket_url(small))  # warm the session and content types

    with CaptureQueriesContext(connection) as small_queries:
        client.get(bracket_url(small))
    with CaptureQueriesContext(connection) as large_queries:
        client.get(bracket_url(large))

    assert len(large_queries) == len(small_queries)


def test_the_fragment_is_the_bracket_alone(client):
    event, players = started_event(4)

    response = client.get(f"/events/{event.pk}/bracket/fragment/")

    body = page_of(response)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="bracket-body"')
    assert "<html" not in body
    assert players[0].display_name in body


def test_before_the_start_the_page_says_when_the_bracket_appears(client):
    event, _players = open_event(4)

    page = page_of(client.get(bracket_url(event)))

    assert "The bracket is drawn when the organizer starts the event." in page


def test_a_draft_has_no_bracket_page_for_others(client):
    event = EventFactory(status=Event.Status.DRAFT, published_at=None)

    assert client.get(bracket_url(event)).status_code == 404
    assert client.get(f"/events/{event.pk}/bracket/fragment/").status_code == 404


def test_a_match_page_is_shown_to_whoever_may_see_its_event_and_to_nobody_else(client):
    # given a started event's match, and the same event taken back to a draft (its matches kept)
    event, players = started_event(2)
    final = match(event, "W1-1")
    outsider = UserFactory()

    # then anyone sees the match while the event is public
    assert client.get(match_url(final)).status_code == 200
    assert client_for(outsider).get(match_url(final)).status_code == 200

    # and once it is a draft only its organizer does: the players, others and visitors get a 404
    Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
    assert client_for(event.organizer).get(match_url(final)).status_code == 200
    assert client_for(players[0]).get(match_url(final)).status_code == 404
    assert client_for(outsider).get(match_url(final)).status_code == 404
    assert client.get(match_url(final)).status_code == 404
    assert client.get(match_url(final.pk + 1000)).status_code == 404


def test_completed_event_lists_the_final_places(client, settings):
    settings.RESULTS_DISPUTE_WINDOW = timedelta(hours=24)
    event, _players = started_event(2)
    final = match(event, "W1-1")
    match_report(match_id=final.pk, actor=event.organizer, score_a=0, score_b=1)

    response = client.get(bracket_url(event))

    placements = response.context["bracket"].placements
    assert [(entry.placement, entry.pk) for entry in placements] == [(1, final.entry_b_id), (2, final.entry_a_id)]
    assert "Final standings" in page_of(response)


# --- Match page: reports


def test_both_sides_report_the_same_score_and_the_match_completes(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    side_a, side_b = client_for(player_of(semifinal.entry_a)), client_for(player_of(semifinal.entry_b))

    first = side_a.post(f"{match_url(semifinal)}report/", {"score_a": "2", "score_b": "1"}, follow=True)
    semifinal.refresh_from_db()
    assert semifinal.status == Match.Status.REPORTED
    assert "The other side confirms it by reporting the same score." in " ".join(shown_messages(first))
    second = side_b.post(f"{match_url(semifinal)}report/", {"score_a": "2", "score_b": "1"}, follow=True)

    semifinal.refresh_from_db()
    assert (semifinal.status, semifinal.winner_id) == (Match.Status.COMPLETED, semifinal.entry_a_id)
    assert match(event, "W2-1").entry_a_id == semifinal.entry_a_id
    assert "The result is in" in " ".join(shown_messages(second))
    reports = [(report.side, report.version, report.score_a, report.score_b) for report in second.context["reports"]]
    assert reports == [("a", 1, 2, 1), ("b", 1, 2, 1)]
    assert page_of(second).count('<td class="num">2 &ndash; 1</td>') == 2


def test_different_scores_make_the_dispute_opened_and_the_organizer_decides(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    client_for(player_of(semifinal.entry_a)).post(f"{match_url(semifinal)}report/", {"score_a": "1", "score_b": "0"})
    client_for(player_of(semifinal.entry_b)).post(f"{match_url(semifinal)}report/", {"score_a": "0", "score_b": "1"})
    semifinal.refresh_from_db()
    assert semifinal.status == Match.Status.DISPUTED
    organizer = client_for(event.organizer)
    assert "Decide the result" in page_of(organizer.get(match_url(semifinal)))

    response = organizer.post(
        f"{match_url(semifinal)}resolve/", {"score_a": "0", "score_b": "1", "resolution": "Replay checked."}
    )

    assert response.status_code == 302
    semifinal.refresh_from_db()
    assert (semifinal.status, semifinal.winner_id) == (Match.Status.COMPLETED, semifinal.entry_b_id)
    assert MatchReport.objects.filter(match=semifinal, side=MatchReport.Side.ORGANIZER).count() == 1


def test_a_level_score_in_elimination_is_refused_and_nothing_is_recorded(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response = client_for(player_of(semifinal.entry_a)).post(
        f"{match_url(semifinal)}report/", {"score_a": "1", "score_b": "1"}, follow=True
    )

    assert "the scores cannot be level" in " ".join(shown_messages(response))
    assert not MatchReport.objects.filter(match=semifinal).exists()


def test_someone_not_in_the_match_cannot_report_it(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    other_match_player = player_of(match(event, "W1-2").entry_a)

    response = client_for(other_match_player).post(
        f"{match_url(semifinal)}report/", {"score_a": "2", "score_b": "0"}, follow=True
    )

    assert "Only the players of this match or the organizer can report it." in shown_messages(response)
    assert not MatchReport.objects.filter(match=semifinal).exists()
    assert "Report the score" not in page_of(response)


def test_a_missing_score_shows_the_form_again(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response = client_for(player_of(semifinal.entry_a)).post(f"{match_url(semifinal)}report/", {"score_a": "2"})

    assert response.status_code == 400
    assert "This field is required." in page_of(response)
    assert not MatchReport.objects.filter(match=semifinal).exists()


def test_posts_need_the_csrf_token(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(player_of(semifinal.entry_a))

    response = strict.post(f"{match_url(semifinal)}report/", {"score_a": "2", "score_b": "0"})

    assert response.status_code == 403
    assert not MatchReport.objects.filter(match=semifinal).exists()


def test_the_organizer_reopens_a_match_and_the_winner_leaves_the_next_one(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    match_report(match_id=semifinal.pk, actor=event.organizer, score_a=2, score_b=0)
    assert match(event, "W2-1").entry_a_id == semifinal.entry_a_id

    response = client_for(event.organizer).post(f"{match_url(semifinal)}reopen/", follow=True)

    semifinal.refresh_from_db()
    assert (semifinal.status, semifinal.winner_id, semifinal.attempt) == (Match.Status.READY, None, 2)
    assert match(event, "W2-1").entry_a_id is None
    assert "W1-1 is open again" in " ".join(shown_messages(response))


def test_a_player_cannot_reopen_a_match(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    match_report(match_id=semifinal.pk, actor=event.organizer, score_a=2, score_b=0)

    response = client_for(player_of(semifinal.entry_a)).post(f"{match_url(semifinal)}reopen/", follow=True)

    semifinal.refresh_from_db()
    assert semifinal.status == Match.Status.COMPLETED
    assert "Only the organizer or staff can do this." in shown_messages(response)


# --- Disputes and evidence


def dispute_with_evidence(event, semifinal, upload) -> tuple:
    """Side A reports, side B disputes with `upload`; returns (response, side B's user)."""
    match_report(match_id=semifinal.pk, actor=player_of(semifinal.entry_a), score_a=2, score_b=0)
    disputer = player_of(semifinal.entry_b)
    response = client_for(disputer).post(
        f"{match_url(semifinal)}dispute/", {"reason": "They used a banned hero.", "evidence": upload}
    )
    return response, disputer


def test_a_player_disputes_with_a_screenshot_that_only_the_people_involved_can_open(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response, disputer = dispute_with_evidence(event, semifinal, SimpleUploadedFile("proof.png", PNG, "image/png"))

    assert response.status_code == 302
    dispute = Dispute.objects.get(match=semifinal)
    assert (dispute.status, dispute.opened_by, dispute.reason) == ("open", disputer, "They used a banned hero.")
    semifinal.refresh_from_db()
    assert semifinal.status == Match.Status.DISPUTED
    evidence_url = f"/events/disputes/{dispute.pk}/evidence/"
    for allowed in (disputer, player_of(semifinal.entry_a), event.organizer, UserFactory(is_staff=True)):
        served = client_for(allowed).get(evidence_url)
        assert served.status_code == 200
        assert b"".join(served.streaming_content) == PNG
        assert served["Content-Type"] == "image/png"
    stranger = player_of(match(event, "W1-2").entry_a)
    assert client_for(stranger).get(evidence_url).status_code == 404
    assert Client().get(evidence_url).status_code == 404
    # the organizer's page links the file and offers the decision
    organizer_page = page_of(client_for(event.organizer).get(match_url(semifinal)))
    assert evidence_url in organizer_page
    assert "They used a banned hero." in organizer_page
    assert "They used a banned hero." not in page_of(client_for(stranger).get(match_url(semifinal)))


def test_evidence_over_the_size_limit_is_refused(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.DISPUTE_EVIDENCE_MAX_BYTES = 32
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response, _ = dispute_with_evidence(event, semifinal, SimpleUploadedFile("proof.png", PNG, "image/png"))

    assert response.status_code == 400
    assert "The file is too large" in page_of(response)
    assert not Dispute.objects.exists()
    assert not any(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("notes.txt", b"just text"),
        ("proof.png", b"<script>alert(1)</script>"),
        ("clip.exe", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"),
        ("x.html", b"<!doctype html><script>document.title = 'pwned'</script>"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_evidence_must_be_an_image_pdf_or_mp4(client, settings, tmp_path, name, content):
    settings.MEDIA_ROOT = tmp_path
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response, _ = dispute_with_evidence(event, semifinal, SimpleUploadedFile(name, content, "image/png"))

    assert response.status_code == 400
    assert "Upload an image (PNG, JPEG, GIF, WebP), a PDF or an MP4 video." in page_of(response)
    assert not Dispute.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


@pytest.mark.parametrize("name", ["clip.exe", "x.html"])
def test_evidence_is_told_by_its_bytes_not_its_name(client, settings, tmp_path, name):
    settings.MEDIA_ROOT = tmp_path
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")

    response, _ = dispute_with_evidence(event, semifinal, SimpleUploadedFile(name, PNG, "text/html"))

    # the PNG is taken as the PNG it is, stored and shown under that type only
    assert response.status_code == 302
    dispute = Dispute.objects.get()
    assert dispute.evidence.name.endswith(f"/{name.split('.')[0]}.png")
    assert dispute.evidence_type == "image/png"
    served = client_for(event.organizer).get(f"/events/disputes/{dispute.pk}/evidence/")
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == f'attachment; filename="dispute-{dispute.pk}-evidence.png"'
    organizer_page = page_of(client_for(event.organizer).get(match_url(semifinal)))
    assert f'<img src="/events/disputes/{dispute.pk}/evidence/"' in organizer_page


def test_a_dispute_without_a_file_is_fine_and_a_second_one_is_refused(client):
    event, _players = started_event(4)
    semifinal = match(event, "W1-1")
    match_report(match_id=semifinal.pk, actor=player_of(semifinal.entry_a), score_a=2, score_b=0)
    disputer = client_for(player_of(semifinal.entry_b))

    disputer.post(f"{match_url(semifinal)}dispute/", {"reason": "Wrong score."})
    again = client_for(player_of(semifinal.entry_a)).post(
        f"{match_url(semifinal)}dispute/", {"reason": "Me too."}, follow=True
    )

    assert Dispute.objects.filter(match=semifinal).count() == 1
    assert not Dispute.objects.get().evidence
    assert "Open dispute" not in page_of(again)


# --- Organizer's manage page, seeding and start


def test_only_the_organizer_manages_the_event(client):
    event, players = open_event(3)

    refused = client_for(players[0]).get(f"/events/{event.pk}/manage/", follow=True)
    page = client_for(event.organizer).get(f"/events/{event.pk}/manage/")

    assert "Only the organizer can manage this event." in shown_messages(refused)
    assert page.status_code == 200
    assert [entry.registration.user for entry in page.context["entries"]] == players


def test_the_manage_page_shows_who_checked_in(client):
    event, players = open_event(
        2,
        check_in_minutes=60,
        starts_at=timezone.now() + timedelta(minutes=30),
        registration_closes_at=timezone.now() + timedelta(minutes=10),
    )
    client_for(players[0]).post(f"/events/{event.pk}/check-in/")

    page = page_of(client_for(event.organizer).get(f"/events/{event.pk}/manage/"))

    assert "<strong>1 of 2</strong> checked in." in page
    assert f"by {players[0].public_name}" in page
    assert "Not checked in" in page


def test_manual_seeding_sets_the_order_and_confirming_fixes_it(client):
    event, players = open_event(3)
    organizer = client_for(event.organizer)
    entries = organizer.get(f"/events/{event.pk}/manage/").context["entries"]
    reversed_seeds = {f"seed_{entry.pk}": str(3 - index) for index, entry in enumerate(entries)}

    organizer.post(f"/events/{event.pk}/seeding/", {"method": "manual", **reversed_seeds})
    organizer.post(f"/events/{event.pk}/seeding/confirm/")

    seeds = dict(Entry.objects.filter(event=event).values_list("registration__user", "seed"))
    assert seeds == {players[0].pk: 3, players[1].pk: 2, players[2].pk: 1}
    event.refresh_from_db()
    assert event.seeding == Event.Seeding.MANUAL
    assert event.seeding_confirmed_at is not None


def test_manual_seeding_with_a_repeated_number_changes_nothing(client):
    event, _players = open_event(3)
    organizer = client_for(event.organizer)
    entries = organizer.get(f"/events/{event.pk}/manage/").context["entries"]

    response = organizer.post(
        f"/events/{event.pk}/seeding/", {"method": "manual", **{f"seed_{entry.pk}": "1" for entry in entries}}
    )

    assert response.status_code == 400
    assert "Give each entry a different seed from 1 to 3." in page_of(response)
    assert not Entry.objects.filter(event=event, seed__isnull=False).exists()


def test_starting_draws_the_bracket_and_opens_the_bracket_page(client):
    event, players = open_event(4)

    response = client_for(event.organizer).post(f"/events/{event.pk}/start/", follow=True)

    event.refresh_from_db()
    assert event.status == Event.Status.ONGOING
    assert response.redirect_chain[-1][0] == bracket_url(event)
    assert "has started: 3 matches drawn" in " ".join(shown_messages(response))
    assert players[3].display_name in page_of(response)


def test_starting_with_too_few_entries_is_refused(client):
    event, _players = open_event(1)

    response = client_for(event.organizer).post(f"/events/{event.pk}/start/", follow=True)

    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN
    assert "At least two checked-in entries are needed to start." in shown_messages(response)


def test_reseeding_after_the_start_redraws_the_bracket_until_a_result_is_in(client):
    event, players = started_event(4)
    organizer = client_for(event.organizer)
    entries = organizer.get(f"/events/{event.pk}/manage/").context["entries"]
    reversed_seeds = {f"seed_{entry.pk}": str(4 - index) for index, entry in enumerate(entries)}

    redrawn = organizer.post(f"/events/{event.pk}/seeding/", {"method": "manual", **reversed_seeds}, follow=True)

    assert "the bracket was drawn again" in " ".join(shown_messages(redrawn))
    top_seed = match(event, "W1-1").entry_a
    assert (top_seed.seed, top_seed.registration.user) == (1, players[3])
    match_report(match_id=match(event, "W1-1").pk, actor=event.organizer, score_a=1, score_b=0)
    assert "Apply seeding" not in page_of(organizer.get(f"/events/{event.pk}/manage/"))


def test_the_manage_page_lists_disputed_matches_and_offers_reopening(client):
    event, _players = started_event(4)
    disputed = match(event, "W1-1")
    client_for(player_of(disputed.entry_a)).post(f"{match_url(disputed)}report/", {"score_a": "1", "score_b": "0"})
    client_for(player_of(disputed.entry_b)).post(f"{match_url(disputed)}report/", {"score_a": "0", "score_b": "1"})
    finished = match(event, "W1-2")
    match_report(match_id=finished.pk, actor=event.organizer, score_a=1, score_b=0)
    organizer = client_for(event.organizer)

    disputes = organizer.get(f"/events/{event.pk}/manage/?matches=disputed")
    everything = organizer.get(f"/events/{event.pk}/manage/?matches=all")
    reopened = organizer.post(f"{match_url(finished)}reopen/", {"next": f"/events/{event.pk}/manage/"}, follow=True)

    assert [row.match.key for row in disputes.context["match_rows"]] == ["W1-1"]
    assert f'href="{match_url(disputed)}"' in page_of(disputes)
    assert "Reopen W1-2" in page_of(everything)
    assert reopened.redirect_chain[-1][0] == f"/events/{event.pk}/manage/"
    finished.refresh_from_db()
    assert finished.status == Match.Status.READY


# --- Event page: check-in and links


def check_in_event(**fields):
    return open_event(
        2,
        check_in_minutes=60,
        starts_at=timezone.now() + timedelta(minutes=30),
        registration_closes_at=timezone.now() + timedelta(minutes=10),
        **fields,
    )


def test_a_registered_player_checks_in_from_the_event_page(client):
    event, players = check_in_event()
    player = client_for(players[0])
    assert "Check in</button>" in page_of(player.get(f"/events/{event.pk}/"))

    response = player.post(f"/events/{event.pk}/check-in/", follow=True)

    entry = Entry.objects.get(registration__user=players[0])
    assert (entry.checked_in_by, entry.checked_in_at is not None) == (players[0], True)
    assert "You're checked in." in " ".join(shown_messages(response))
    assert "Check in</button>" not in page_of(response)
    assert "data-checked-in" in page_of(response)


def test_no_check_in_button_before_the_window_and_posting_is_refused(client):
    event, players = open_event(2, check_in_minutes=30)  # starts in a week
    player = client_for(players[0])

    page = page_of(player.get(f"/events/{event.pk}/"))
    response = player.post(f"/events/{event.pk}/check-in/", follow=True)

    assert "Check in</button>" not in page
    assert "Check-in opens" in page
    assert "Check-in is not open for this event." in shown_messages(response)
    assert not Entry.objects.filter(checked_in_at__isnull=False).exists()


def test_someone_not_registered_cannot_check_in(client):
    event, _players = check_in_event()

    response = client_for(UserFactory()).post(f"/events/{event.pk}/check-in/", follow=True)

    assert "You are not registered for this event." in shown_messages(response)


def test_the_event_page_links_the_bracket_once_started_and_manage_for_the_organizer(client):
    event, players = started_event(2)

    as_player = page_of(client_for(players[0]).get(f"/events/{event.pk}/"))
    as_organizer = page_of(client_for(event.organizer).get(f"/events/{event.pk}/"))

    assert f'href="{bracket_url(event)}"' in as_player
    assert "View the bracket" in as_player
    assert f'href="{match_url(match(event, "W1-1"))}">Go to your match</a>' in as_player
    assert f'href="/events/{event.pk}/manage/"' not in as_player
    assert f'href="/events/{event.pk}/manage/"' in as_organizer


# --- The event form's bracket options


def test_the_event_form_saves_the_bracket_options(client, user):
    game = GameFactory()
    starts = timezone.now() + timedelta(days=10)
    local = "%Y-%m-%dT%H:%M"
    data = {
        "name": "Double Trouble Cup",
        "game": game.pk,
        "tier": "community",
        "event_type": "online",
        "format": "double_elimination",
        "is_solo": "true",
        "team_size": "1",
        "max_participants": "8",
        "entry_fee": "0.00",
        "prize_pool": "0.00",
        "starts_at": timezone.localtime(starts).strftime(local),
        "registration_closes_at": timezone.localtime(starts - timedelta(days=1)).strftime(local),
        "check_in_minutes": "15",
        "no_show_refund_percent": "50",
        "best_of": "3",
        "seeding": "random",
        "groups": "1",
        "swiss_rounds": "",
        "bracket_reset": "on",
    }

    response = client_for(user).post("/events/new/", data)

    assert response.status_code == 302
    event = Event.objects.get(name="Double Trouble Cup")
    assert (event.best_of, event.seeding, event.bracket_reset, event.third_place_match) == (3, "random", True, False)
    assert (event.check_in_minutes, event.no_show_refund_percent, event.swiss_rounds) == (15, 50, None)


def test_an_even_best_of_is_refused_on_the_form(client, user):
    game = GameFactory()
    starts = timezone.now() + timedelta(days=10)
    local = "%Y-%m-%dT%H:%M"
    data = {
        "name": "Even Cup",
        "game": game.pk,
        "tier": "community",
        "event_type": "online",
        "format": "single_elimination",
        "is_solo": "true",
        "team_size": "1",
        "max_participants": "8",
        "entry_fee": "0.00",
        "prize_pool": "0.00",
        "starts_at": timezone.localtime(starts).strftime(local),
        "registration_closes_at": timezone.localtime(starts - timedelta(days=1)).strftime(local),
        "check_in_minutes": "0",
        "best_of": "2",
    }

    response = client_for(user).post("/events/new/", data)

    assert response.status_code == 200
    assert "Best of an odd number of games" in page_of(response)
    assert not Event.objects.filter(name="Even Cup").exists()
