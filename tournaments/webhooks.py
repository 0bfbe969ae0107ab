"""What an organizer's webhooks hear about their events (integrations.services.emit sends it).

Called beside the notices (tournaments.notifications, tournaments.brackets.notices), in the same
transaction: each call notes a happening with the facts it knows now (ids, statuses, scores) and
costs no query; after commit, and only when the organizer has an endpoint for that event type,
`data` reads the names (one query) and the deliveries are written. Keys name the happening, so the
same happening is one event id (delivered once per endpoint).
"""

from datetime import datetime
from functools import partial

from django.conf import settings
from django.urls import reverse
from rest_framework import serializers

from driftwood.core.money import format_money
from integrations.services.emit import Happening, webhooks_emit_on_commit
from tournaments.brackets.api.schedule_serializers import ScheduledMatchSerializer
from tournaments.brackets.api.serializers import EntryRefSerializer
from tournaments.brackets.ffa.selectors import ffa_view
from tournaments.brackets.ffa.serializers import FfaSerializer
from tournaments.models import Entry, Event, ForfeitProposal, Match, PrizePayout, Registration, Stage
from tournaments.selectors import matches_of_event


def _event_ref(event: Event) -> dict:
    path = reverse("tournaments:event_detail", args=[event.pk])
    return {"id": event.pk, "name": event.name, "status": event.status, "url": f"{settings.SITE_URL}{path}"}


def _emit(event: Event, *happenings: Happening) -> None:
    webhooks_emit_on_commit(owner_id=event.organizer_id, happenings=happenings)


# --- Registrations


def _registration_data(event: dict, registration_id: int, status: str) -> dict:
    registration = Registration.objects.select_related("team", "registered_by").get(pk=registration_id)
    player = registration.registered_by
    return {
        "event": event,
        "registration": {
            "id": registration.pk,
            "status": status,
            "name": registration.team.name if registration.team_id else player.public_name,
            "user_id": registration.user_id,
            "team_id": registration.team_id,
            "registered_by": {"id": player.pk, "username": player.username},
        },
    }


def registration_changed(registration: Registration) -> None:
    """An entry confirmed, or a confirmed entry withdrawn (a pending one that never paid is not news)."""
    if registration.status == Registration.Status.CONFIRMED:
        event_type = "registration.confirmed"
    elif registration.status == Registration.Status.WITHDRAWN and registration.confirmed_at is not None:
        event_type = "registration.withdrawn"
    else:
        return
    event = registration.event
    data = partial(_registration_data, _event_ref(event), registration.pk, registration.status)
    _emit(event, Happening(event_type, f"{event_type}:{registration.pk}", data))


# --- Matches


def _match_data(event: dict, match_id: int, **facts) -> dict:
    match = matches_of_event().get(pk=match_id)
    return {"event": event, "match": ScheduledMatchSerializer(match).data, **_times_as_api(facts)}


def _times_as_api(facts: dict) -> dict:
    """A fact's times written as the match JSON writes its own (DRF's, to the microsecond)."""
    as_text = serializers.DateTimeField().to_representation
    return {
        key: _times_as_api(value)
        if isinstance(value, dict)
        else as_text(value)
        if isinstance(value, datetime)
        else value
        for key, value in facts.items()
    }


def _ready_happenings(ref: dict, matches: list[Match]) -> list[Happening]:
    return [
        Happening("match.ready", f"match.ready:{match.pk}:{match.attempt}", partial(_match_data, ref, match.pk))
        for match in matches
    ]


def matches_ready(event: Event, matches: list[Match]) -> None:
    _emit(event, *_ready_happenings(_event_ref(event), matches))


def result_reported(event: Event, match: Match, *, side: str, report_id: int, score_a: int, score_b: int) -> None:
    report = {"side": side, "score_a": score_a, "score_b": score_b}
    data = partial(_match_data, _event_ref(event), match.pk, report=report)
    _emit(event, Happening("match.result_reported", f"match.result_reported:{report_id}", data))


def match_completed(event: Event, match: Match, *, made_ready: list[Match]) -> None:
    """The result, then the matches it made ready: one call, so one look for endpoints after commit."""
    ref = _event_ref(event)
    result = {"score_a": match.score_a, "score_b": match.score_b, "winner_entry_id": match.winner_id}
    key = f"match.completed:{match.pk}:{match.completed_at.isoformat()}"
    completed = Happening("match.completed", key, partial(_match_data, ref, match.pk, result=result))
    _emit(event, completed, *_ready_happenings(ref, made_ready))


def match_disputed(event: Event, match: Match) -> None:
    """Once per match and attempt, however it became disputed (as the organizer's notice)."""
    data = partial(_match_data, _event_ref(event), match.pk)
    _emit(event, Happening("match.disputed", f"match.disputed:{match.pk}:{match.attempt}", data))


def match_checked_in(event: Event, match: Match, *, side: str, entry_id: int, checked_in_at) -> None:
    """One side checked in to the match (each side once per attempt)."""
    check_in = {"side": side, "entry_id": entry_id, "checked_in_at": checked_in_at}
    data = partial(_match_data, _event_ref(event), match.pk, check_in=check_in)
    key = f"match.checked_in:{match.pk}:{match.attempt}:{side}"
    _emit(event, Happening("match.checked_in", key, data))


def _forfeit_facts(proposal: ForfeitProposal) -> dict:
    return {
        "id": proposal.pk,
        "absent": proposal.absent,
        "deadline_at": proposal.deadline_at,
        "status": proposal.status,
        "winner_entry_id": proposal.winner_id,
    }


def forfeit_proposed(event: Event, match: Match, proposal: ForfeitProposal) -> None:
    """A side (or both) did not check in by the deadline: the organizer is to confirm or reject."""
    data = partial(_match_data, _event_ref(event), match.pk, forfeit=_forfeit_facts(proposal))
    _emit(event, Happening("match.forfeit_proposed", f"match.forfeit_proposed:{proposal.pk}", data))


def match_forfeited(event: Event, match: Match, proposal: ForfeitProposal) -> None:
    """The organizer confirmed the forfeit (after the `match.completed` of the result it made)."""
    data = partial(_match_data, _event_ref(event), match.pk, forfeit=_forfeit_facts(proposal))
    _emit(event, Happening("match.forfeited", f"match.forfeited:{proposal.pk}", data))


# --- Free-for-all


def _round_data(event: dict, event_id: int, round_number: int) -> dict:
    ffa = FfaSerializer(ffa_view(Event.objects.get(pk=event_id))).data
    lobbies = next((row["lobbies"] for row in ffa["rounds"] if row["round"] == round_number), [])
    return {
        "event": event,
        "round": {"number": round_number, "rounds_total": ffa["rounds_total"], "lobbies": lobbies},
        "standings": ffa["standings"],
    }


def ffa_round_closed(event: Event, round_number: int, closed_at) -> None:
    """The organizer closed a free-for-all round: its lobbies' results are final (a round reopened and
    closed again is a new happening)."""
    data = partial(_round_data, _event_ref(event), event.pk, round_number)
    key = f"ffa.round_closed:{event.pk}:{round_number}:{closed_at.isoformat()}"
    _emit(event, Happening("ffa.round_closed", key, data))


# --- Stages


def _stage_data(event: dict, groups: dict, playoff: dict) -> dict:
    ids = {entry_id for table in groups["tables"] for entry_id in table}
    entries = Entry.objects.filter(pk__in=ids).select_related("registration__user", "registration__team")
    ref = {entry.pk: EntryRefSerializer(entry).data for entry in entries}
    return {
        "event": event,
        "stage": {"number": groups["number"], "format": groups["format"]},
        "groups": [
            {"group": number, "entries": [ref[entry_id] for entry_id in table]}
            for number, table in enumerate(groups["tables"], start=1)
        ],
        "next_stage": {
            "number": playoff["number"],
            "format": playoff["format"],
            "advance": playoff["advance"],
            "seeds": [ref[entry_id] for entry_id in playoff["seeds"]],
        },
    }


def stage_completed(event: Event, groups: Stage, playoff: Stage) -> None:
    """The group stage is over and the playoff is drawn: the tables and who advanced, seeded."""
    options = playoff.options
    facts = (
        {"number": groups.number, "format": groups.format, "tables": options["groups"]},
        {"number": playoff.number, "format": playoff.format, "advance": options["advance"], "seeds": options["seeds"]},
    )
    data = partial(_stage_data, _event_ref(event), *facts)
    _emit(event, Happening("stage.completed", f"stage.completed:{groups.pk}:{playoff.pk}", data))


# --- Results


def _placements_data(event: dict) -> dict:
    placed = (
        Entry.objects.filter(event_id=event["id"], placement__isnull=False)
        .select_related("registration__user", "registration__team")
        .order_by("placement", "seed")
    )
    return {
        "event": event,
        "placements": [{"place": entry.placement, "entry": EntryRefSerializer(entry).data} for entry in placed],
    }


def event_completed(event: Event) -> None:
    key = f"event.completed:{event.pk}:{event.completed_at.isoformat()}"
    _emit(event, Happening("event.completed", key, partial(_placements_data, _event_ref(event))))


def _payouts_data(event: dict, prize_pool: str) -> dict:
    payouts = PrizePayout.objects.filter(event_id=event["id"]).select_related("user").order_by("place", "user_id")
    return {
        "event": event,
        "prize_pool": prize_pool,
        "payouts": [
            {
                "place": payout.place,
                "entry_id": payout.entry_id,
                "user": {"id": payout.user_id, "username": payout.user.username},
                "amount": format_money(payout.amount),
            }
            for payout in payouts
        ],
    }


def prizes_paid(event: Event) -> None:
    data = partial(_payouts_data, _event_ref(event), format_money(event.prize_pool))
    _emit(event, Happening("event.prizes_paid", f"event.prizes_paid:{event.pk}", data))
