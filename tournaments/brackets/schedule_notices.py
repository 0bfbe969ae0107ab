"""What players and organizers hear about a match's schedule: check-in is open, the match starts
soon, a forfeit waits for the organizer, a match was decided by forfeit (and the organizer's
webhooks, which also hear each check-in). Each is keyed by its
happening (`notify` writes at most one row per player and key), on top of the reminder claims
that make the beat send each reminder once."""

from django.urls import reverse
from django.utils.translation import gettext as _

from driftwood.core.i18n import lazy_text
from driftwood.core.times import malaysia_time
from driftwood.notifications.services import notify
from tournaments import webhooks
from tournaments.brackets.notices import players_of
from tournaments.brackets.schedule_selectors import MatchTimes
from tournaments.models import Event, ForfeitProposal, Match, MatchCheckIn


def _url(match: Match) -> str:
    return reverse("tournaments:match_detail", args=[match.pk])


def _data(event: Event, match: Match) -> dict:
    return {"event_id": event.pk, "match_id": match.pk}


def match_check_in_open(event: Event, match: Match, times: MatchTimes) -> None:
    notify(
        users=players_of(match.entry_a_id, match.entry_b_id),
        kind="match_check_in_open",
        title=lazy_text(lambda: _("Check in to %(key)s in %(event)s") % {"key": match.key, "event": event.name}),
        body=lazy_text(
            lambda: (
                _("Check-in is open on the match page. A side not checked in by %(deadline)s may forfeit.")
                % {"deadline": malaysia_time(times.deadline_at)}
            )
        ),
        url=_url(match),
        data={**_data(event, match), "deadline_at": times.deadline_at.isoformat()},
        key=f"match_check_in_open:{match.pk}:{match.attempt}",
    )


def match_starting(event: Event, match: Match, times: MatchTimes) -> None:
    def body() -> str:
        if times.check_in_required:
            return _("Check in on the match page before %(deadline)s.") % {"deadline": malaysia_time(times.deadline_at)}
        return _("Be ready on time, then report the score on the match page.")

    notify(
        users=players_of(match.entry_a_id, match.entry_b_id),
        kind="match_starting",
        title=lazy_text(
            lambda: (
                _("%(key)s in %(event)s starts at %(time)s")
                % {"key": match.key, "event": event.name, "time": malaysia_time(times.starts_at)}
            )
        ),
        body=lazy_text(body),
        url=_url(match),
        data={**_data(event, match), "starts_at": times.starts_at.isoformat()},
        key=f"match_starting:{match.pk}:{match.attempt}",
    )


def forfeit_proposed(event: Event, match: Match, proposal: ForfeitProposal) -> None:
    """The organizer: confirm or reject on the manage page."""
    notify(
        users=[event.organizer_id],
        kind="forfeit_proposed",
        title=lazy_text(
            lambda: _("No-show in %(key)s of %(event)s: confirm the forfeit?") % {"key": match.key, "event": event.name}
        ),
        body=lazy_text(
            lambda: (
                _("%(absent)s did not check in by the deadline. Confirm or reject the forfeit on the manage page.")
                % {"absent": _absent_names(match, proposal.absent)}
            )
        ),
        url=reverse("tournaments:event_manage", args=[event.pk]),
        data={**_data(event, match), "forfeit_id": proposal.pk},
        key=f"forfeit_proposed:{match.pk}:{proposal.attempt}",
    )
    webhooks.forfeit_proposed(event, match, proposal)


def match_forfeited(event: Event, match: Match, proposal: ForfeitProposal) -> None:
    """Both sides: the organizer confirmed the forfeit, and who advances."""
    notify(
        users=players_of(match.entry_a_id, match.entry_b_id),
        kind="match_forfeited",
        title=lazy_text(
            lambda: _("%(key)s in %(event)s was decided by forfeit") % {"key": match.key, "event": event.name}
        ),
        body=lazy_text(
            lambda: (
                _("%(absent)s did not check in in time; %(winner)s advances.")
                % {"absent": _absent_names(match, proposal.absent), "winner": proposal.winner.name}
            )
        ),
        url=_url(match),
        data={**_data(event, match), "forfeit_id": proposal.pk, "winner_entry_id": proposal.winner_id},
        key=f"match_forfeited:{proposal.pk}",
    )
    webhooks.match_forfeited(event, match, proposal)


def match_checked_in(event: Event, match: Match, check_in: MatchCheckIn) -> None:
    """No notice (the match page shows it); the organizer's webhooks hear it."""
    webhooks.match_checked_in(
        event, match, side=check_in.side, entry_id=check_in.entry_id, checked_in_at=check_in.checked_in_at
    )


def _absent_names(match: Match, absent: str) -> str:
    if absent == ForfeitProposal.Absent.BOTH:
        return _("%(a)s and %(b)s") % {"a": match.entry_a.name, "b": match.entry_b.name}
    return (match.entry_a if absent == "a" else match.entry_b).name
