"""Staff screens for free-for-all events, read-only: lobbies with their slots and every version of
their results (who entered what, when), and the settings organizers chose. Changes go through the
organizer's pages and the API (the services), never through admin."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from driftwood.core.admin import ReadOnlyAdmin
from tournaments.brackets.admin import ReadOnlyInline
from tournaments.models import FreeForAllSettings, Lobby, LobbyResult, LobbySlot


class LobbySlotInline(ReadOnlyInline):
    model = LobbySlot
    fields = ("entry", "placement", "kills")
    readonly_fields = fields
    ordering = ("placement", "entry__seed")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entry__registration__user", "entry__registration__team")


class LobbyResultInline(ReadOnlyInline):
    """Every result entered, every version: append-only, never edited."""

    model = LobbyResult
    fields = ("version", "entered_by", "created_at", "rows")
    readonly_fields = fields
    ordering = ("-version",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("entered_by")


@admin.register(Lobby)
class LobbyAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "event", "host", "results_entered_by", "results_entered_at", "closed_at")
    list_filter = (("closed_at", admin.EmptyFieldListFilter),)
    search_fields = ("stage__event__name", "stage__event__slug")
    list_select_related = ("stage__event", "host", "results_entered_by")
    ordering = ("-stage__event_id", "round", "number")
    fields = ("stage", "round", "number", "host", "results_entered_by", "results_entered_at", "closed_at")
    readonly_fields = fields
    inlines = (LobbySlotInline, LobbyResultInline)

    @admin.display(description=_("event"))
    def event(self, lobby: Lobby):
        return lobby.stage.event


@admin.register(FreeForAllSettings)
class FreeForAllSettingsAdmin(ReadOnlyAdmin):
    list_display = ("event", "lobby_size", "rounds", "reshuffle", "kill_points", "updated_at")
    list_select_related = ("event",)
    search_fields = ("event__name", "event__slug")
    fields = ("event", "lobby_size", "rounds", "reshuffle", "placement_points", "kill_points", "updated_at")
    readonly_fields = fields
