"""The logged-in player's home page: what needs them now and where they stand, gathered from each
app's public selectors (tournaments, wallet, social, chat).

`dashboard_for` costs a fixed number of queries (and one Redis call for presence) however many
events, prizes, friends or invitations the player has: every list is one query, capped in rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model

from chat.selectors import online_among
from social.selectors import friend_ids, incoming_requests
from tournaments.selectors import invites_pending_for
from tournaments.selectors.player import (
    EventEntry,
    NextMatch,
    Prize,
    event_entries_of,
    next_match_of,
    prizes_held_for,
    prizes_paid_to,
)
from wallet.selectors import wallet_summary

FRIENDS_ONLINE_SHOWN = 8
INVITES_SHOWN = 10


@dataclass(frozen=True)
class Dashboard:
    next_match: NextMatch | None
    current_events: list[EventEntry]
    past_events: list[EventEntry]
    prizes: list[Prize]
    wallet: dict  # `wallet_summary`: money as strings
    friends_online: list = field(default_factory=list)
    friends_online_more: int = 0
    team_invites: list = field(default_factory=list)
    friend_requests: list = field(default_factory=list)

    @property
    def check_ins(self) -> list[EventEntry]:
        """The events whose check-in is open and waits for the player, soonest start first."""
        return [entry for entry in self.current_events if entry.check_in_open]

    @property
    def has_invites(self) -> bool:
        return bool(self.team_invites or self.friend_requests)


def friends_online_of(*, user_id: int) -> tuple[list, int]:
    """(the first FRIENDS_ONLINE_SHOWN friends online, by name; how many more are online)."""
    online = online_among(friend_ids(user_id=user_id))
    if not online:
        return [], 0
    shown = list(
        get_user_model()
        .objects.filter(pk__in=online)
        .only("id", "username", "display_name")
        .order_by("username", "pk")[:FRIENDS_ONLINE_SHOWN]
    )
    return shown, len(online) - len(shown)


def dashboard_for(*, user) -> Dashboard:
    current, past = event_entries_of(user=user)
    friends, more = friends_online_of(user_id=user.pk)
    return Dashboard(
        next_match=next_match_of(user=user),
        current_events=current,
        past_events=past,
        prizes=prizes_held_for(user=user) + prizes_paid_to(user=user),
        wallet=wallet_summary(user=user),
        friends_online=friends,
        friends_online_more=more,
        team_invites=list(invites_pending_for(user=user)[:INVITES_SHOWN]),
        friend_requests=list(incoming_requests(user_id=user.pk)[:INVITES_SHOWN]),
    )
