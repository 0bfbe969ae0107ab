"""The home page: the marketing page for visitors, the player's dashboard once logged in (next
match, check-ins, events, prizes, wallet, friends online, invitations), and its selector."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from chat import presence
from driftwood.core.dashboard import dashboard_for
from driftwood.core.times import malaysia_time
from social.services import friend_request_accept, friend_request_send
from tests.core.dashboard_support import (
    DAY,
    check_in_open,
    finish,
    free_event,
    joined,
    match_of,
    pending_entry,
    prize_event,
    started,
)
from tests.factories import UserFactory, funded_wallet, team_with_members
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Entry, Event, Match, PrizePayout, Registration
from tournaments.selectors.player import next_match_of, prizes_held_for
from tournaments.services.registrations import registration_join
from tournaments.services.results import results_process_due
from tournaments.services.teams import team_create, team_invite

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def home(user) -> str:
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, section_id: str) -> str:
    """The HTML of the dashboard's <section id=...> (sections do not nest)."""
    found = re.search(rf'<section[^>]*id="{section_id}".*?</section>', page, re.S)
    assert found, f"no section #{section_id}"
    return found.group(0)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


# --- Visitors and players


def test_a_visitor_gets_the_marketing_page(client):
    response = client.get("/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Create your free account" in page
    assert 'id="next-match"' not in page


def test_a_player_with_nothing_going_on_sees_every_section_empty(user):
    page = home(user)

    assert "Welcome back, <span" in page
    assert "No match waiting for you." in text_of(section(page, "next-match"))
    assert 'id="check-ins"' not in page
    assert "You have not entered an event yet." in text_of(section(page, "my-events"))
    assert "No prizes yet." in text_of(section(page, "prizes"))
    assert "No invitations waiting for you." in text_of(section(page, "invites"))
    assert "None of your friends is online right now." in text_of(section(page, "friends-online"))
    wallet = section(page, "wallet-summary")
    assert 'data-balance="usable">RM 0.00<' in wallet
    assert 'href="/wallet/"' in wallet


def test_the_dashboard_is_never_cached_and_only_read(user):
    client = client_for(user)

    response = client.get("/")

    assert "no-store" in response["Cache-Control"]
    assert client.post("/").status_code == 405


# --- Next match


def test_the_next_match_names_the_opponent_the_round_and_links_to_reporting():
    # given an event of four under way: the player (seed 1) meets seed 4 in W1-1
    player = UserFactory(display_name="Siti Sniper")
    event = started(player)
    first = match_of(event, "W1-1")
    opponent = first.entry_b.registration.user

    # when the player opens the home page
    page = home(player)

    # then the next match is W1-1 against that opponent, ready since it was drawn, with a report button
    card = section(page, "next-match")
    assert event.name in text_of(card)
    assert "Round 1" in text_of(card) and "W1-1" in card
    assert "<strong>Siti Sniper</strong>" in card
    assert f"data-opponent>{opponent.public_name}<" in card
    assert "Ready since" in card and malaysia_time(first.updated_at) in card
    assert f'href="/events/matches/{first.pk}/#report-form" data-report-score>Report score</a>' in card


def test_after_a_win_the_next_match_waits_for_the_opponent_still_to_be_decided():
    player = UserFactory()
    event = started(player)
    first = match_of(event, "W1-1")
    match_report(match_id=first.pk, actor=player, score_a=1, score_b=0)
    match_report(match_id=first.pk, actor=first.entry_b.registration.user, score_a=1, score_b=0)

    card = section(home(player), "next-match")

    final = match_of(event, "W2-1")
    assert "W2-1" in card and "Waiting for players" in card
    assert "Ready when the matches before it are decided." in card
    assert "data-opponent>Winner of W1-2<" in card
    assert "data-report-score" not in card
    assert f'href="/events/matches/{final.pk}/"' in card


def test_a_team_member_who_is_not_the_captain_is_sent_to_the_match_page_not_the_report_form():
    captains = UserFactory.create_batch(2)
    event = free_event(is_solo=False, team_size=2)
    teams = [team_with_members(captain, 2) for captain in captains]
    for captain, team in zip(captains, teams, strict=True):
        registration_join(event_id=event.pk, user=captain, team_id=team.pk)
    event_start(event_id=event.pk, actor=event.organizer)
    member = teams[0].memberships.exclude(user=captains[0]).get().user

    mine = next_match_of(user=member)
    captain_view = next_match_of(user=captains[0])

    assert mine.me == teams[0].name and mine.opponent == teams[1].name
    assert mine.can_report is False and captain_view.can_report is True
    assert "Your team's captain reports the score." in section(home(member), "next-match")


def test_matches_of_events_not_under_way_are_not_next():
    player = UserFactory()
    event = started(player)
    Event.objects.filter(pk=event.pk).update(status=Event.Status.COMPLETED, completed_at=timezone.now())

    assert next_match_of(user=player) is None


# --- Check-in


def test_an_open_check_in_offers_a_button_and_the_deadline_in_malaysia_time():
    player = UserFactory()
    event = check_in_open(player, name="Cyberjaya Clash")

    card = section(home(player), "check-ins")

    assert f'action="/events/{event.pk}/check-in/"' in card
    assert 'name="csrfmiddlewaretoken"' in card
    assert '<input type="hidden" name="next" value="/">' in card
    assert malaysia_time(event.starts_at) in card
    assert f'data-countdown="{timezone.localtime(event.starts_at).isoformat()}"' in card


def test_checking_in_from_the_dashboard_returns_there_checked_in():
    player = UserFactory()
    event = check_in_open(player)
    client = client_for(player)

    response = client.post(f"/events/{event.pk}/check-in/", {"next": "/"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    page = response.content.decode()
    assert "You&#x27;re checked in." in page
    assert 'id="check-ins"' not in page
    assert "Checked in" in section(page, "my-events")
    assert Entry.objects.get(registration__user=player).checked_in_at is not None


def test_check_in_never_follows_a_next_to_another_site():
    player = UserFactory()
    event = check_in_open(player)

    response = client_for(player).post(f"/events/{event.pk}/check-in/", {"next": "https://evil.example/"})

    assert response["Location"] == f"/events/{event.pk}/"


def test_a_check_in_not_open_yet_says_when_it_opens_and_offers_no_button():
    player = UserFactory()
    event = check_in_open(player, starts_in=timedelta(days=2))

    page = home(player)

    assert 'id="check-ins"' not in page
    assert f"check-in opens {malaysia_time(event.starts_at - timedelta(minutes=60))}" in text_of(
        section(page, "my-events")
    )


# --- My events


def test_my_events_lists_each_event_with_its_stage_and_the_entry_status():
    player = UserFactory()
    upcoming = free_event(name="Upcoming Open")
    joined(upcoming, player)
    full = free_event(name="Full House", max_participants=2)
    joined(full, *UserFactory.create_batch(2))
    registration_join(event_id=full.pk, user=player, waitlist=True)
    paying = free_event(name="Card Cup", entry_fee=Decimal("10.00"))
    pending_entry(paying, player)
    live = started(player, name="Live League")
    done = prize_event(name="Finished Final")
    joined(done, player, UserFactory())
    finish(done, [2, 1], ago=2 * DAY)
    other = free_event(name="Not Mine")
    joined(other, UserFactory())

    rows = {
        match.group(1): text_of(match.group(0))
        for match in re.finditer(r'<li class="dash-row dash-event" data-event-id="(\d+)">.*?</li>', home(player), re.S)
    }

    assert rows.keys() == {str(event.pk) for event in (upcoming, full, paying, live, done)}
    assert rows[str(upcoming.pk)].endswith("Upcoming Confirmed")
    assert rows[str(full.pk)].endswith("Upcoming On the waitlist")
    assert rows[str(paying.pk)].endswith("Upcoming Pending payment")
    assert rows[str(live.pk)].endswith("Live Confirmed")
    assert rows[str(done.pk)].endswith("Completed Place 2")
    assert "under way" in rows[str(live.pk)]
    assert f"started {malaysia_time(done.starts_at)}" in rows[str(done.pk)]


def test_team_entries_show_for_every_member_with_the_team_name():
    captain = UserFactory()
    team = team_with_members(captain, 2)
    member = team.memberships.exclude(user=captain).get().user
    event = free_event(is_solo=False, team_size=2, name="Duo Derby")
    registration_join(event_id=event.pk, user=captain, team_id=team.pk)

    row = text_of(section(home(member), "my-events"))

    assert "Duo Derby" in row and f"with {team.name}" in row and "Confirmed" in row


# --- Prizes


def test_a_prize_is_held_until_the_dispute_window_ends_then_shown_paid(settings):
    # given a 100.00 pool (60/30/10) and the player 1st, completed an hour ago (window: 24 hours)
    player = UserFactory()
    event = prize_event(name="Penang Prize Night")
    others = UserFactory.create_batch(3)
    joined(event, player, *others)
    finish(event, [1, 2, 3, 4], ago=timedelta(hours=1))
    event.refresh_from_db()

    # then the prize is held until the window's end, in the one money format
    held = section(home(player), "prizes")
    assert "RM 60.00" in held and "Held" in held
    assert f"held until {malaysia_time(event.completed_at + settings.RESULTS_DISPUTE_WINDOW)}" in text_of(held)

    # when the window has passed and the payout ran
    Event.objects.filter(pk=event.pk).update(completed_at=timezone.now() - 2 * DAY)
    assert results_process_due() == 1

    # then it shows as paid, with when
    paid = section(home(player), "prizes")
    payout = PrizePayout.objects.get(user=player)
    assert "RM 60.00" in paid and "Paid" in paid and "Held" not in paid
    assert f"paid {malaysia_time(payout.created_at)}" in text_of(paid)


def test_a_prize_past_its_window_but_not_paid_yet_is_due_not_held():
    player = UserFactory()
    event = prize_event()
    joined(event, player, UserFactory())
    finish(event, [1, 2], ago=2 * DAY)

    prizes = section(home(player), "prizes")

    assert "RM 60.00" in prizes and "Due" in prizes and "Held" not in prizes
    assert "the dispute window is over: on its way to your wallet" in text_of(prizes)


def test_a_held_team_prize_is_each_players_share_exactly_as_it_is_then_paid():
    # given a 10.00 pool all for 1st, won by a team of three: 3.34 + 3.33 + 3.33
    event = prize_event(prize_pool="10.00", distribution=[100], is_solo=False, team_size=3)
    teams = [team_with_members(UserFactory(), 3) for _ in range(2)]
    for team in teams:
        registration_join(event_id=event.pk, user=team.captain, team_id=team.pk)
    finish(event, [1, 2], ago=timedelta(hours=1))
    winners = [membership.user for membership in teams[0].memberships.order_by("user_id")]
    losers = [membership.user for membership in teams[1].memberships.all()]

    held = {player.pk: [prize.amount for prize in prizes_held_for(user=player)] for player in winners + losers}

    assert [held[player.pk] for player in winners] == [[Decimal("3.34")], [Decimal("3.33")], [Decimal("3.33")]]
    assert all(held[player.pk] == [] for player in losers)
    Event.objects.filter(pk=event.pk).update(completed_at=timezone.now() - 2 * DAY)
    results_process_due()
    paid = dict(PrizePayout.objects.values_list("user_id", "amount"))
    assert paid == {player.pk: held[player.pk][0] for player in winners}


def test_an_open_dispute_holds_the_prize_until_the_organizer_decides():
    player = UserFactory()
    event = started(player, opponents=1, prize_pool=Decimal("0.00"))
    final = match_of(event, "W1-1")
    match_report(match_id=final.pk, actor=player, score_a=1, score_b=0)
    match_report(match_id=final.pk, actor=final.entry_b.registration.user, score_a=1, score_b=0)
    Event.objects.filter(pk=event.pk).update(prize_pool=Decimal("50.00"), prize_distribution=[100])
    dispute_open(match_id=final.pk, actor=final.entry_b.registration.user, reason="Lag", evidence=None)

    prizes = section(home(player), "prizes")

    assert "RM 50.00" in prizes
    assert "held until the organizer decides an open dispute" in text_of(prizes)


# --- Wallet, friends, invitations


def test_the_wallet_summary_shows_both_balances_in_the_money_format():
    player = UserFactory()
    funded_wallet(player, "1234.50")

    wallet = section(home(player), "wallet-summary")

    assert 'data-balance="usable">RM 1,234.50<' in wallet
    assert 'data-balance="pending">RM 0.00<' in wallet


def befriend(player, other) -> None:
    request = friend_request_send(requester=other, target_id=player.pk).friendship
    friend_request_accept(user=player, friendship_id=request.pk)


def test_friends_online_are_the_friends_with_a_chat_socket_open():
    player = UserFactory()
    online_friend, offline_friend, online_stranger = (
        UserFactory(display_name="Ravi Online"),
        UserFactory(display_name="Farah Away"),
        UserFactory(display_name="Stranger Online"),
    )
    befriend(player, online_friend)
    befriend(player, offline_friend)
    presence.connection_opened(user_id=online_friend.pk, connection_id="tab-1")
    presence.connection_opened(user_id=online_stranger.pk, connection_id="tab-2")

    friends = text_of(section(home(player), "friends-online"))

    assert "Ravi Online" in friends
    assert "Farah Away" not in friends and "Stranger Online" not in friends


def test_invitations_waiting_offer_accept_and_decline_for_teams_and_friends():
    player = UserFactory()
    captain = UserFactory(display_name="Captain Jun")
    team = team_create(captain=captain, name="Harimau Esports")
    invite = team_invite(team_id=team.pk, actor=captain, user=player)
    asker = UserFactory(display_name="Mei Ling")
    request = friend_request_send(requester=asker, target_id=player.pk).friendship

    invites = section(home(player), "invites")

    assert "Harimau Esports" in invites and "Captain Jun" in invites
    assert f'action="/events/teams/invites/{invite.pk}/accept/"' in invites
    assert f'formaction="/events/teams/invites/{invite.pk}/decline/"' in invites
    assert "Mei Ling" in invites
    assert f'action="/friends/requests/{request.pk}/accept/"' in invites
    assert f'action="/friends/requests/{request.pk}/reject/"' in invites


def test_accepting_a_friend_request_from_the_dashboard_comes_back_to_it():
    player = UserFactory()
    asker = UserFactory(display_name="Mei Ling")
    request = friend_request_send(requester=asker, target_id=player.pk).friendship

    response = client_for(player).post(f"/friends/requests/{request.pk}/accept/", {"next": "/"}, follow=True)

    assert response.redirect_chain == [("/", 302)]
    page = response.content.decode()
    assert "Friend request accepted." in page
    assert "No invitations waiting for you." in text_of(section(page, "invites"))


# --- The selector


def test_the_dashboard_gathers_every_part_for_the_player():
    player = UserFactory()
    live = started(player)
    waiting = check_in_open(player)
    done = prize_event()
    joined(done, player, UserFactory())
    finish(done, [1, 2], ago=timedelta(hours=1))

    dashboard = dashboard_for(user=player)

    assert dashboard.next_match.match == Match.objects.get(event=live, key="W1-1")
    assert [item.event for item in dashboard.check_ins] == [waiting]
    assert [item.event.pk for item in dashboard.current_events] == [live.pk, waiting.pk]
    assert [item.event.pk for item in dashboard.past_events] == [done.pk]
    assert [(prize.event.pk, prize.amount, prize.is_paid) for prize in dashboard.prizes] == [
        (done.pk, Decimal("60.00"), False)
    ]
    assert dashboard.wallet["usable_balance"] == "0.00"
    assert Registration.objects.filter(user=player).count() == 3
