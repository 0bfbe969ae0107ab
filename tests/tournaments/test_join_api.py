"""POST /events/{id}/join and /leave paid from the wallet: the contract's answers, one error per test."""

from decimal import Decimal

import pytest

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet, team_with_members
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.services.events import escrow_wallet
from tournaments.services.registrations import registration_join
from tournaments.services.teams import team_create, team_member_add
from wallet.models import LedgerEntry, Wallet

pytestmark = pytest.mark.django_db


def join_url(event) -> str:
    return f"/api/v1/events/{event.pk}/join"


def leave_url(event) -> str:
    return f"/api/v1/events/{event.pk}/leave"


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.json()
    body = response.json()
    assert (body["code"], body["path"]) == (code, response.wsgi_request.path)
    assert body["message"]


def entries(event) -> int:
    return Registration.objects.filter(event=event).count()


class TestJoin:
    def test_paying_from_the_wallet_confirms_at_once(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("15.00"))
        funded_wallet(user, "20.00")

        response = jwt_client.post(join_url(event), {"payment_method": "wallet"})

        assert response.status_code == 201, response.json()
        registration = Registration.objects.get(event=event)
        assert response.json() == {
            "join_event_id": registration.pk,
            "status": "confirmed",
            "payment": {"method": "wallet", "amount": "15.00"},
        }
        assert (registration.user, registration.status) == (user, Registration.Status.CONFIRMED)
        assert usable(user) == Decimal("5.00")
        assert escrow_wallet(event).current_balance == Decimal("15.00")

    def test_a_free_event_confirms_with_no_payment(self, jwt_client):
        event = EventFactory(entry_fee=Decimal("0.00"))

        response = jwt_client.post(join_url(event), {"payment_method": "stripe"})

        assert response.status_code == 201
        assert (response.json()["status"], response.json()["payment"]) == ("confirmed", None)
        assert not ParticipantPayment.objects.exists()

    def test_a_captain_enters_their_team(self, user, jwt_client):
        event = EventFactory(is_solo=False, team_size=3, entry_fee=Decimal("30.00"))
        team = team_with_members(user, 3)
        funded_wallet(user, "30.00")

        response = jwt_client.post(join_url(event), {"team_id": team.pk, "payment_method": "wallet"})

        assert response.status_code == 201, response.json()
        registration = Registration.objects.get(pk=response.json()["join_event_id"])
        assert (registration.team, registration.user, registration.registered_by) == (team, None, user)
        assert registration.members.count() == 3
        assert usable(user) == Decimal("0.00")

    def test_a_replayed_idempotency_key_answers_the_same_and_charges_once(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("5.00"))
        funded_wallet(user, "50.00")
        headers = {"HTTP_IDEMPOTENCY_KEY": "join-once"}

        first = jwt_client.post(join_url(event), {"payment_method": "wallet"}, **headers)
        second = jwt_client.post(join_url(event), {"payment_method": "wallet"}, **headers)

        assert (first.status_code, second.status_code) == (201, 201)
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert entries(event) == 1
        assert usable(user) == Decimal("45.00")

    def test_the_payment_method_is_required(self, jwt_client):
        event = EventFactory(entry_fee=Decimal("0.00"))

        response = jwt_client.post(join_url(event), {})

        assert_error(response, 400, "invalid")
        assert list(response.json()["errors"]) == ["payment_method"]
        assert entries(event) == 0

    def test_needs_a_login(self, api_client):
        event = EventFactory(entry_fee=Decimal("0.00"))

        assert_error(api_client.post(join_url(event), {"payment_method": "wallet"}), 401, "not_authenticated")


class TestJoinErrors:
    """Every join error the contract names, through the API, each leaving no entry and no charge behind."""

    @pytest.mark.parametrize("status", ["registration_closed", "ongoing", "completed", "cancelled"])
    def test_registration_closed(self, user, jwt_client, status):
        event = EventFactory(status=status)
        funded_wallet(user, "10.00")

        assert_error(jwt_client.post(join_url(event), {"payment_method": "wallet"}), 409, "registration_closed")
        assert entries(event) == 0
        assert usable(user) == Decimal("10.00")

    def test_registration_closed_once_the_deadline_has_passed(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("0.00"))
        Event.objects.filter(pk=event.pk).update(registration_closes_at=event.starts_at.replace(year=2000))

        assert_error(jwt_client.post(join_url(event), {"payment_method": "wallet"}), 409, "registration_closed")

    def test_already_joined_as_a_user(self, user, jwt_client):
        event = EventFactory()
        funded_wallet(user, "20.00")
        registration_join(event_id=event.pk, user=user, payment_method="wallet")

        response = jwt_client.post(join_url(event), {"payment_method": "wallet"})

        assert_error(response, 409, "already_joined")
        assert entries(event) == 1
        assert usable(user) == Decimal("10.00")

    def test_already_joined_through_another_team(self, user, jwt_client):
        # given a team entered with a player who is also in the caller's team
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
        entered = team_with_members(UserFactory(), 2)
        shared = entered.memberships.exclude(user=entered.captain).get().user
        mine = team_create(captain=user, name="Mine")
        team_member_add(team_id=mine.pk, user=shared)
        registration_join(event_id=event.pk, user=entered.captain, team_id=entered.pk)

        # when the caller enters their team
        response = jwt_client.post(join_url(event), {"team_id": mine.pk, "payment_method": "wallet"})

        # then the shared player blocks it
        assert_error(response, 409, "already_joined")
        assert entries(event) == 1

    def test_team_required(self, user, jwt_client):
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))

        assert_error(jwt_client.post(join_url(event), {"payment_method": "wallet"}), 400, "team_required")
        assert entries(event) == 0

    def test_team_not_found(self, user, jwt_client):
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))

        response = jwt_client.post(join_url(event), {"team_id": 987654321, "payment_method": "wallet"})

        assert_error(response, 404, "not_found")
        assert entries(event) == 0

    def test_not_the_captain(self, user, jwt_client):
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
        team = team_with_members(UserFactory(), 1)
        team_member_add(team_id=team.pk, user=user)

        response = jwt_client.post(join_url(event), {"team_id": team.pk, "payment_method": "wallet"})

        assert_error(response, 403, "permission_denied")
        assert entries(event) == 0

    @pytest.mark.parametrize("size", [2, 4])
    def test_wrong_team_size(self, user, jwt_client, size):
        event = EventFactory(is_solo=False, team_size=3, entry_fee=Decimal("0.00"))
        team = team_with_members(user, size)

        response = jwt_client.post(join_url(event), {"team_id": team.pk, "payment_method": "wallet"})

        assert_error(response, 400, "team_size")
        assert entries(event) == 0

    def test_full(self, user, jwt_client):
        event = EventFactory(max_participants=2, entry_fee=Decimal("10.00"))
        for _ in range(2):
            player = UserFactory()
            funded_wallet(player, "10.00")
            registration_join(event_id=event.pk, user=player, payment_method="wallet")
        funded_wallet(user, "10.00")

        assert_error(jwt_client.post(join_url(event), {"payment_method": "wallet"}), 409, "event_full")
        assert entries(event) == 2
        assert usable(user) == Decimal("10.00")

    def test_insufficient_balance(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("10.00"))
        funded_wallet(user, "9.99")

        assert_error(jwt_client.post(join_url(event), {"payment_method": "wallet"}), 400, "insufficient_balance")
        assert entries(event) == 0
        assert usable(user) == Decimal("9.99")
        assert not LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.ENTRY_FEE).exists()


class TestLeave:
    def test_leaving_before_close_refunds_the_wallet_in_full(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("12.00"))
        funded_wallet(user, "12.00")
        joined = jwt_client.post(join_url(event), {"payment_method": "wallet"}).json()

        response = jwt_client.post(leave_url(event))

        assert response.status_code == 200, response.json()
        assert response.json() == {
            "join_event_id": joined["join_event_id"],
            "status": "withdrawn",
            "refund": {"wallet": "12.00"},
        }
        assert usable(user) == Decimal("12.00")
        assert escrow_wallet(event).current_balance == Decimal("0.00")
        refund = LedgerEntry.objects.get(wallet__owner=user, transaction_type=LedgerEntry.Type.REFUND)
        assert refund.amount == Decimal("12.00")
        # and the seat is free again
        assert jwt_client.post(join_url(event), {"payment_method": "wallet"}).status_code == 201

    def test_leaving_a_free_event_refunds_nothing(self, jwt_client):
        event = EventFactory(entry_fee=Decimal("0.00"))
        jwt_client.post(join_url(event), {"payment_method": "wallet"})

        response = jwt_client.post(leave_url(event))

        assert (response.status_code, response.json()["refund"]) == (200, None)

    def test_not_registered_is_409(self, jwt_client):
        event = EventFactory()

        assert_error(jwt_client.post(leave_url(event)), 409, "not_registered")

    def test_after_registration_closed_is_409_and_keeps_the_entry(self, user, jwt_client):
        event = EventFactory(entry_fee=Decimal("10.00"))
        funded_wallet(user, "10.00")
        jwt_client.post(join_url(event), {"payment_method": "wallet"})
        Event.objects.filter(pk=event.pk).update(status=Event.Status.REGISTRATION_CLOSED)

        assert_error(jwt_client.post(leave_url(event)), 409, "registration_closed")
        assert Registration.objects.get(event=event).status == Registration.Status.CONFIRMED
        assert usable(user) == Decimal("0.00")

    def test_only_the_captain_who_entered_a_team_withdraws_it(self, user):
        event = EventFactory(is_solo=False, team_size=2, entry_fee=Decimal("0.00"))
        team = team_with_members(user, 2)
        member = team.memberships.exclude(user=user).get().user
        registration_join(event_id=event.pk, user=user, team_id=team.pk)

        assert_error(bearer_client(member).post(leave_url(event)), 403, "permission_denied")
        assert bearer_client(user).post(leave_url(event)).json()["status"] == "withdrawn"
