"""Playing a 64-entrant bracket for bench/brackets.py: the results both sides play (score_for, in
bracket_order), the raw SQL side (the statements a hand-written implementation would send for the same
row changes as `match_report`), and the comparison of the two brackets afterwards."""

import json

from bench.common import Stopwatch


def score_for(key: str) -> tuple[int, int]:
    """A fixed but mixed result per match: sometimes side a wins, sometimes side b."""
    return (1, 0) if sum(map(ord, key)) % 3 else (0, 1)


def bracket_order(event) -> list:
    """Every match in an order that plays each before its dependants (round, then position)."""
    from tournaments.models import Match

    return list(Match.objects.filter(event=event).order_by("round", "position"))


# A hand-written notification of a happening: one row per player (a solo entry's player, a team
# entry's roster), in the player's language, e-mailed per their choice for the kind (the kind's default
# when they made none), never twice for one key.
NOTIFY_SQL = """
INSERT INTO notifications_notification (user_id, kind, title, body, url, data, key, created_at, email_pending)
SELECT member.user_id, %(kind)s, CASE WHEN player.language = 'ms' THEN %(title_ms)s ELSE %(title_en)s END,
       CASE WHEN player.language = 'ms' THEN %(body_ms)s ELSE %(body_en)s END, %(url)s, %(data)s::jsonb, %(key)s,
       %(now)s, COALESCE(choice.email, %(email)s)
  FROM tournaments_registrationmember AS member
  JOIN accounts_user AS player ON player.id = member.user_id
  LEFT JOIN notifications_emailpreference AS choice ON choice.user_id = member.user_id AND choice.kind = %(kind)s
 WHERE {recipients}
ON CONFLICT (user_id, key) WHERE key <> '' DO NOTHING
"""
PLAYERS_OF_ENTRIES = (
    "member.registration_id IN (SELECT registration_id FROM tournaments_entry WHERE id IN (%(a)s, %(b)s))"
)
CONFIRMED_ENTRANTS = (
    "member.event_id = %(event)s AND member.registration_id IN"
    " (SELECT id FROM tournaments_registration WHERE event_id = %(event)s AND status = 'confirmed')"
)


def notify_statement(recipients: str, *, kind: str, title, body, url: str, data: dict, key: str, now, **ids):
    """The statement, its texts rendered in both languages before the clock starts."""
    from django.utils import translation

    from driftwood.notifications.kinds import kind_of

    texts = {}
    for code in ("en", "ms"):
        with translation.override(code):
            texts |= {f"title_{code}": title(), f"body_{code}": body()}
    params = {"kind": kind, "url": url, "data": json.dumps(data), "key": key, "now": now, **texts, **ids}
    return NOTIFY_SQL.format(recipients=recipients), {**params, "email": kind_of(kind).email}


def match_ready_statement(event, match, a: int, b: int, now):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return notify_statement(
        PLAYERS_OF_ENTRIES,
        kind="match_ready",
        title=lambda: _("Your match %(key)s in %(event)s is ready") % {"key": match.key, "event": event.name},
        body=lambda: _("Play it, then report the score on the match page."),
        url=reverse("tournaments:match_detail", args=[match.pk]),
        data={"event_id": event.pk, "match_id": match.pk},
        key=f"match_ready:{match.pk}:{match.attempt}",
        now=now,
        a=a,
        b=b,
    )


def event_completed_statement(event, now):
    from django.urls import reverse
    from django.utils.translation import gettext as _

    return notify_statement(
        CONFIRMED_ENTRANTS,
        kind="event_completed",
        title=lambda: _("%(event)s is over") % {"event": event.name},
        body=lambda: _("The final standings are on the event page."),
        url=reverse("tournaments:event_detail", args=[event.pk]),
        data={"event_id": event.pk},
        key=f"event_completed:{event.pk}",
        now=now,
        event=event.pk,
    )


def raw_plan(event) -> list[list[tuple[str, tuple | dict]]]:
    """The statements that make the same row changes as the service, one list per report.

    Computed before timing from the bracket's links: who wins each match (score_for), where the winner
    goes (the dependant's slot fed by it) and whether that fills the dependant (then `ready`, and its
    players are told). The last report's completion is added by `completion_statements`.
    """
    from django.utils import timezone

    from tournaments.models import Event, Match, MatchReport

    match_table, report_table = Match._meta.db_table, MatchReport._meta.db_table
    matches = bracket_order(event)
    fed_by: dict[int, list[tuple[Match, str]]] = {}
    for match in matches:
        for slot in ("a", "b"):
            source = getattr(match, f"{slot}_source_match_id")
            if source is not None:
                fed_by.setdefault(source, []).append((match, slot))
    filled = {match.pk: {"a": match.entry_a_id, "b": match.entry_b_id} for match in matches}
    now = timezone.now()
    lock = (f"SELECT id FROM {Event._meta.db_table} WHERE id = %s FOR UPDATE", (event.pk,))
    plan = []
    for match in matches:
        score_a, score_b = score_for(match.key)
        a, b = filled[match.pk]["a"], filled[match.pk]["b"]
        winner, loser = (a, b) if score_a > score_b else (b, a)
        statements = [
            lock,
            (
                f"INSERT INTO {report_table} (match_id, attempt, side, version, score_a, score_b, reported_by_id,"
                " created_at) VALUES (%s, 1, 'organizer', 1, %s, %s, %s, %s)",
                (match.pk, score_a, score_b, event.organizer_id, now),
            ),
            (
                f"UPDATE {match_table} SET score_a = %s, score_b = %s, winner_id = %s, status = 'completed',"
                " completed_at = %s, updated_at = %s WHERE id = %s",
                (score_a, score_b, winner, now, now, match.pk),
            ),
        ]
        for dependant, slot in fed_by.get(match.pk, []):
            fed = winner if getattr(dependant, f"{slot}_source") == Match.Source.WINNER else loser
            filled[dependant.pk][slot] = fed
            ready = all(filled[dependant.pk].values())
            statements.append(
                (
                    f"UPDATE {match_table} SET entry_{slot}_id = %s, status = %s, updated_at = %s WHERE id = %s",
                    (fed, "ready" if ready else "pending", now, dependant.pk),
                )
            )
            if ready:
                statements.append(match_ready_statement(event, dependant, *filled[dependant.pk].values(), now))
        plan.append(statements)
    return plan


def completion_statements(event, placements_by_seed: dict[int, int]) -> list[tuple[str, tuple | dict]]:
    """What the last report adds: the placements, the event completed, every entrant told."""
    from django.utils import timezone

    from tournaments.models import Entry, Event

    now = timezone.now()
    seeds = list(placements_by_seed.items())
    values = ", ".join(["(%s, %s)"] * len(seeds))
    return [
        (
            f"UPDATE {Entry._meta.db_table} AS e SET placement = v.place FROM (VALUES {values}) AS v(seed, place)"
            " WHERE e.event_id = %s AND e.seed = v.seed",
            (*(value for pair in seeds for value in pair), event.pk),
        ),
        (
            f"UPDATE {Event._meta.db_table} SET status = 'completed', completed_at = %s, updated_at = %s WHERE id = %s",
            (now, now, event.pk),
        ),
        event_completed_statement(event, now),
    ]


def raw_report(conn, statements: list[tuple[str, tuple | dict]]) -> float:
    """One report's transaction on the raw psycopg connection; returns the seconds it took."""
    with Stopwatch() as watch, conn.transaction():
        for sql, params in statements:
            conn.execute(sql, params)
    return watch.seconds


def bracket_state(event, since: int) -> tuple:
    """Everything the results changed, by key and seed (so two events compare): the matches, the
    placements, the reports and the notifications after id `since` (each as its recipient's seed and
    its match's key)."""
    from tournaments.models import Entry, Event, Match, MatchReport

    seed = dict(Entry.objects.filter(event=event).values_list("pk", "seed"))
    matches = sorted(
        (m.key, m.status, m.score_a, m.score_b, seed.get(m.winner_id), seed.get(m.entry_a_id), seed.get(m.entry_b_id))
        for m in Match.objects.filter(event=event)
    )
    placements = sorted(Entry.objects.filter(event=event).values_list("seed", "placement"))
    reports = sorted(
        MatchReport.objects.filter(match__event=event).values_list("match__key", "side", "score_a", "score_b")
    )
    return Event.objects.get(pk=event.pk).status, matches, placements, reports, notifications_state(event, seed, since)


def notifications_state(event, seed: dict[int, int], since: int) -> list[tuple]:
    """The event's notifications with the ids and names that differ between two events replaced."""
    from driftwood.notifications.models import Notification
    from tournaments.models import Match, RegistrationMember

    entry_of = dict(RegistrationMember.objects.filter(event=event).values_list("user_id", "registration__entry__id"))
    key_of = dict(Match.objects.filter(event=event).values_list("pk", "key"))
    rows = []
    for note in Notification.objects.filter(data__event_id=event.pk, pk__gt=since):
        match_id = note.data.get("match_id")
        if match_id is None:
            url, key = note.url.replace(f"/{event.pk}/", "/{event}/"), note.key.replace(f":{event.pk}", ":{event}")
        else:
            url, key = (
                note.url.replace(f"/{match_id}/", f"/{key_of[match_id]}/"),
                note.key.replace(f":{match_id}:", f":{key_of[match_id]}:"),
            )
        title, body = (text.replace(event.name, "{event}") for text in (note.title, note.body))
        rows.append((note.kind, seed[entry_of[note.user_id]], title, body, url, key, note.email_pending))
    return sorted(rows)
