"""Games and events over the API: list, create, read, edit, publish and cancel, per the contract."""

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.concurrency.helpers import run_in_threads
from tests.conftest import bearer_client
from tests.factories import EventFactory, GameFactory, UserFactory, funded_wallet
from tournaments.models import Event, Registration
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
EVENTS = "/api/v1/events"


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def event_body(game, /, **overrides) -> dict:
    starts = timezone.now() + timedelta(days=7)
    return {
        "name": "Kopitiam Open",
        "game": game.pk,
        "starts_at": starts.isoformat(),
        "registration_closes_at": (starts - timedelta(days=1)).isoformat(),
        **overrides,
    }


def utc_z(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_games_are_listed_by_name_without_logging_in(api_client):
    GameFactory(name="Valorant", slug="valorant")
    GameFactory(name="Dota 2", slug="dota-2")

    response = api_client.get("/api/v1/games")

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {"id": response.json()["results"][0]["id"], "name": "Dota 2", "slug": "dota-2"},
            {"id": response.json()["results"][1]["id"], "name": "Valorant", "slug": "valorant"},
        ],
        "has_more": False,
        "page": 1,
        "next": None,
    }


class TestEventList:
    def test_an_item_has_the_contract_shape_with_money_strings_and_counts(self, api_client):
        # given an open event with one confirmed and one pending entry
        event = EventFactory(
            entry_fee=Decimal("12.50"), prize_pool=Decimal("300.00"), prize_distribution=[60, 30, 10], tier="amateur"
        )
        confirmed, pending = UserFactory(), UserFactory()
        funded_wallet(confirmed, "12.50")
        registration_join(event_id=event.pk, user=confirmed, payment_method="wallet")
        Registration.objects.create(event=event, user=pending, registered_by=pending, status="pending")

        # when anyone lists events
        response = api_client.get(EVENTS)

        # then the item is exactly the contract's
        assert response.status_code == 200
        body = response.json()
        assert (body["has_more"], body["page"]) == (False, 1)
        assert body["results"] == [
            {
                "id": event.pk,
                "name": event.name,
                "game": {"id": event.game.pk, "name": event.game.name, "slug": event.game.slug},
                "tier": "amateur",
                "event_type": "online",
                "format": "single_elimination",
                "organizer": {"id": event.organizer.pk, "username": event.organizer.username},
                "status": "registration_open",
                "is_solo": True,
                "team_size": 1,
                "max_participants": 8,
                "entry_fee": "12.50",
                "prize_pool": "300.00",
                "prize_distribution": [60, 30, 10],
                "starts_at": utc_z(event.starts_at),
                "registration_closes_at": utc_z(event.registration_closes_at),
                "confirmed_count": 1,
                "pending_count": 1,
                "waitlist_count": 0,
            }
        ]

    def test_filters_by_status_game_and_search(self, api_client):
        valorant = GameFactory(name="Valorant", slug="valorant")
        open_valorant = EventFactory(name="Bukit Bintang Brawl", game=valorant)
        closed_valorant = EventFactory(name="Penang Clash", game=valorant, status="registration_closed")
        other_game = EventFactory(name="Ipoh Invitational")

        def ids(**params) -> list[int]:
            response = api_client.get(EVENTS, params)
            assert response.status_code == 200, response.json()
            return [item["id"] for item in response.json()["results"]]

        assert ids(status="registration_closed") == [closed_valorant.pk]
        assert sorted(ids(game="valorant")) == sorted([open_valorant.pk, closed_valorant.pk])
        assert sorted(ids(game=str(valorant.pk))) == sorted([open_valorant.pk, closed_valorant.pk])
        assert ids(search="ipoh") == [other_game.pk]
        assert ids(search="VALO", status="registration_open") == [open_valorant.pk]
        assert len(ids(status="", game="", search="")) == 3

    def test_an_unknown_status_is_400(self, api_client):
        response = api_client.get(EVENTS, {"status": "finished"})

        assert response.status_code == 400
        body = response.json()
        assert (body["code"], list(body["errors"])) == ("invalid", ["status"])

    def test_pages_follow_the_contract(self, api_client):
        game, organizer = GameFactory(), UserFactory()
        EventFactory.create_batch(3, game=game, organizer=organizer)

        first = api_client.get(EVENTS, {"limit": 2}).json()
        second = api_client.get(EVENTS, {"limit": 2, "page": 2}).json()

        assert (len(first["results"]), first["has_more"], first["page"]) == (2, True, 1)
        assert (len(second["results"]), second["has_more"], second["page"]) == (1, False, 2)

    @pytest.mark.parametrize("count", [5, 100])
    def test_the_query_count_does_not_grow_with_the_page(self, count, django_assert_num_queries):
        # given `count` events, each with confirmed and pending entries
        game, organizer, viewer = GameFactory(), UserFactory(), UserFactory()
        player = UserFactory()
        for event in EventFactory.create_batch(count, game=game, organizer=organizer, entry_fee=Decimal("0.00")):
            Registration.objects.create(event=event, user=player, registered_by=player, status="confirmed")
            Registration.objects.create(event=event, user=viewer, registered_by=viewer, status="pending")
        client = bearer_client(viewer)

        # when one page of all of them is read: one query for the caller, one for the page
        with django_assert_num_queries(2):
            response = client.get(EVENTS, {"limit": 100})

        # then every item is there with its counts
        results = response.json()["results"]
        assert len(results) == count
        assert {(item["confirmed_count"], item["pending_count"]) for item in results} == {(1, 1)}


class TestDrafts:
    def test_a_draft_is_listed_and_shown_only_to_its_organizer(self, api_client):
        draft = EventFactory(status="draft", published_at=None)
        published = EventFactory()
        stranger = bearer_client(UserFactory())
        organizer = bearer_client(draft.organizer)

        def listed(client) -> set[int]:
            return {item["id"] for item in client.get(EVENTS).json()["results"]}

        assert listed(api_client) == {published.pk}
        assert listed(stranger) == {published.pk}
        assert listed(organizer) == {published.pk, draft.pk}
        assert [item["id"] for item in organizer.get(EVENTS, {"status": "draft"}).json()["results"]] == [draft.pk]

        for client in (api_client, stranger):
            response = client.get(f"{EVENTS}/{draft.pk}")
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
        assert organizer.get(f"{EVENTS}/{draft.pk}").json()["status"] == "draft"

    def test_other_actions_on_someone_elses_draft_are_404_too(self):
        draft = EventFactory(status="draft", published_at=None, entry_fee=Decimal("0.00"))
        name = draft.name
        stranger = bearer_client(UserFactory())

        responses = [
            stranger.patch(f"{EVENTS}/{draft.pk}", {"name": "Mine now"}),
            stranger.post(f"{EVENTS}/{draft.pk}/publish"),
            stranger.post(f"{EVENTS}/{draft.pk}/join", {"payment_method": "wallet"}),
            stranger.post(f"{EVENTS}/{draft.pk}/cancel", {"penalty_percent": 0}),
        ]

        assert [(r.status_code, r.json()["code"]) for r in responses] == [(404, "not_found")] * 4
        draft.refresh_from_db()
        assert (draft.name, draft.status) == (name, "draft")
        assert not Registration.objects.filter(event=draft).exists()


class TestDetail:
    def test_shows_the_event_with_rules_and_the_callers_entry(self, user, jwt_client):
        event = EventFactory(description="Best of three.", entry_fee=Decimal("0.00"))
        anonymous_view = jwt_client.get(f"{EVENTS}/{event.pk}").json()
        joined = registration_join(event_id=event.pk, user=user)

        body = jwt_client.get(f"{EVENTS}/{event.pk}/").json()

        assert anonymous_view["my_registration"] is None
        assert (body["description"], body["check_in_minutes"], body["confirmed_count"]) == ("Best of three.", 60, 1)
        assert body["my_registration"] == {
            "join_event_id": joined.registration.pk,
            "status": "confirmed",
            "team_id": None,
            "seat_held_until": None,
            "payment": None,
        }


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("get", "", None),
        ("patch", "", {"name": "x"}),
        ("post", "/publish", None),
        ("post", "/join", {"payment_method": "wallet"}),
        ("post", "/leave", None),
        ("post", "/cancel", {"penalty_percent": 0}),
    ],
)
def test_an_unknown_event_is_404_everywhere(jwt_client, staff_user, method, suffix, body):
    for client in (jwt_client, bearer_client(staff_user)):
        response = getattr(client, method)(f"{EVENTS}/987654321{suffix}", body)

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestCreate:
    def test_creates_a_draft_owned_by_the_caller(self, user, jwt_client):
        game = GameFactory()

        response = jwt_client.post(
            EVENTS,
            event_body(
                game,
                is_solo=False,
                team_size=5,
                max_participants=16,
                entry_fee="25.00",
                prize_pool=500,
                prize_distribution=[70, 30],
                format="double_elimination",
                event_type="lan",
                description="Bring your own mouse.",
            ),
        )

        assert response.status_code == 201, response.json()
        body = response.json()
        event = Event.objects.get(pk=body["id"])
        assert (event.organizer, event.status, event.game) == (user, Event.Status.DRAFT, game)
        assert (event.entry_fee, event.prize_pool, event.prize_distribution) == (
            Decimal("25.00"),
            Decimal("500.00"),
            [70, 30],
        )
        assert body["status"] == "draft"
        assert (body["entry_fee"], body["prize_pool"], body["team_size"], body["format"]) == (
            "25.00",
            "500.00",
            5,
            "double_elimination",
        )
        assert body["organizer"] == {"id": user.pk, "username": user.username}
        assert body["starts_at"].endswith("Z")

    def test_defaults_make_a_free_solo_event(self, jwt_client):
        body = jwt_client.post(EVENTS, event_body(GameFactory())).json()

        assert (body["is_solo"], body["team_size"], body["max_participants"]) == (True, 1, 16)
        assert (body["entry_fee"], body["prize_pool"], body["prize_distribution"]) == ("0.00", "0.00", [])

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"prize_pool": "100.00", "prize_distribution": [60, 30]}, "prize_distribution"),
            ({"prize_pool": "100.00"}, "prize_distribution"),
            ({"prize_distribution": [50.5, 49.5]}, "prize_distribution.0"),
            ({"entry_fee": "10.001"}, "entry_fee"),
            ({"entry_fee": "-1.00"}, "entry_fee"),
            ({"format": "ladder"}, "format"),
            ({"max_participants": 1}, "max_participants"),
            ({"is_solo": True, "team_size": 5}, "team_size"),
            ({"game": 987654321}, "game"),
            ({"name": "  "}, "name"),
        ],
    )
    def test_bad_input_is_400_invalid_with_the_field(self, jwt_client, overrides, field):
        response = jwt_client.post(EVENTS, event_body(GameFactory(), **overrides))

        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "invalid"
        assert field in body["errors"], body
        assert not Event.objects.exists()

    def test_registration_must_close_before_the_start(self, jwt_client):
        starts = timezone.now() + timedelta(days=2)
        body = event_body(
            GameFactory(),
            starts_at=starts.isoformat(),
            registration_closes_at=(starts + timedelta(hours=1)).isoformat(),
        )

        response = jwt_client.post(EVENTS, body)

        assert response.status_code == 400
        assert "registration_closes_at" in response.json()["errors"]

    def test_events_of_the_same_name_get_their_own_slugs(self, jwt_client):
        game = GameFactory()

        responses = [jwt_client.post(EVENTS, event_body(game, name="Weekly Cup")) for _ in range(3)]

        assert [response.status_code for response in responses] == [201] * 3
        assert sorted(Event.objects.values_list("slug", flat=True)) == ["weekly-cup", "weekly-cup-2", "weekly-cup-3"]

    @pytest.mark.django_db(transaction=True)
    def test_organizers_creating_same_named_events_at_once_all_succeed(self):
        game = GameFactory()
        clients = [bearer_client(UserFactory()) for _ in range(5)]

        statuses = run_in_threads(
            5, lambda index: clients[index].post(EVENTS, event_body(game, name="Clash")).status_code
        )

        assert statuses == [201] * 5
        assert len(set(Event.objects.values_list("slug", flat=True))) == 5

    def test_needs_a_login(self, api_client):
        response = api_client.post(EVENTS, event_body(GameFactory()))

        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"

    def test_twenty_an_hour_then_429_while_listing_stays_open(self, jwt_client):
        game = GameFactory()
        for number in range(20):
            assert jwt_client.post(EVENTS, event_body(game, name=f"Cup {number}")).status_code == 201

        refused = jwt_client.post(EVENTS, event_body(game, name="Cup 21"))

        assert refused.status_code == 429
        assert refused.json()["code"] == "rate_limited"
        assert int(refused["Retry-After"]) > 0
        assert Event.objects.count() == 20
        assert jwt_client.get(EVENTS).status_code == 200


class TestUpdate:
    def test_the_organizer_edits_a_draft(self, user, jwt_client):
        draft = EventFactory(status="draft", published_at=None, organizer=user)
        new_game = GameFactory()

        response = jwt_client.patch(
            f"{EVENTS}/{draft.pk}", {"name": "Renamed Cup", "entry_fee": "7.50", "game": new_game.pk}
        )

        assert response.status_code == 200, response.json()
        assert (response.json()["name"], response.json()["entry_fee"]) == ("Renamed Cup", "7.50")
        assert response.json()["game"]["id"] == new_game.pk
        draft.refresh_from_db()
        assert (draft.name, draft.entry_fee, draft.game) == ("Renamed Cup", Decimal("7.50"), new_game)

    def test_someone_else_is_403(self, jwt_client):
        event = EventFactory()

        response = jwt_client.patch(f"{EVENTS}/{event.pk}", {"name": "Hijacked"})

        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        event.refresh_from_db()
        assert event.name != "Hijacked"

    def test_a_published_event_is_409_invalid_status(self, user, jwt_client):
        event = EventFactory(organizer=user)

        response = jwt_client.patch(f"{EVENTS}/{event.pk}", {"entry_fee": "1.00"})

        assert response.status_code == 409
        assert response.json()["code"] == "invalid_status"
        event.refresh_from_db()
        assert event.entry_fee == Decimal("10.00")

    def test_an_edit_that_breaks_a_rule_is_400_and_changes_nothing(self, user, jwt_client):
        draft = EventFactory(status="draft", published_at=None, organizer=user)
        name = draft.name

        response = jwt_client.patch(f"{EVENTS}/{draft.pk}", {"prize_pool": "50.00", "name": "Changed"})

        assert response.status_code == 400
        assert "prize_distribution" in response.json()["errors"]
        draft.refresh_from_db()
        assert (draft.prize_pool, draft.name) == (Decimal("0.00"), name)


class TestPublish:
    def test_a_prize_pool_needs_the_organizers_funds(self, user, jwt_client):
        draft = EventFactory(
            status="draft", published_at=None, organizer=user, prize_pool=Decimal("200.00"), prize_distribution=[100]
        )
        funded_wallet(user, "199.99")

        short = jwt_client.post(f"{EVENTS}/{draft.pk}/publish")

        assert short.status_code == 400
        assert short.json()["code"] == "insufficient_balance"
        draft.refresh_from_db()
        assert draft.status == Event.Status.DRAFT
        assert usable(user) == Decimal("199.99")

        funded_wallet(user, "0.01")
        published = jwt_client.post(f"{EVENTS}/{draft.pk}/publish")

        assert published.status_code == 200, published.json()
        assert published.json()["status"] == "registration_open"
        assert usable(user) == Decimal("0.00")
        assert escrow_wallet(draft).current_balance == Decimal("200.00")

    def test_publishing_twice_is_409_and_holds_once(self, user, jwt_client):
        draft = EventFactory(status="draft", published_at=None, organizer=user, entry_fee=Decimal("0.00"))
        jwt_client.post(f"{EVENTS}/{draft.pk}/publish")

        again = jwt_client.post(f"{EVENTS}/{draft.pk}/publish")

        assert again.status_code == 409
        assert again.json()["code"] == "invalid_status"

    def test_someone_else_is_403(self, jwt_client):
        event = EventFactory()

        response = jwt_client.post(f"{EVENTS}/{event.pk}/publish")

        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")

    def test_past_dates_are_409(self, user, jwt_client):
        starts = timezone.now() - timedelta(hours=1)
        draft = EventFactory(
            status="draft", published_at=None, organizer=user, starts_at=starts, registration_closes_at=starts
        )

        response = jwt_client.post(f"{EVENTS}/{draft.pk}/publish")

        assert (response.status_code, response.json()["code"]) == (409, "invalid_status")


class TestCancel:
    def test_refunds_less_the_penalty_releases_the_pool_and_twice_is_409(self, user, jwt_client):
        # given a published event with a held prize pool and two wallet-paid players
        funded_wallet(user, "100.00")
        draft = EventFactory(
            status="draft", published_at=None, organizer=user, prize_pool=Decimal("100.00"), prize_distribution=[100]
        )
        assert jwt_client.post(f"{EVENTS}/{draft.pk}/publish").status_code == 200
        players = [UserFactory(), UserFactory()]
        for player in players:
            funded_wallet(player, "10.00")
            assert (
                bearer_client(player).post(f"{EVENTS}/{draft.pk}/join", {"payment_method": "wallet"}).status_code == 201
            )

        # when the organizer cancels with a 25% penalty
        response = jwt_client.post(f"{EVENTS}/{draft.pk}/cancel", {"penalty_percent": "25"})

        # then each player gets 75% back, the pool is released, and a second cancel is refused
        assert response.status_code == 200, response.json()
        assert response.json() == {
            "status": "cancelled",
            "refunds": {str(player.pk): {"wallet": "7.50"} for player in players},
        }
        assert [usable(player) for player in players] == [Decimal("7.50")] * 2
        assert usable(user) == Decimal("100.00")
        again = jwt_client.post(f"{EVENTS}/{draft.pk}/cancel", {"penalty_percent": 0})
        assert (again.status_code, again.json()["code"]) == (409, "already_cancelled")

    def test_staff_may_cancel_any_event_even_a_draft(self, staff_user):
        draft = EventFactory(status="draft", published_at=None)

        response = bearer_client(staff_user).post(f"{EVENTS}/{draft.pk}/cancel", {"penalty_percent": 0})

        assert response.json() == {"status": "cancelled", "refunds": {}}

    def test_a_player_may_not_cancel(self, jwt_client):
        event = EventFactory()

        response = jwt_client.post(f"{EVENTS}/{event.pk}/cancel", {"penalty_percent": 0})

        assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
        event.refresh_from_db()
        assert event.status == Event.Status.REGISTRATION_OPEN

    @pytest.mark.parametrize("penalty", [None, -1, "100.01", "abc"])
    def test_the_penalty_must_be_0_to_100(self, user, jwt_client, penalty):
        event = EventFactory(organizer=user)

        response = jwt_client.post(
            f"{EVENTS}/{event.pk}/cancel", {} if penalty is None else {"penalty_percent": penalty}
        )

        assert response.status_code == 400
        assert "penalty_percent" in response.json()["errors"]
        event.refresh_from_db()
        assert event.status == Event.Status.REGISTRATION_OPEN
