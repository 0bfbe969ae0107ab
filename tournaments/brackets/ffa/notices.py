"""What players hear in a free-for-all: which lobby they play each round in, and that a round's
results are posted. Written in the caller's transaction, keyed by the happening (told once)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from driftwood.core.i18n import lazy_text
from driftwood.notifications.services import notify
from tournaments import notifications, webhooks
from tournaments.brackets.ffa.models import Lobby
from tournaments.brackets.notices import players_of
from tournaments.models import Event


def _bracket_url(event: Event) -> str:
    return reverse("tournaments:event_bracket", args=[event.pk])


def lobbies_drawn(event: Event, lobbies: list[Lobby], entry_ids: dict[int, list[int]]) -> None:
    """Each lobby's players: the round and lobby they play in. `entry_ids`: lobby id -> its entries."""
    for lobby in lobbies:
        notify(
            users=players_of(*entry_ids[lobby.pk]),
            kind="lobby_assigned",
            title=lazy_text(
                lambda lobby=lobby: (
                    _("Round %(round)s of %(event)s: you play in lobby %(number)s")
                    % {"round": lobby.round, "event": event.name, "number": lobby.number}
                )
            ),
            body=lazy_text(lambda: _("The lobbies and the standings are on the bracket page.")),
            url=_bracket_url(event),
            data={"event_id": event.pk, "lobby_id": lobby.pk, "round": lobby.round, "lobby": lobby.number},
            key=f"lobby_assigned:{lobby.pk}",
        )
    notifications.bracket_changed(event.pk, lobbies=[lobby.pk for lobby in lobbies])


def round_closed(event: Event, round_number: int, entry_ids: list[int], closed_at) -> None:
    """Every player of the round: its results are final and the standings moved (and the organizer's
    webhooks: `ffa.round_closed`)."""
    notify(
        users=players_of(*entry_ids),
        kind="round_results",
        title=lazy_text(
            lambda: _("Results of round %(round)s of %(event)s are in") % {"round": round_number, "event": event.name}
        ),
        body=lazy_text(lambda: _("See your placement, kills and points in the standings.")),
        url=_bracket_url(event),
        data={"event_id": event.pk, "round": round_number},
        key=f"round_results:{event.pk}:{round_number}",
    )
    notifications.bracket_changed(event.pk, round_closed=round_number)
    webhooks.ffa_round_closed(event, round_number, closed_at)


def host_named(event: Event, lobby: Lobby) -> None:
    """The lobby's new host: which lobby, and where its results are entered."""
    notify(
        users=[lobby.host_id],
        kind="lobby_host",
        title=lazy_text(
            lambda: (
                _("You host lobby %(number)s of round %(round)s in %(event)s")
                % {"number": lobby.number, "round": lobby.round, "event": event.name}
            )
        ),
        body=lazy_text(lambda: _("Enter its placements and kills on the lobby's page once the game is over.")),
        url=reverse("tournaments:event_lobby", args=[event.pk, lobby.pk]),
        data={"event_id": event.pk, "lobby_id": lobby.pk, "round": lobby.round, "lobby": lobby.number},
        key=f"lobby_host:{lobby.pk}:{lobby.host_id}",
    )
