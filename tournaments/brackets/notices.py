"""What players and organizers hear while a bracket is played: a match is ready, the other side
reported, a result is disputed or decided. Written in the caller's transaction through `notify`,
each keyed by its happening so that a step run twice tells nobody twice."""

from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from driftwood.core.i18n import lazy_join, lazy_text
from driftwood.notifications.services import notify
from tournaments import webhooks
from tournaments.brackets.models import Match, Stage
from tournaments.models import Entry, Event, RegistrationMember

# How a dispute closes when the organizer gives no words of their own: stored in English in the
# dispute, read in each reader's language (the match page translates it, notices carry it lazily).
ENTERED_BY_ORGANIZER = gettext_noop("Result entered by the organizer.")
BOTH_AGREED = gettext_noop("Both sides agreed.")
RESOLVED_BY_ORGANIZER = gettext_noop("Resolved by the organizer.")


# Fixed SQL rather than a queryset: compiling one for every notice of a report cost more than the rest.
_PLAYERS_OF_ENTRIES = (
    f"SELECT member.user_id FROM {RegistrationMember._meta.db_table} AS member"
    f" JOIN {Entry._meta.db_table} AS entry ON entry.registration_id = member.registration_id"
    " WHERE entry.id = ANY(%s::bigint[])"
)


def players_of(*entry_ids: int | None) -> RawSQL | list:
    """The user ids of these entries' players (a team entry's roster, a solo entry's player), as a
    subquery for `notify`: telling them costs one statement (none without entries)."""
    entries = [entry_id for entry_id in entry_ids if entry_id]
    return RawSQL(_PLAYERS_OF_ENTRIES, [entries]) if entries else []


def _match_url(match: Match) -> str:
    return reverse("tournaments:match_detail", args=[match.pk])


def _ready(matches: list[Match]) -> list[Match]:
    return [match for match in matches if match.status == Match.Status.READY and match.entry_a_id and match.entry_b_id]


def match_completed(event: Event, match: Match, *, made_ready: list[Match]) -> None:
    """A match has its result (the organizer's webhooks hear it), and the matches it filled can be played."""
    ready = _ready(made_ready)
    webhooks.match_completed(event, match, made_ready=ready)
    _tell_ready(event, ready)


def matches_ready(event: Event, matches: list[Match]) -> None:
    """Both players (or rosters) of each newly ready match: it can be played now."""
    ready = _ready(matches)
    if ready:
        webhooks.matches_ready(event, ready)
        _tell_ready(event, ready)


def _tell_ready(event: Event, ready: list[Match]) -> None:
    for match in ready:
        notify(
            users=players_of(match.entry_a_id, match.entry_b_id),
            kind="match_ready",
            title=lazy_text(
                lambda match=match: (
                    _("Your match %(key)s in %(event)s is ready") % {"key": match.key, "event": event.name}
                )
            ),
            body=lazy_text(lambda: _("Play it, then report the score on the match page.")),
            url=_match_url(match),
            data={"event_id": event.pk, "match_id": match.pk},
            key=f"match_ready:{match.pk}:{match.attempt}",
        )


def result_reported(event: Event, match: Match, *, side: str, report_id: int, score_a: int, score_b: int) -> None:
    """The other side: confirm the score by reporting the same, or dispute it."""
    other = match.entry_b_id if side == "a" else match.entry_a_id
    notify(
        users=players_of(other),
        kind="result_reported",
        title=lazy_text(
            lambda: (
                _("Your opponent reported %(score_a)s-%(score_b)s for %(key)s in %(event)s")
                % {"score_a": score_a, "score_b": score_b, "key": match.key, "event": event.name}
            )
        ),
        body=lazy_text(lambda: _("Report the same score to confirm it, or dispute it on the match page.")),
        url=_match_url(match),
        data={"event_id": event.pk, "match_id": match.pk, "score_a": score_a, "score_b": score_b},
        key=f"result_reported:{report_id}",
    )
    webhooks.result_reported(event, match, side=side, report_id=report_id, score_a=score_a, score_b=score_b)


def dispute_opened(event: Event, match: Match, *, why: str, by_side: str | None = None) -> None:
    """The organizer (once per match and attempt, however it became disputed) and the other side."""
    url, data = _match_url(match), {"event_id": event.pk, "match_id": match.pk}
    notify(
        users=[event.organizer_id],
        kind="dispute_opened",
        title=lazy_text(lambda: _("Disputed: %(key)s in %(event)s") % {"key": match.key, "event": event.name}),
        body=lazy_text(lambda: str(why)),
        url=url,
        data=data,
        key=f"dispute_opened:{match.pk}:{match.attempt}",
    )
    webhooks.match_disputed(event, match)
    if by_side in ("a", "b"):
        other = match.entry_b_id if by_side == "a" else match.entry_a_id
        notify(
            users=players_of(other),
            kind="dispute_opened",
            title=lazy_text(
                lambda: _("Your opponent disputes %(key)s in %(event)s") % {"key": match.key, "event": event.name}
            ),
            body=lazy_join([why, gettext_lazy("The organizer will decide the result.")], "\n\n"),
            url=url,
            data=data,
            key=f"dispute_opened:{match.pk}:{match.attempt}",
        )


def dispute_resolved(event: Event, match: Match, *, decision_id: int, resolution: str) -> None:
    """Both sides of a disputed match: the organizer's decision and the score that stands."""
    notify(
        users=players_of(match.entry_a_id, match.entry_b_id),
        kind="dispute_resolved",
        title=lazy_text(
            lambda: (
                _("Decided: %(key)s in %(event)s stands at %(score_a)s-%(score_b)s")
                % {"key": match.key, "event": event.name, "score_a": match.score_a, "score_b": match.score_b}
            )
        ),
        body=resolution,
        url=_match_url(match),
        data={"event_id": event.pk, "match_id": match.pk, "score_a": match.score_a, "score_b": match.score_b},
        key=f"dispute_resolved:{decision_id}",
    )


def playoff_drawn(event: Event, groups: Stage, playoff: Stage) -> None:
    """The group stage is over: who advanced hears it and gets their first match, who did not hears
    that too; the organizer's webhooks get `stage.completed`, then the playoff's ready matches."""
    advanced = list(playoff.options["seeds"])
    out = [entry_id for table in playoff.options["groups"] for entry_id in table if entry_id not in advanced]
    url = reverse("tournaments:event_bracket", args=[event.pk])
    webhooks.stage_completed(event, groups, playoff)
    notify(
        users=players_of(*advanced),
        kind="stage_completed",
        title=lazy_text(lambda: _("Through to the playoff of %(event)s") % {"event": event.name}),
        body=lazy_text(lambda: _("You finished high enough in your group. Your playoff match is on the bracket.")),
        url=url,
        data={"event_id": event.pk, "stage": playoff.number},
        key=f"stage_advanced:{playoff.pk}",
    )
    notify(
        users=players_of(*out),
        kind="stage_completed",
        title=lazy_text(lambda: _("The group stage of %(event)s is over") % {"event": event.name}),
        body=lazy_text(lambda: _("You did not finish high enough in your group to reach the playoff.")),
        url=url,
        data={"event_id": event.pk, "stage": groups.number},
        key=f"stage_eliminated:{playoff.pk}",
    )
    matches_ready(event, list(playoff.matches.all()))
