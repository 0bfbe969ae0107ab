"""Staff screens for tournaments: lists, read-only money, and cancelling events with refunds."""

from decimal import Decimal

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

from tests.factories import EventFactory, GameFactory, UserFactory, funded_wallet, team_with_members
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

EVENTS_URL = "/admin/tournaments/event/"


def usable(user) -> Decimal:
    return Wallet.objects.get(owner=user).usable_balance


def paid_entries(event: Event, count: int) -> list:
    players = UserFactory.create_batch(count)
    for player in players:
        funded_wallet(player, str(event.entry_fee))
        registration_join(event_id=event.pk, user=player)
    return players


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_games_list_with_their_event_counts(admin_client):
    game = GameFactory(name="Mobile Legends: Bang Bang", slug="mlbb", icon="⚔️")
    EventFactory.create_batch(2, game=game)

    response = admin_client.get("/admin/tournaments/game/")

    assert response.status_code == 200
    [row] = response.context["cl"].result_list
    assert (row.name, row.event_total) == ("Mobile Legends: Bang Bang", 2)


def test_events_filter_by_status_and_game_and_search(admin_client):
    valorant = GameFactory(name="Valorant", slug="valorant")
    EventFactory(name="Open Valorant night", game=valorant)
    EventFactory(name="Closed Valorant night", game=valorant, status=Event.Status.REGISTRATION_CLOSED)
    EventFactory(name="Open Dota night")

    by_status_and_game = admin_client.get(
        EVENTS_URL, {"status__exact": "registration_open", "game__id__exact": valorant.pk}
    )
    by_search = admin_client.get(EVENTS_URL, {"q": "dota"})

    assert [event.name for event in by_status_and_game.context["cl"].result_list] == ["Open Valorant night"]
    assert [event.name for event in by_search.context["cl"].result_list] == ["Open Dota night"]


def test_a_payment_by_fpx_keeps_its_capitals_inside_the_sentence_in_both_languages(admin_client):
    # given an entry paid by FPX
    event = EventFactory(entry_fee=Decimal("0.00"))
    player = UserFactory()
    registration = registration_join(event_id=event.pk, user=player).registration
    ParticipantPayment.objects.create(
        registration=registration,
        event=event,
        payer=player,
        method=ParticipantPayment.Method.FPX,
        fpx_bank="maybank2u",
        amount=Decimal("12.00"),
        status=ParticipantPayment.Status.SUCCEEDED,
    )

    english = admin_client.get(f"{EVENTS_URL}{event.pk}/change/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    admin_client.cookies["django_language"] = "ms"
    malay = admin_client.get(f"{EVENTS_URL}{event.pk}/change/").content.decode()

    assert "RM 12.00 by FPX online banking (succeeded)" in english
    assert "RM 12.00 melalui perbankan dalam talian FPX (berjaya)" in malay


def test_event_page_lists_registrations_read_only(admin_client):
    event = EventFactory(entry_fee=Decimal("12.00"))
    [player] = paid_entries(event, 1)

    response = admin_client.get(f"{EVENTS_URL}{event.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    assert player.username in page
    assert "RM 12.00 by wallet (succeeded)" in page
    [inline] = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission
    assert not inline.has_change_permission
    assert not inline.has_delete_permission
    assert 'name="entry_fee"' not in page  # money is read-only
    assert 'name="name"' in page


def test_staff_action_asks_for_the_penalty_first(admin_client):
    event = EventFactory()

    response = admin_client.post(EVENTS_URL, {"action": "cancel_with_refunds", ACTION_CHECKBOX_NAME: [event.pk]})

    assert response.status_code == 200
    assert 'name="penalty_percent"' in response.content.decode()
    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN


def test_staff_action_cancels_and_refunds_less_the_penalty(admin_client):
    # given two events with paid players
    first, second = EventFactory(entry_fee=Decimal("10.00")), EventFactory(entry_fee=Decimal("25.00"))
    first_players, second_players = paid_entries(first, 2), paid_entries(second, 1)

    # when staff confirm the cancellation with a 20% penalty
    response = admin_client.post(
        EVENTS_URL,
        {
            "action": "cancel_with_refunds",
            ACTION_CHECKBOX_NAME: [first.pk, second.pk],
            "confirm": "yes",
            "penalty_percent": "20",
        },
        follow=True,
    )

    # then both are cancelled and every player has 80% back
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 2
    assert [usable(player) for player in first_players] == [Decimal("8.00"), Decimal("8.00")]
    assert usable(second_players[0]) == Decimal("20.00")
    assert set(Registration.objects.values_list("status", flat=True)) == {Registration.Status.CANCELLED}
    assert sorted(shown_messages(response)) == sorted(
        [
            f"{first.name} cancelled: 2 paid entries refunded (RM 16.00 after a 20% penalty).",
            f"{second.name} cancelled: 1 paid entry refunded (RM 20.00 after a 20% penalty).",
        ]
    )


def test_staff_action_refuses_a_penalty_out_of_range(admin_client):
    event = EventFactory()

    response = admin_client.post(
        EVENTS_URL,
        {"action": "cancel_with_refunds", ACTION_CHECKBOX_NAME: [event.pk], "confirm": "yes", "penalty_percent": "101"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["penalty_percent"] == ["Ensure this value is less than or equal to 100."]
    event.refresh_from_db()
    assert event.status == Event.Status.REGISTRATION_OPEN


def test_staff_action_reports_an_event_already_cancelled(admin_client):
    event = EventFactory(status=Event.Status.CANCELLED)

    response = admin_client.post(
        EVENTS_URL,
        {"action": "cancel_with_refunds", ACTION_CHECKBOX_NAME: [event.pk], "confirm": "yes", "penalty_percent": "0"},
        follow=True,
    )

    assert shown_messages(response) == [f"{event.name}: This event is already cancelled."]


def test_team_page_shows_its_members_inline(admin_client):
    captain = UserFactory(username="mei_ling")
    team = team_with_members(captain, 3)

    response = admin_client.get(f"/admin/tournaments/team/{team.pk}/change/")

    assert response.status_code == 200
    page = response.content.decode()
    for membership in team.memberships.select_related("user"):
        assert membership.user.username in page
    [inline] = response.context["inline_admin_formsets"]
    assert not inline.has_add_permission
    assert not inline.has_delete_permission


def test_payments_are_read_only_and_never_show_the_client_secret(admin_client):
    event = EventFactory(entry_fee=Decimal("15.00"))
    [player] = paid_entries(event, 1)
    payment = ParticipantPayment.objects.get(payer=player)
    payment.client_secret = "pi_x_secret_do_not_show"
    payment.save(update_fields=["client_secret"])

    changelist = admin_client.get("/admin/tournaments/participantpayment/")
    change = admin_client.get(f"/admin/tournaments/participantpayment/{payment.pk}/change/")
    add = admin_client.get("/admin/tournaments/participantpayment/add/")

    assert changelist.status_code == 200
    assert player.username in changelist.content.decode()
    page = change.content.decode()
    assert "15.00" in page
    assert "pi_x_secret_do_not_show" not in page
    assert 'name="amount"' not in page
    assert 'name="_save"' not in page
    assert add.status_code == 403


def test_registrations_are_read_only(admin_client):
    event = EventFactory()
    [player] = paid_entries(event, 1)
    registration = Registration.objects.get(user=player)

    changelist = admin_client.get("/admin/tournaments/registration/", {"status__exact": "confirmed"})
    change = admin_client.get(f"/admin/tournaments/registration/{registration.pk}/change/")

    assert [row.pk for row in changelist.context["cl"].result_list] == [registration.pk]
    assert 'name="status"' not in change.content.decode()
    assert 'name="_save"' not in change.content.decode()
