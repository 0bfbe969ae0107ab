"""Every kind of notification Driftwood sends, in one place: what the preferences page calls it and
whether it is e-mailed by default.

In-app notifications are always written. E-mail is per kind: on by default for what a player must
act on or would be upset to miss (money, matches, their account), off for the social chatter; a
player may turn any of them off except the `required` ones (their account's standing and money that
did not arrive), which are always e-mailed. Staff alerts are e-mailed to staff.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    label: str  # translatable (gettext_lazy): shown in the reader's language
    email: bool  # e-mailed unless the player turned it off
    required: bool = False  # always e-mailed; the preferences page shows it checked and locked
    staff: bool = False  # sent to staff only; not on the players' preferences page


KINDS: dict[str, Kind] = {
    # Events and entries
    "registration_confirmed": Kind(_("Your entry is confirmed"), email=True),
    "waitlist_promoted": Kind(_("A seat opened for you on a waitlist"), email=True),
    "waitlist_skipped": Kind(_("A waitlist seat went to the next in line"), email=True),
    "waitlist_closed": Kind(_("An event closed with you on its waitlist"), email=True),
    "checkin_open": Kind(_("Check-in opens for your event"), email=True),
    "check_in_missed": Kind(_("You missed check-in"), email=True),
    "event_updated": Kind(_("An event you entered changed"), email=True),
    "event_announcement": Kind(_("Announcements from organizers"), email=True),
    "event_started": Kind(_("An event you entered started"), email=False),
    "event_cancelled": Kind(_("An event you entered was cancelled"), email=True),
    "event_completed": Kind(_("An event you entered finished"), email=False),
    "entry_update": Kind(_("Entries to events you organize"), email=True),
    # Matches
    "match_ready": Kind(_("Your match is ready"), email=True),
    "stage_completed": Kind(_("Your group stage finished (through to the playoff or out)"), email=True),
    "result_reported": Kind(_("Your opponent reported a result"), email=True),
    "dispute_opened": Kind(_("A result was disputed"), email=True),
    "dispute_resolved": Kind(_("A dispute was decided"), email=True),
    "match_check_in_open": Kind(_("Check-in opens for your match"), email=True),
    "match_starting": Kind(_("Your match starts soon"), email=False),
    "forfeit_proposed": Kind(_("Forfeits waiting for your decision"), email=True),
    "match_forfeited": Kind(_("A match was decided by forfeit"), email=True),
    "lobby_assigned": Kind(_("Your lobby for a free-for-all round"), email=True),
    "round_results": Kind(_("Free-for-all round results"), email=False),
    "lobby_host": Kind(_("You were named a lobby's host"), email=True),
    # Money
    "prize_held": Kind(_("A prize is held for the dispute window"), email=False),
    "prize_paid": Kind(_("A prize was paid"), email=True),
    "withdrawal_review": Kind(_("A withdrawal is waiting for review"), email=True),
    "withdrawal_completed": Kind(_("A withdrawal reached your bank"), email=True),
    "withdrawal_failed": Kind(_("A withdrawal failed"), email=True, required=True),
    # People
    "friend_request": Kind(_("Friend requests"), email=True),
    "friend_accepted": Kind(_("Accepted friend requests"), email=False),
    "new_follower": Kind(_("New followers"), email=False),
    "team_invite": Kind(_("Team invitations"), email=True),
    # Account standing
    "moderation_warning": Kind(_("Warnings from moderators"), email=True, required=True),
    "account_suspended": Kind(_("Account suspended or banned"), email=True, required=True),
    "account_restored": Kind(_("Account open again"), email=True, required=True),
    # Staff alerts
    "report_filed": Kind(_("New player reports"), email=True, staff=True),
    "withdrawal_processing_stuck": Kind(_("Withdrawals stuck in processing"), email=True, staff=True),
    "wallet_reconcile_failed": Kind(_("Wallet reconciliation differences"), email=True, staff=True),
}

PLAYER_KINDS = {name: kind for name, kind in KINDS.items() if not kind.staff}


def kind_of(name: str) -> Kind:
    """The kind named `name`; an unknown name is a programming error, caught by the tests."""
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(f"Unknown notification kind {name!r}: add it to driftwood/notifications/kinds.py.") from None
