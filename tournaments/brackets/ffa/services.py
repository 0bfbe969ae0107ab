"""Playing a free-for-all: the organizer's settings, the lobbies of each round, results per lobby,
closing rounds, and the final places that the prize payout reads.

Every write takes the event's row lock first (the lock joins, check-in, the start and match
results take), so two hosts entering results and the organizer closing the round are applied one
after the other. The last round's close completes the event like a bracket's last match:
`Entry.placement` is set (1..N, the standings being a total order) and the payout follows.
"""

from collections.abc import Sequence

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.core.exceptions import DomainError, NotFound
from tournaments import notifications
from tournaments.brackets.ffa import notices
from tournaments.brackets.ffa.models import FreeForAllSettings, Lobby, LobbyResult, LobbySlot
from tournaments.brackets.ffa.rules import reopen_refusal, results_refusal, round_refusal
from tournaments.brackets.ffa.selectors import ffa_settings_of, ffa_stage, lobbies_of, standings_of
from tournaments.brackets.formats.ffa import (
    MAX_LOBBY_SIZE,
    MAX_ROUNDS,
    PRESETS,
    BracketError,
    FfaResultError,
    ffa_lobbies,
    lobby_result_check,
    points_table_check,
)
from tournaments.exceptions import InvalidResults, InvalidStatus, ReopenRefused, RoundNotReady
from tournaments.models import Entry, Event, Stage
from tournaments.services.events import event_lock, event_require_organizer, event_transition
from tournaments.services.results import event_completed_settle

FREE_FOR_ALL = Event.Format.FREE_FOR_ALL
SETTINGS_OPEN = (Event.Status.DRAFT, Event.Status.REGISTRATION_OPEN, Event.Status.REGISTRATION_CLOSED)


def _invalid(field: str, message: str) -> DomainError:
    return DomainError(message, errors={field: [message]})


# --- Settings


def ffa_settings_update(
    *,
    event_id: int,
    actor,
    lobby_size: int | None = None,
    rounds: int | None = None,
    reshuffle: bool | None = None,
    preset: str | None = None,
    placement_points: Sequence[int] | None = None,
    kill_points: int | None = None,
) -> FreeForAllSettings:
    """Choose how the free-for-all is played (organizer, until the start). `preset` takes a standard
    points table (PRESETS); `placement_points` / `kill_points` given as well override it."""
    with transaction.atomic():
        event = event_lock(event_id)
        event_require_organizer(event, actor)
        if event.format != FREE_FOR_ALL:
            raise InvalidStatus(_("Only a free-for-all event has lobbies and a points table."))
        if event.status not in SETTINGS_OPEN:
            raise InvalidStatus(_("The free-for-all settings are fixed when the event starts."))
        settings = ffa_settings_of(event)
        if preset is not None:
            if preset not in PRESETS:
                raise _invalid("preset", _("Unknown points table."))
            settings.placement_points = list(PRESETS[preset].placement)
            settings.kill_points = PRESETS[preset].per_kill
        if lobby_size is not None:
            if not 2 <= lobby_size <= MAX_LOBBY_SIZE:
                raise _invalid("lobby_size", _("A lobby holds 2 to %(most)s entries.") % {"most": MAX_LOBBY_SIZE})
            settings.lobby_size = lobby_size
        if rounds is not None:
            if not 1 <= rounds <= MAX_ROUNDS:
                raise _invalid("rounds", _("Play 1 to %(most)s rounds.") % {"most": MAX_ROUNDS})
            settings.rounds = rounds
        if reshuffle is not None:
            settings.reshuffle = reshuffle
        if placement_points is not None:
            settings.placement_points = list(placement_points)
        if kill_points is not None:
            settings.kill_points = kill_points
        try:
            points_table_check(settings.placement_points, settings.kill_points)
        except BracketError:
            raise _invalid(
                "placement_points",
                _("Give 1 to 100 points values from 0 to 1000, never more for a lower place."),
            ) from None
        settings.save()
    return settings


# --- Lobbies


def ffa_stage_generate(event: Event, entries: Sequence[Entry]) -> Stage:
    """The free-for-all stage for `entries` (seeds 1..N in order) and its first round's lobbies,
    inside the caller's transaction (`stage_generate`, at the start or a reseed)."""
    settings = ffa_settings_of(event)
    options = {
        "lobby_size": settings.lobby_size,
        "rounds": settings.rounds,
        "reshuffle": settings.reshuffle,
        "placement_points": list(settings.placement_points),
        "kill_points": settings.kill_points,
    }
    stage = Stage.objects.create(event=event, number=1, format=FREE_FOR_ALL, options=options)
    _round_draw(event, stage, 1, [list(group) for group in ffa_lobbies(list(entries), settings.lobby_size)])
    return stage


def _round_draw(event: Event, stage: Stage, round_number: int, groups: list[list[Entry]]) -> list[Lobby]:
    lobbies = Lobby.objects.bulk_create(
        Lobby(stage=stage, round=round_number, number=number) for number in range(1, len(groups) + 1)
    )
    LobbySlot.objects.bulk_create(
        LobbySlot(lobby=lobby, entry=entry) for lobby, group in zip(lobbies, groups, strict=True) for entry in group
    )
    entry_ids = {lobby.pk: [entry.pk for entry in group] for lobby, group in zip(lobbies, groups, strict=True)}
    notices.lobbies_drawn(event, lobbies, entry_ids)
    return lobbies


def _next_round(event: Event, stage: Stage, round_number: int) -> None:
    """Deal the next round: by the standings so far (reshuffle), else the same lobbies as before."""
    lobbies = lobbies_of(stage)
    if stage.options.get("reshuffle"):
        entries = list(Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).order_by("seed"))
        order = [row.entry for row in standings_of(stage, lobbies, entries)]
        groups = ffa_lobbies(order, stage.options["lobby_size"])
    else:
        groups = [
            sorted((slot.entry for slot in lobby.slots.all()), key=lambda entry: entry.seed)
            for lobby in lobbies
            if lobby.round == round_number - 1
        ]
    _round_draw(event, stage, round_number, groups)


# --- Results


def _lobby_locked(lobby_id: int) -> tuple[Event, Lobby]:
    event_id = Lobby.objects.filter(pk=lobby_id).values_list("stage__event_id", flat=True).first()
    if event_id is None:
        raise NotFound(_("Lobby not found."))
    event = event_lock(event_id)
    # Read again under the lock: a round reopened meanwhile may have withdrawn it.
    lobby = Lobby.objects.select_related("stage").filter(pk=lobby_id).first()
    if lobby is None:
        raise NotFound(_("Lobby not found."))
    return event, lobby


RESULT_PROBLEMS = {
    "duplicate": lambda size: _("An entry is listed twice."),
    "entrants": lambda size: _("Give a result for every entry of the lobby, and only for them."),
    "placements": lambda size: _("Placements must be 1 to %(size)s, each once.") % {"size": size},
    "kills": lambda size: _("Kills cannot be negative."),
}


def lobby_results_enter(*, lobby_id: int, actor, results: Sequence[dict]) -> Lobby:
    """Enter (or correct, until the round closes) a lobby's results: `results` is
    [{"entry_id", "placement", "kills"}] for every entry of the lobby. Each entry is kept as a
    version with who entered it."""
    with transaction.atomic():
        event, lobby = _lobby_locked(lobby_id)
        if (refusal := results_refusal(event, lobby, actor)) is not None:
            raise refusal
        slots = {slot.entry_id: slot for slot in LobbySlot.objects.filter(lobby=lobby)}
        rows = [(row["entry_id"], row["placement"], row["kills"]) for row in results]
        try:
            lobby_result_check(slots, rows)
        except FfaResultError as error:
            message = RESULT_PROBLEMS[error.problem](len(slots))
            raise InvalidResults(message, errors={"results": [message]}) from None
        # Cleared first: the placements of one lobby are unique, also while they are swapped around.
        LobbySlot.objects.filter(lobby=lobby).update(placement=None, kills=None)
        for entry_id, placement, kills in rows:
            slots[entry_id].placement, slots[entry_id].kills = placement, kills
        LobbySlot.objects.bulk_update(list(slots.values()), ["placement", "kills"])
        version = LobbyResult.objects.filter(lobby=lobby).count() + 1
        LobbyResult.objects.create(
            lobby=lobby,
            version=version,
            entered_by=actor,
            rows=[{"entry_id": e, "placement": p, "kills": k} for e, p, k in sorted(rows, key=lambda row: row[1])],
        )
        lobby.results_entered_at, lobby.results_entered_by = timezone.now(), actor
        lobby.save(update_fields=["results_entered_at", "results_entered_by"])
        notifications.bracket_changed(event.pk, lobby_id=lobby.pk)
    return lobby


def lobby_host_set(*, lobby_id: int, actor, host_id: int | None) -> Lobby:
    """The organizer names who may enter a lobby's results besides them (None: nobody)."""
    with transaction.atomic():
        event, lobby = _lobby_locked(lobby_id)
        if (refusal := round_refusal(event, actor)) is not None:
            raise refusal
        if host_id is not None and not get_user_model().objects.filter(pk=host_id, is_active=True).exists():
            raise _invalid("host_id", _("No such player."))
        named = host_id is not None and host_id != lobby.host_id
        lobby.host_id = host_id
        lobby.save(update_fields=["host"])
        if named:
            notices.host_named(event, lobby)
    return lobby


def ffa_round_close(*, event_id: int, actor, round_number: int) -> list[Lobby]:
    """Close the round being played (organizer): its results become final, the players hear it,
    and the next round is dealt, or after the last the event completes and its places are set."""
    with transaction.atomic():
        event = event_lock(event_id)
        if (refusal := round_refusal(event, actor)) is not None:
            raise refusal
        stage = ffa_stage(event.pk)
        if stage is None:
            raise InvalidStatus(_("This event has no lobbies."))
        lobbies = list(Lobby.objects.filter(stage=stage, round=round_number).order_by("number"))
        open_round = Lobby.objects.filter(stage=stage, closed_at__isnull=True).order_by("round").first()
        if not lobbies or open_round is None or open_round.round != round_number:
            raise InvalidStatus(_("Only the round being played can close."))
        if any(lobby.results_entered_at is None for lobby in lobbies):
            raise RoundNotReady()
        closed_at = timezone.now()
        Lobby.objects.filter(pk__in=[lobby.pk for lobby in lobbies]).update(closed_at=closed_at)
        entry_ids = list(LobbySlot.objects.filter(lobby__in=lobbies).values_list("entry_id", flat=True))
        notices.round_closed(event, round_number, entry_ids, closed_at)
        if round_number < stage.options["rounds"]:
            _next_round(event, stage, round_number + 1)
        else:
            _event_complete(event, stage)
    return lobbies


def ffa_round_reopen(*, event_id: int, actor, round_number: int) -> list[Lobby]:
    """Open the last closed round again (organizer) to correct its results, while the next round has
    none (its lobbies are withdrawn and dealt again at the next close) and the prizes are not paid;
    a completed event is under way again and its places are cleared."""
    with transaction.atomic():
        event = event_lock(event_id)
        if (refusal := reopen_refusal(event, actor)) is not None:
            raise refusal
        stage = ffa_stage(event.pk)
        last_closed = (
            Lobby.objects.filter(stage=stage, closed_at__isnull=False)
            .order_by("-round")
            .values_list("round", flat=True)
            .first()
        )
        if stage is None or last_closed != round_number:
            raise InvalidStatus(_("Only the last closed round can open again."))
        later = Lobby.objects.filter(stage=stage, round__gt=round_number)
        if LobbyResult.objects.filter(lobby__in=later).exists():
            raise ReopenRefused(_("Round %(round)s already has results.") % {"round": round_number + 1})
        later.delete()
        lobbies = list(Lobby.objects.filter(stage=stage, round=round_number).order_by("number"))
        Lobby.objects.filter(pk__in=[lobby.pk for lobby in lobbies]).update(closed_at=None)
        if event.status == Event.Status.COMPLETED:
            event.status, event.completed_at = Event.Status.ONGOING, None
            event.save(update_fields=["status", "completed_at", "updated_at"])
            Entry.objects.filter(event=event).update(placement=None)
            notifications.event_changed(event)
        notifications.bracket_changed(event.pk, round_reopened=round_number)
    return lobbies


def _event_complete(event: Event, stage: Stage) -> None:
    entries = list(Entry.objects.filter(event=event, status=Entry.Status.ACTIVE).order_by("seed"))
    for row in standings_of(stage, lobbies_of(stage), entries):
        row.entry.placement = row.standing.place
    Entry.objects.bulk_update(entries, ["placement"])
    event_transition(event, Event.Status.COMPLETED)
    event_completed_settle(event)
