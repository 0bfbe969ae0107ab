"""The shapes of the free-for-all API: settings, lobbies with their results, standings."""

from rest_framework import serializers

from tournaments.brackets.api.serializers import EntryRefSerializer, _entry_ref
from tournaments.brackets.ffa.selectors import FfaView, StandingRow
from tournaments.brackets.formats.ffa import MAX_LOBBY_SIZE, MAX_POINTS, MAX_ROUNDS, PRESETS
from tournaments.models import FreeForAllSettings, Lobby


def _utc(value) -> str | None:
    return None if value is None else serializers.DateTimeField().to_representation(value)


class FfaSettingsSerializer(serializers.Serializer):
    lobby_size = serializers.IntegerField(min_value=2, max_value=MAX_LOBBY_SIZE, help_text="Most entries in a lobby.")
    rounds = serializers.IntegerField(min_value=1, max_value=MAX_ROUNDS)
    reshuffle = serializers.BooleanField(help_text="Deal the lobbies again by the standings before each round.")
    placement_points = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=MAX_POINTS),
        min_length=1,
        max_length=MAX_LOBBY_SIZE,
        help_text="Points for 1st, 2nd, ...; places past the list score 0. Never more for a lower place.",
    )
    kill_points = serializers.IntegerField(min_value=0, max_value=MAX_POINTS, help_text="Points per kill.")

    def to_representation(self, settings: FreeForAllSettings) -> dict:
        return {
            "lobby_size": settings.lobby_size,
            "rounds": settings.rounds,
            "reshuffle": settings.reshuffle,
            "placement_points": list(settings.placement_points),
            "kill_points": settings.kill_points,
        }


class FfaSettingsInputSerializer(FfaSettingsSerializer):
    preset = serializers.ChoiceField(
        choices=sorted(PRESETS), required=False, help_text="A standard points table; explicit points override it."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, partial=True, **kwargs)


class FfaSlotSerializer(serializers.Serializer):
    entry = EntryRefSerializer()
    placement = serializers.IntegerField(allow_null=True, help_text="Null until the lobby's results are entered.")
    kills = serializers.IntegerField(allow_null=True)
    points = serializers.IntegerField(allow_null=True)


class LobbySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    round = serializers.IntegerField()
    number = serializers.IntegerField()
    host_id = serializers.IntegerField(allow_null=True, help_text="May enter this lobby's results, as the organizer.")
    results_entered_at = serializers.DateTimeField(allow_null=True)
    results_entered_by = serializers.IntegerField(allow_null=True, help_text="Who entered the results last.")
    closed = serializers.BooleanField(help_text="The round is closed: the results are final.")
    slots = FfaSlotSerializer(many=True, help_text="Best placement first once entered, else by seed.")

    def to_representation(self, lobby: Lobby) -> dict:
        table = self.context.get("table")
        slots = []
        for slot in lobby.slots.all():
            points = None
            if slot.placement is not None and table is not None:
                points = table.points(slot.placement, slot.kills)
            slots.append(
                {"entry": _entry_ref(slot.entry), "placement": slot.placement, "kills": slot.kills, "points": points}
            )
        return {
            "id": lobby.pk,
            "round": lobby.round,
            "number": lobby.number,
            "host_id": lobby.host_id,
            "results_entered_at": _utc(lobby.results_entered_at),
            "results_entered_by": lobby.results_entered_by_id,
            "closed": lobby.is_closed,
            "slots": slots,
        }


class FfaRoundPointsSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    points = serializers.IntegerField()


class FfaStandingSerializer(serializers.Serializer):
    place = serializers.IntegerField(help_text="1..N: the tie-breaks leave no ties.")
    entry = EntryRefSerializer()
    points = serializers.IntegerField()
    placement_points = serializers.IntegerField()
    kill_points = serializers.IntegerField()
    kills = serializers.IntegerField()
    rounds_played = serializers.IntegerField()
    best_placement = serializers.IntegerField(allow_null=True)
    last_placement = serializers.IntegerField(allow_null=True, help_text="Placement in the latest round with results.")
    rounds = FfaRoundPointsSerializer(many=True)

    def to_representation(self, row: StandingRow) -> dict:
        standing = row.standing
        return {
            "place": standing.place,
            "entry": _entry_ref(row.entry),
            "points": standing.points,
            "placement_points": standing.placement_points,
            "kill_points": standing.kill_points,
            "kills": standing.kills,
            "rounds_played": standing.rounds_played,
            "best_placement": standing.best_placement,
            "last_placement": standing.last_placement,
            "rounds": [{"round": number, "points": points} for number, points in sorted(standing.round_points.items())],
        }


class FfaRoundSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    starts_at = serializers.DateTimeField(allow_null=True, help_text="When the organizer planned it to start.")
    closed = serializers.BooleanField()
    lobbies = LobbySerializer(many=True)


class FfaSerializer(serializers.Serializer):
    """The whole free-for-all: settings (the stage's once started), rounds and lobbies, standings."""

    event_id = serializers.IntegerField()
    status = serializers.CharField(help_text="The event's status.")
    settings = FfaSettingsSerializer()
    rounds_total = serializers.IntegerField()
    current_round = serializers.IntegerField(allow_null=True, help_text="The round being played; null when none is.")
    rounds = FfaRoundSerializer(many=True)
    standings = FfaStandingSerializer(many=True, help_text="Empty before the start.")

    def to_representation(self, view: FfaView) -> dict:
        lobby_serializer = LobbySerializer(context={"table": view.table})
        current = view.current_round
        return {
            "event_id": view.event.pk,
            "status": view.event.status,
            "settings": _settings_of(view),
            "rounds_total": view.rounds_total,
            "current_round": current.number if current else None,
            "rounds": [
                {
                    "round": round_view.number,
                    "starts_at": _utc(round_view.starts_at),
                    "closed": round_view.is_closed,
                    "lobbies": [lobby_serializer.to_representation(lobby) for lobby in round_view.lobbies],
                }
                for round_view in view.rounds
            ],
            "standings": [FfaStandingSerializer().to_representation(row) for row in view.standings],
        }


def _settings_of(view: FfaView) -> dict:
    if view.stage is not None:
        options = view.stage.options
        return {key: options[key] for key in ("lobby_size", "rounds", "reshuffle", "placement_points", "kill_points")}
    return FfaSettingsSerializer().to_representation(view.settings)


class LobbyResultRowSerializer(serializers.Serializer):
    entry_id = serializers.IntegerField()
    placement = serializers.IntegerField(min_value=1, max_value=MAX_LOBBY_SIZE)
    kills = serializers.IntegerField(min_value=0, max_value=1000)


class LobbyResultsInputSerializer(serializers.Serializer):
    results = LobbyResultRowSerializer(
        many=True, max_length=MAX_LOBBY_SIZE, help_text="Every entry of the lobby once; placements 1..n each once."
    )


class LobbyHostInputSerializer(serializers.Serializer):
    host_id = serializers.IntegerField(allow_null=True, help_text="A user id; null: no host.")


class FfaRoundCloseSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    next_round = serializers.IntegerField(allow_null=True, help_text="Dealt now; null after the last round.")
    status = serializers.CharField(help_text="The event's status (`completed` after the last round).")
