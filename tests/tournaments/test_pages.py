"""The tournament pages (events, my events, teams) through Django's test client."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import EventFactory, GameFactory, UserFactory, funded_wallet, team_with_members
from tournaments.models import Event, ParticipantPayment, Registration, RegistrationMember, Team, TeamMember
from tournaments.services.events import event_create
from tournaments.services.registrations import registration_join
from tournaments.services.teams import team_create, team_member_add
from wallet.models import Wallet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

LIST_URL = "/events/"
NEW_URL = "/events/new/"
MINE_URL = "/events/mine/"
TEAMS_URL = "/events/teams/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def detail_url(event) -> str:
    return f"/events/{event.pk}/"


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def page_of(response) -> str:
    return response.content.decode()


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def event_form_data(game, **overrides) -> dict:
    starts = timezone.now() + timedelta(days=10)
    return {
        "name": "Merdeka Valorant Open",
        "game": game.pk,
        "description": "Best of 3. Bring your own headset.",
        "tier": "community",
        "event_type": "online",
        "format": "single_elimination",
        "is_solo": "true",
        "team_size": "1",
        "max_participants": "16",
        "entry_fee": "15.00",
        "prize_pool": "0.00",
        "prize_distribution": "",
        "starts_at": local(starts),
        "registration_closes_at": local(starts - timedelta(days=1)),
        "check_in_minutes": "30",
        **overrides,
    }


# --- Event list


def test_head_requests_get_the_pages_headers_without_a_body(client):
    # uptime monitors and link checkers ask with HEAD
    event = EventFactory(status=Event.Status.REGISTRATION_OPEN)

    for url in ("/events/", detail_url(event), f"/events/{event.pk}/bracket/"):
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b""
        assert response["Content-Type"].startswith("text/html")


def test_list_shows_cards_with_game_fee_prize_pool_slots_and_start(client):
    game = GameFactory(name="Valorant", slug="valorant", icon="🎯")
    event = EventFactory(
        name="Kopitiam Cup",
        game=game,
        entry_fee=Decimal("12.50"),
        prize_pool=Decimal("1500.00"),
        max_participants=8,
        starts_at=timezone.make_aware(timezone.datetime(2031, 3, 7, 20, 0)),
        registration_closes_at=timezone.make_aware(timezone.datetime(2031, 3, 6, 20, 0)),
    )
    for player in UserFactory.create_batch(3):
        funded_wallet(player, "20.00")
        registration_join(event_id=event.pk, user=player)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    page = page_of(response)
    assert f'<a href="/events/{event.pk}/">Kopitiam Cup</a>' in page
    assert "Valorant" in page
    assert "RM 12.50" in page
    assert "RM 1,500.00" in page
    assert "5 of 8" in page
    assert 'datetime="2031-03-07T20:00:00+08:00"' in page


def test_list_hides_other_peoples_drafts_and_shows_the_organizer_theirs(client, user):
    EventFactory(name="Someone's secret draft", status=Event.Status.DRAFT, published_at=None)
    EventFactory(name="My own draft", status=Event.Status.DRAFT, published_at=None, organizer=user)
    EventFactory(name="Open for all")

    anonymous = page_of(client.get(LIST_URL))
    client.force_login(user)
    organizer = page_of(client.get(LIST_URL))

    assert "Open for all" in anonymous
    assert "secret draft" not in anonymous
    assert "My own draft" not in anonymous
    assert "My own draft" in organizer
    assert "secret draft" not in organizer


def test_list_hides_finished_events_unless_their_status_is_chosen(client):
    EventFactory(name="Still open")
    EventFactory(name="Called off", status=Event.Status.CANCELLED)

    default = page_of(client.get(LIST_URL))
    cancelled = page_of(client.get(LIST_URL, {"status": "cancelled"}))

    assert "Still open" in default
    assert "Called off" not in default
    assert "Called off" in cancelled
    assert "Still open" not in cancelled


def test_list_filters_by_game_and_search(client):
    dota = GameFactory(name="Dota 2", slug="dota-2")
    tekken = GameFactory(name="Tekken 8", slug="tekken-8")
    EventFactory(name="Ancient Defence Cup", game=dota)
    EventFactory(name="Iron Fist Friday", game=tekken)
    EventFactory(name="Iron Ancient Mixup", game=tekken)

    by_game = page_of(client.get(LIST_URL, {"game": "dota-2"}))
    by_search = page_of(client.get(LIST_URL, {"search": "iron"}))
    both = page_of(client.get(LIST_URL, {"game": "tekken-8", "search": "ancient"}))

    assert "Ancient Defence Cup" in by_game
    assert "Iron Fist Friday" not in by_game
    assert "Iron Fist Friday" in by_search
    assert "Iron Ancient Mixup" in by_search
    assert "Ancient Defence Cup" not in by_search
    assert "Iron Ancient Mixup" in both
    assert "Ancient Defence Cup" not in both
    assert "Iron Fist Friday" not in both


def test_an_unknown_game_filter_is_ignored_and_the_other_filters_still_apply(client):
    EventFactory(name="Iron Fist Friday")
    EventFactory(name="Ancient Defence Cup")

    response = client.get(LIST_URL, {"game": "no-such-game", "search": "iron"})

    assert response.status_code == 200
    assert "Iron Fist Friday" in page_of(response)
    assert "Ancient Defence Cup" not in page_of(response)


def test_list_pages_twelve_events_at_a_time(client):
    game = GameFactory()
    start = timezone.now() + timedelta(days=3)
    for number in range(13):
        EventFactory(
            name=f"Night {number:02d}",
            game=game,
            starts_at=start + timedelta(hours=number),
            registration_closes_at=start - timedelta(hours=1),
        )

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert [event.name for event in first.context["events"]] == [f"Night {n:02d}" for n in range(12)]
    assert 'rel="next"' in page_of(first)
    assert [event.name for event in second.context["events"]] == ["Night 12"]
    assert 'rel="prev"' in page_of(second)
    assert 'rel="next"' not in page_of(second)


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert response.status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow_with_the_events_shown(player_client):
    # given 3 events, each with a confirmed player
    def events_with_a_player(count: int) -> None:
        for _ in range(count):
            event = EventFactory(game=GameFactory(), entry_fee=Decimal("0.00"))
            registration_join(event_id=event.pk, user=UserFactory())

    events_with_a_player(3)
    few = count_list_queries(player_client)

    # when 9 more (a full page of 12, each of another game and organizer) exist
    events_with_a_player(9)
    many = count_list_queries(player_client)

    # then the page costs the same number of queries
    assert len(player_client.get(LIST_URL).context["events"]) == 12
    assert many == few


# --- Event detail


def test_detail_shows_rules_participants_and_the_live_wiring(client, settings):
    settings.STRIPE_JS_URL = "http://stripe.test/js.stripe.com/v3/"
    settings.STRIPE_PUBLISHABLE_KEY = "pk_test_events"
    event = EventFactory(description="No smurfs.\nBest of three.", max_participants=8)
    player = UserFactory(username="siti_nur", display_name="Siti the Sniper")
    funded_wallet(player, "50.00")
    registration_join(event_id=event.pk, user=player)
    client.force_login(UserFactory())

    response = client.get(detail_url(event))

    page = page_of(response)
    assert response.status_code == 200
    assert "<p>No smurfs.<br>Best of three.</p>" in page
    assert "Siti the Sniper" in page
    assert "@siti_nur" in page
    assert '<span data-count="confirmed_count">1</span> of 8 confirmed' in page
    assert re.search(
        r'<span data-count="slots_left">7</span> <span data-plural-of="slots_left"[^>]*>slots left</span>', page
    )
    assert f'data-socket-path="/ws/events/{event.pk}/"' in page
    assert f'data-event-api="/api/v1/events/{event.pk}"' in page
    assert f'data-join-api="/api/v1/events/{event.pk}/join"' in page
    assert 'data-stripe-key="pk_test_events"' in page
    assert '<script src="http://stripe.test/js.stripe.com/v3/" defer></script>' in page
    assert "/static/js/events.js" in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_someone_elses_draft_is_not_found_but_its_organizer_sees_it(client, user):
    draft = EventFactory(status=Event.Status.DRAFT, published_at=None, organizer=user)
    client.force_login(UserFactory())

    stranger = client.get(detail_url(draft))
    organizer = client_for(user).get(detail_url(draft))

    assert stranger.status_code == 404
    assert organizer.status_code == 200
    assert "Only you can see this draft." in page_of(organizer)


def test_anonymous_visitor_is_asked_to_log_in_to_join(client):
    event = EventFactory()

    page = page_of(client.get(detail_url(event)))

    assert f'href="/accounts/login/?next=/events/{event.pk}/"' in page
    assert 'id="join-form"' not in page


def test_joining_with_the_wallet_confirms_charges_and_lists_the_player(player_client, user):
    # given an open event with a RM 15 fee and a player with RM 40
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "40.00")

    # when they join from the page
    response = player_client.post(f"/events/{event.pk}/join/", follow=True)

    # then they are confirmed, charged once, and see it on the page
    assert response.redirect_chain == [(detail_url(event), 302)]
    registration = Registration.objects.get(event=event, user=user)
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.payment.method == "wallet"
    assert usable(user) == Decimal("25.00")
    assert shown_messages(response) == [f"You're in “{event.name}”! RM 15.00 paid from your wallet."]
    page = page_of(response)
    assert 'data-registration-status="confirmed"' in page
    assert "<strong data-wallet-usable>RM 25.00</strong>" in page
    assert f"<strong>{user.public_name}</strong>" in page


def test_joining_without_enough_balance_shows_a_message_and_charges_nothing(player_client, user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "10.00")

    response = player_client.post(f"/events/{event.pk}/join/", follow=True)

    assert shown_messages(response) == ["Your usable wallet balance is below the RM 15.00 entry fee. Top up first."]
    assert not Registration.objects.filter(event=event).exists()
    assert usable(user) == Decimal("10.00")


def test_joining_a_closed_event_shows_the_domain_error(player_client, user):
    event = EventFactory(status=Event.Status.REGISTRATION_CLOSED)
    funded_wallet(user, "40.00")

    response = player_client.post(f"/events/{event.pk}/join/", follow=True)

    assert shown_messages(response) == ["Registration for this event is not open."]
    assert not Registration.objects.filter(event=event).exists()


def test_joining_twice_charges_once(player_client, user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "40.00")

    player_client.post(f"/events/{event.pk}/join/", follow=True)
    again = player_client.post(f"/events/{event.pk}/join/", follow=True)

    assert shown_messages(again) == ["You (or a member of your team) are already registered for this event."]
    assert Registration.objects.filter(event=event).count() == 1
    assert usable(user) == Decimal("25.00")


def test_join_refuses_a_post_without_the_csrf_token(user):
    event = EventFactory(entry_fee=Decimal("0.00"))
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.post(f"/events/{event.pk}/join/")

    assert response.status_code == 403
    assert not Registration.objects.filter(event=event).exists()


def test_join_shares_the_money_rate_limit(player_client, user, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "money": "1/m"}
    first, second = EventFactory(entry_fee=Decimal("0.00")), EventFactory(entry_fee=Decimal("0.00"))

    player_client.post(f"/events/{first.pk}/join/", follow=True)
    limited = player_client.post(f"/events/{second.pk}/join/", follow=True)

    assert shown_messages(limited)[0].startswith("Too many requests.")
    assert list(Registration.objects.filter(user=user).values_list("event_id", flat=True)) == [first.pk]


def test_team_event_join_registers_the_captains_team(player_client, user):
    # given a team event for teams of 3 and the user's team of 3
    event = EventFactory(is_solo=False, team_size=3, entry_fee=Decimal("30.00"))
    team = team_with_members(user, 3)
    funded_wallet(user, "30.00")

    # when the page shows the team choice and the captain joins with it
    page = page_of(player_client.get(detail_url(event)))
    response = player_client.post(f"/events/{event.pk}/join/", {"team": team.pk}, follow=True)

    # then the team is in, paid by the captain
    assert f'<option value="{team.pk}">{team.name}</option>' in page
    registration = Registration.objects.get(event=event)
    assert (registration.team, registration.status) == (team, Registration.Status.CONFIRMED)
    assert usable(user) == Decimal("0.00")
    assert team.name in page_of(response)


def test_team_event_with_a_team_of_the_wrong_size_shows_the_error(player_client, user):
    event = EventFactory(is_solo=False, team_size=5, entry_fee=Decimal("0.00"))
    team = team_with_members(user, 3)

    response = player_client.post(f"/events/{event.pk}/join/", {"team": team.pk}, follow=True)

    assert shown_messages(response) == ["This event needs teams of exactly 5; yours has 3."]
    assert not Registration.objects.filter(event=event).exists()


def test_team_event_without_a_team_points_to_the_team_pages(player_client):
    event = EventFactory(is_solo=False, team_size=5)

    page = page_of(player_client.get(detail_url(event)))

    assert 'id="join-form"' not in page
    assert f'href="{TEAMS_URL}"' in page


def test_leaving_refunds_the_fee_in_full(player_client, user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    funded_wallet(user, "40.00")
    registration_join(event_id=event.pk, user=user)

    response = player_client.post(f"/events/{event.pk}/leave/", follow=True)

    assert shown_messages(response) == [f"You left “{event.name}”. RM 15.00 refunded to your wallet."]
    assert Registration.objects.get(event=event).status == Registration.Status.WITHDRAWN
    assert usable(user) == Decimal("40.00")
    assert 'id="join-form"' in page_of(response)


def test_leaving_an_event_you_are_not_in_shows_the_error(player_client):
    event = EventFactory()

    response = player_client.post(f"/events/{event.pk}/leave/", follow=True)

    assert shown_messages(response) == ["You are not registered for this event."]


def test_a_pending_card_entry_can_finish_paying_on_the_page(player_client, user):
    event = EventFactory(entry_fee=Decimal("15.00"))
    # a card entry as registration_join leaves it while Stripe has not confirmed the payment yet
    registration = Registration.objects.create(event=event, user=user, registered_by=user)
    RegistrationMember.objects.create(registration=registration, event=event, user=user)
    ParticipantPayment.objects.create(
        registration=registration,
        event=event,
        payer=user,
        method="stripe",
        amount=Decimal("15.00"),
        payment_intent_id="pi_page_test",
        client_secret="pi_page_test_secret_abc",
    )

    page = page_of(player_client.get(detail_url(event)))

    assert 'data-registration-status="pending"' in page
    assert 'data-client-secret="pi_page_test_secret_abc"' in page
    assert "Pay RM 15.00 by card" in page


# --- Create, edit, publish


def test_organizer_creates_a_draft(player_client, user):
    game = GameFactory(name="Valorant", slug="valorant")

    response = player_client.post(NEW_URL, event_form_data(game), follow=True)

    event = Event.objects.get(name="Merdeka Valorant Open")
    assert response.redirect_chain == [(detail_url(event), 302)]
    assert (event.organizer, event.status, event.game) == (user, Event.Status.DRAFT, game)
    assert event.entry_fee == Decimal("15.00")
    assert event.check_in_minutes == 30
    assert shown_messages(response) == [
        "Draft “Merdeka Valorant Open” saved. Only you can see it until you publish it."
    ]


def test_create_shows_the_services_validation_errors_on_the_fields(player_client):
    game = GameFactory()
    starts = timezone.now() + timedelta(days=10)
    data = event_form_data(
        game,
        prize_pool="300.00",
        prize_distribution="60, 30",
        registration_closes_at=local(starts + timedelta(days=1)),
        starts_at=local(starts),
    )

    response = player_client.post(NEW_URL, data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["prize_distribution"] == ["The percentages must add up to 100."]
    assert errors["registration_closes_at"] == ["Registration must close before the event starts."]
    assert not Event.objects.exists()


def test_create_refuses_a_prize_split_that_is_not_whole_numbers(player_client):
    response = player_client.post(NEW_URL, event_form_data(GameFactory(), prize_distribution="sixty, forty"))

    assert response.context["form"].errors["prize_distribution"] == [
        'Whole percentages separated by commas, e.g. "60, 30, 10".'
    ]


def test_create_needs_a_login(client):
    response = client.get(NEW_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={NEW_URL}"


def test_organizer_edits_a_draft(player_client, user):
    game = GameFactory()
    starts = timezone.now() + timedelta(days=10)
    draft = event_create(
        organizer=user, game=game, name="Old name", starts_at=starts, registration_closes_at=starts - timedelta(days=1)
    )

    form_page = player_client.get(f"/events/{draft.pk}/edit/")
    response = player_client.post(
        f"/events/{draft.pk}/edit/", event_form_data(game, name="New name", max_participants="32"), follow=True
    )

    assert 'value="Old name"' in page_of(form_page)
    draft.refresh_from_db()
    assert (draft.name, draft.max_participants) == ("New name", 32)
    assert shown_messages(response) == ["Draft saved."]


def test_an_event_under_way_cannot_be_edited_from_the_page(player_client, user):
    event = EventFactory(organizer=user, name="Live already", status=Event.Status.ONGOING)

    response = player_client.post(f"/events/{event.pk}/edit/", event_form_data(GameFactory()), follow=True)

    assert shown_messages(response) == ["Only the organizer can edit an event, and only until it starts."]
    event.refresh_from_db()
    assert event.name == "Live already"


def test_publishing_holds_the_prize_pool_from_the_organizers_wallet(player_client, user):
    starts = timezone.now() + timedelta(days=10)
    draft = event_create(
        organizer=user,
        game=GameFactory(),
        name="Big prize",
        starts_at=starts,
        registration_closes_at=starts - timedelta(days=1),
        prize_pool=Decimal("500.00"),
        prize_distribution=[70, 30],
    )
    funded_wallet(user, "600.00")

    response = player_client.post(f"/events/{draft.pk}/publish/", follow=True)

    draft.refresh_from_db()
    assert draft.status == Event.Status.REGISTRATION_OPEN
    assert usable(user) == Decimal("100.00")
    assert shown_messages(response) == [
        "“Big prize” is published: registration is open. RM 500.00 prize pool held from your wallet."
    ]


def test_publishing_without_the_prize_pool_in_the_wallet_keeps_the_draft(player_client, user):
    starts = timezone.now() + timedelta(days=10)
    draft = event_create(
        organizer=user,
        game=GameFactory(),
        name="Too generous",
        starts_at=starts,
        registration_closes_at=starts - timedelta(days=1),
        prize_pool=Decimal("500.00"),
        prize_distribution=[100],
    )
    funded_wallet(user, "100.00")

    response = player_client.post(f"/events/{draft.pk}/publish/", follow=True)

    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT
    assert usable(user) == Decimal("100.00")
    assert shown_messages(response)[0].startswith("Publishing holds the RM 500.00 prize pool from your wallet")


# --- Cancel


def test_organizer_cancels_with_a_penalty_and_players_get_the_rest_back(player_client, user):
    # given an event with two wallet-paid players
    event = EventFactory(organizer=user, entry_fee=Decimal("20.00"))
    players = UserFactory.create_batch(2)
    for player in players:
        funded_wallet(player, "20.00")
        registration_join(event_id=event.pk, user=player)

    # when the organizer confirms a 20% penalty
    confirm = player_client.get(f"/events/{event.pk}/cancel/")
    response = player_client.post(f"/events/{event.pk}/cancel/", {"penalty_percent": "20"}, follow=True)

    # then it is cancelled and each player has 80% back
    assert 'name="penalty_percent"' in page_of(confirm)
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED
    assert [usable(player) for player in players] == [Decimal("16.00"), Decimal("16.00")]
    assert shown_messages(response) == [
        f"“{event.name}” is cancelled. 2 paid entries refunded (RM 32.00 in all, less a 20% penalty)."
    ]


def test_cancel_refuses_a_penalty_above_100(player_client, user):
    event = EventFactory(organizer=user)

    response = player_client.post(f"/events/{event.pk}/cancel/", {"penalty_percent": "150"})

    assert response.status_code == 200
    assert response.context["form"].errors["penalty_percent"] == ["Ensure this value is less than or equal to 100."]
    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN


def test_only_the_organizer_or_staff_may_cancel(player_client, staff_user):
    event = EventFactory()

    refused = player_client.post(f"/events/{event.pk}/cancel/", {"penalty_percent": "0"}, follow=True)
    event.refresh_from_db()
    status_after_refusal = event.status
    client_for(staff_user).post(f"/events/{event.pk}/cancel/", {"penalty_percent": "0"})

    assert shown_messages(refused) == ["Only the organizer can cancel this event, and only before it is over."]
    assert status_after_refusal == Event.Status.REGISTRATION_OPEN
    event.refresh_from_db()
    assert event.status == Event.Status.CANCELLED


# --- My events


def test_my_events_lists_what_i_organize_and_entered_only(player_client, user):
    EventFactory(name="I organize this", organizer=user)
    entered = EventFactory(name="I entered this", entry_fee=Decimal("0.00"))
    registration_join(event_id=entered.pk, user=user)
    EventFactory(name="Not mine at all")

    page = page_of(player_client.get(MINE_URL))

    assert "I organize this" in page
    assert "I entered this" in page
    assert "Not mine at all" not in page
    assert "You organize" in page


# --- Teams


def test_creating_a_team_makes_me_its_captain(player_client, user):
    response = player_client.post(TEAMS_URL, {"name": "Harimau Esports"}, follow=True)

    team = Team.objects.get(name="Harimau Esports")
    assert response.redirect_chain == [(f"/events/teams/{team.pk}/", 302)]
    assert team.captain == user
    assert TeamMember.objects.get(team=team).role == TeamMember.Role.CAPTAIN


def test_a_taken_team_name_is_shown_as_a_message(player_client):
    team_create(captain=UserFactory(), name="Harimau Esports")

    response = player_client.post(TEAMS_URL, {"name": "harimau esports"})

    assert response.status_code == 200
    assert shown_messages(response) == ["A team with that name already exists."]


def test_captain_invites_a_member_by_username_who_accepts_on_the_team_page(player_client, user):
    team = team_create(captain=user, name="Kuching Kites")
    mate = UserFactory(username="jun_wei", display_name="Jun Wei")

    response = player_client.post(f"/events/teams/{team.pk}/members/", {"username": "JUN_WEI"}, follow=True)

    assert shown_messages(response) == ["Invited Jun Wei (@jun_wei): they join when they accept."]
    assert "Invited, not answered yet" in page_of(response)
    assert not TeamMember.objects.filter(team=team, user=mate).exists()
    mate_client = Client()
    mate_client.force_login(mate)
    assert "You are invited to Kuching Kites" in page_of(mate_client.get(f"/events/teams/{team.pk}/"))
    invite = mate.team_invites.get()
    joined = mate_client.post(f"/events/teams/invites/{invite.pk}/accept/", follow=True)
    assert shown_messages(joined) == ["You joined Kuching Kites."]
    assert TeamMember.objects.filter(team=team, user=mate).exists()


def test_an_invitee_declines_from_the_team_list(player_client, user):
    captain = UserFactory()
    team = team_create(captain=captain, name="Penang Pixels")
    from tournaments.services.teams import team_invite

    invite = team_invite(team_id=team.pk, actor=captain, user=user)
    assert "Penang Pixels" in page_of(player_client.get("/events/teams/"))

    declined = player_client.post(f"/events/teams/invites/{invite.pk}/decline/", follow=True)

    assert shown_messages(declined) == ["You declined the invitation to Penang Pixels."]
    assert not TeamMember.objects.filter(team=team, user=user).exists()
    again = player_client.post(f"/events/teams/invites/{invite.pk}/accept/", follow=True)
    assert shown_messages(again) == ["This invitation was already answered."]


def test_adding_an_unknown_username_shows_a_field_error(player_client, user):
    team = team_create(captain=user, name="Kuching Kites")

    response = player_client.post(f"/events/teams/{team.pk}/members/", {"username": "nobody_here"})

    assert response.status_code == 200
    assert response.context["add_form"].errors["username"] == ["There is no player called nobody_here."]


def test_a_member_cannot_add_players(player_client, user):
    captain = UserFactory()
    team = team_create(captain=captain, name="Penang Pixels")
    team_member_add(team_id=team.pk, user=user)
    outsider = UserFactory()

    page = page_of(player_client.get(f"/events/teams/{team.pk}/"))
    response = player_client.post(f"/events/teams/{team.pk}/members/", {"username": outsider.username}, follow=True)

    assert "Invite a player" not in page
    assert shown_messages(response) == ["Only the captain can invite players."]
    assert not TeamMember.objects.filter(team=team, user=outsider).exists()


def test_captain_removes_a_member(player_client, user):
    team = team_with_members(user, 2)
    member = TeamMember.objects.get(team=team, role=TeamMember.Role.MEMBER).user

    response = player_client.post(f"/events/teams/{team.pk}/members/{member.pk}/remove/", follow=True)

    assert not TeamMember.objects.filter(team=team, user=member).exists()
    assert shown_messages(response) == [f"{member.public_name} is no longer in {team.name}."]


def test_a_member_leaves_the_team(player_client, user):
    captain = UserFactory()
    team = team_create(captain=captain, name="Penang Pixels")
    team_member_add(team_id=team.pk, user=user)

    response = player_client.post(f"/events/teams/{team.pk}/members/{user.pk}/remove/", follow=True)

    assert response.redirect_chain == [(TEAMS_URL, 302)]
    assert shown_messages(response) == ["You left Penang Pixels."]
    assert not TeamMember.objects.filter(team=team, user=user).exists()


def test_the_captain_cannot_leave(player_client, user):
    team = team_create(captain=user, name="Kuching Kites")

    response = player_client.post(f"/events/teams/{team.pk}/members/{user.pk}/remove/", follow=True)

    assert shown_messages(response) == ["The captain cannot leave the team: hand the captaincy to a member first."]
    assert TeamMember.objects.filter(team=team, user=user).exists()


def count_team_page_queries(client, team) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/events/teams/{team.pk}/")
    assert response.status_code == 200
    return len(queries)


def test_team_page_query_count_does_not_grow_with_its_members(player_client, user):
    small = team_with_members(user, 2)
    big = team_create(captain=user, name="Big squad")
    for _ in range(7):
        team_member_add(team_id=big.pk, user=UserFactory())

    assert count_team_page_queries(player_client, big) == count_team_page_queries(player_client, small)
