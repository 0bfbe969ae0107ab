"""Free-for-all over the API: the settings and the whole picture, standings, lobbies, entering a
lobby's results, naming its host, closing a round."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from driftwood.core.exceptions import NotFound
from driftwood.core.schema import ERRORS
from tournaments.api.events import NOT_FOUND, NOT_ORGANIZER, require_visible_event
from tournaments.brackets.api.serializers import error_response
from tournaments.brackets.ffa import selectors, services
from tournaments.brackets.ffa.serializers import (
    FfaRoundCloseSerializer,
    FfaSerializer,
    FfaSettingsInputSerializer,
    FfaStandingSerializer,
    LobbyHostInputSerializer,
    LobbyResultsInputSerializer,
    LobbySerializer,
)
from tournaments.models import Event, Lobby
from tournaments.selectors import events_visible_to

LOBBY_NOT_FOUND = error_response("`not_found`: no such lobby, or one of an event the caller may not see.")


def _event(user, event_id: int) -> Event:
    event = events_visible_to(user).filter(pk=event_id).first()
    if event is None:
        raise NotFound(_("Event not found."))
    return event


def _lobby(user, lobby_id: int) -> Lobby:
    lobby = selectors.lobby_get(lobby_id=lobby_id)
    if lobby is None or not events_visible_to(user).filter(pk=lobby.stage.event_id).exists():
        raise NotFound(_("Lobby not found."))
    return lobby


def _lobby_response(user, lobby_id: int) -> Response:
    lobby = _lobby(user, lobby_id)
    return Response(LobbySerializer(lobby, context={"table": selectors.points_table(lobby.stage)}).data)


class EventFfaApi(APIView):
    """A free-for-all event's settings, rounds with their lobbies and results, and standings.

    PATCH (organizer, until the start) chooses lobby size, rounds, reshuffles and the points table
    (`preset`: `pubg_mobile` 10-6-5-4-3-2-1-1, `free_fire`, `apex`; 1 point a kill by default)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(operation_id="event_ffa", responses={200: FfaSerializer, 401: ERRORS["401"], 404: NOT_FOUND})
    def get(self, request, event_id: int):
        return Response(FfaSerializer(selectors.ffa_view(_event(request.user, event_id))).data)

    @extend_schema(
        operation_id="event_ffa_settings",
        request=FfaSettingsInputSerializer,
        responses={
            200: FfaSerializer,
            400: error_response("`invalid`: out of range, or a points table giving more to a lower place."),
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`invalid_status`: not a free-for-all, or already started."),
        },
    )
    def patch(self, request, event_id: int):
        require_visible_event(user=request.user, event_id=event_id)
        data = FfaSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.ffa_settings_update(event_id=event_id, actor=request.user, **data.validated_data)
        return Response(FfaSerializer(selectors.ffa_view(_event(request.user, event_id))).data)


class EventStandingsApi(APIView):
    """The free-for-all standings over every result entered: total points, then best placement,
    total kills, the last round's placement, and the seed (places 1..N, never tied)."""

    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(
        operation_id="event_standings",
        responses={200: FfaStandingSerializer(many=True), 401: ERRORS["401"], 404: NOT_FOUND},
    )
    def get(self, request, event_id: int):
        view = selectors.ffa_view(_event(request.user, event_id))
        return Response(FfaStandingSerializer(view.standings, many=True).data)


class LobbyDetailApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]

    @extend_schema(operation_id="lobby_detail", responses={200: LobbySerializer, 404: LOBBY_NOT_FOUND})
    def get(self, request, lobby_id: int):
        return _lobby_response(request.user, lobby_id)


class LobbyResultsApi(APIView):
    """The organizer or the lobby's host enters its results: every entry once, placements 1..n
    each once, kills >= 0. Entering again replaces them until the round closes; every entry is kept
    as a version with who entered it."""

    @extend_schema(
        operation_id="lobby_results",
        request=LobbyResultsInputSerializer,
        responses={
            200: LobbySerializer,
            400: error_response("`invalid`, or `invalid_results` (not every entry once, placements not 1..n)."),
            403: error_response("`permission_denied`: not the organizer nor the lobby's host."),
            404: LOBBY_NOT_FOUND,
            409: error_response("`lobby_closed` (the round is closed), `invalid_status`."),
        },
    )
    def put(self, request, lobby_id: int):
        _lobby(request.user, lobby_id)
        data = LobbyResultsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lobby_results_enter(lobby_id=lobby_id, actor=request.user, results=data.validated_data["results"])
        return _lobby_response(request.user, lobby_id)


class LobbyHostApi(APIView):
    """The organizer names the lobby's host (who may enter its results), or none."""

    @extend_schema(
        operation_id="lobby_host",
        request=LobbyHostInputSerializer,
        responses={
            200: LobbySerializer,
            400: error_response("`invalid`: no such user."),
            403: NOT_ORGANIZER,
            404: LOBBY_NOT_FOUND,
            409: error_response("`invalid_status`."),
        },
    )
    def post(self, request, lobby_id: int):
        _lobby(request.user, lobby_id)
        data = LobbyHostInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.lobby_host_set(lobby_id=lobby_id, actor=request.user, host_id=data.validated_data["host_id"])
        return _lobby_response(request.user, lobby_id)


class RoundCloseApi(APIView):
    """The organizer closes the round being played: its results become final, the players are
    told, and the next round's lobbies are dealt (by the standings with reshuffles); after the last
    round the event completes, places follow the standings and the prizes are paid as usual."""

    @extend_schema(
        operation_id="round_close",
        request=None,
        responses={
            200: FfaRoundCloseSerializer,
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`round_not_ready` (a lobby has no results), `invalid_status` (not this round)."),
        },
    )
    def post(self, request, event_id: int, round_number: int):
        require_visible_event(user=request.user, event_id=event_id)
        services.ffa_round_close(event_id=event_id, actor=request.user, round_number=round_number)
        view = selectors.ffa_view(_event(request.user, event_id))
        current = view.current_round
        body = {"round": round_number, "next_round": current.number if current else None, "status": view.event.status}
        return Response(FfaRoundCloseSerializer(body).data)


class RoundReopenApi(APIView):
    """The organizer opens the last closed round again to correct its results: refused once the
    next round has results, or the prizes are paid. The next round's lobbies are withdrawn (dealt
    again when the round closes); a completed event is under way again, its places cleared."""

    @extend_schema(
        operation_id="round_reopen",
        request=None,
        responses={
            200: FfaSerializer,
            403: NOT_ORGANIZER,
            404: NOT_FOUND,
            409: error_response("`reopen_refused` (the next round has results), `invalid_status`."),
        },
    )
    def post(self, request, event_id: int, round_number: int):
        require_visible_event(user=request.user, event_id=event_id)
        services.ffa_round_reopen(event_id=event_id, actor=request.user, round_number=round_number)
        return Response(FfaSerializer(selectors.ffa_view(_event(request.user, event_id))).data)
