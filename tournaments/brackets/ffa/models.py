"""The rows of a free-for-all stage: the organizer's settings, lobbies, who plays in each and how
they did, and every result as entered (never changed: an edit adds a version).

The database keeps a lobby's result sane whatever writes it: one slot per entry per lobby, each
placement at most once, placements from 1, a slot with a placement also has its kills.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tournaments.brackets.formats.ffa import DEFAULT_PRESET, PRESETS
from tournaments.brackets.models import Entry, Stage


def default_placement_points() -> list[int]:
    return list(PRESETS[DEFAULT_PRESET].placement)


class FreeForAllSettings(models.Model):
    """How an event's free-for-all is played, chosen before the start (the stage keeps a copy)."""

    event = models.OneToOneField(
        "tournaments.Event", on_delete=models.CASCADE, related_name="ffa_settings", verbose_name=_("event")
    )
    lobby_size = models.PositiveSmallIntegerField(
        default=100, help_text=_("Most entries in one lobby (100 solos, 25 squads)."), verbose_name=_("lobby size")
    )
    rounds = models.PositiveSmallIntegerField(default=3, verbose_name=_("rounds"))
    reshuffle = models.BooleanField(
        default=False,
        help_text=_("Deal the lobbies again by the standings before every round."),
        verbose_name=_("reshuffle lobbies"),
    )
    placement_points = ArrayField(
        models.PositiveSmallIntegerField(),
        default=default_placement_points,
        help_text=_("Points for 1st, 2nd, 3rd... (places past the list score 0)."),
        verbose_name=_("placement points"),
    )
    kill_points = models.PositiveSmallIntegerField(default=1, verbose_name=_("points per kill"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("free-for-all settings")
        verbose_name_plural = _("free-for-all settings")
        constraints = [
            models.CheckConstraint(condition=Q(lobby_size__gte=2, lobby_size__lte=100), name="ffa_lobby_size_2_to_100"),
            models.CheckConstraint(condition=Q(rounds__gte=1, rounds__lte=20), name="ffa_rounds_1_to_20"),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.rounds} x lobbies of {self.lobby_size}"


class Lobby(models.Model):
    """One game of one round: the entries dealt into it and, once entered, how each placed."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="lobbies", verbose_name=_("stage"))
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    number = models.PositiveSmallIntegerField(verbose_name=_("lobby number"))
    # May enter this lobby's results, besides the organizer.
    host = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("host"),
    )
    results_entered_at = models.DateTimeField(null=True, blank=True, verbose_name=_("results entered at"))
    results_entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("results entered by"),
    )
    # Set when the organizer closes the round: the results are final.
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("closed at"))

    class Meta:
        verbose_name = _("lobby")
        verbose_name_plural = _("lobbies")
        ordering = ["stage", "round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["stage", "round", "number"], name="lobby_number_unique_per_round"),
            models.CheckConstraint(condition=Q(round__gte=1, number__gte=1), name="lobby_round_number_from_one"),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(results_entered_at__isnull=False),
                name="lobby_closed_has_results",
            ),
        ]

    def __str__(self) -> str:
        return _("Round %(round)s, lobby %(number)s") % {"round": self.round, "number": self.number}

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class LobbySlot(models.Model):
    """An entry in a lobby, and its placement and kills once the result is entered."""

    lobby = models.ForeignKey(Lobby, on_delete=models.CASCADE, related_name="slots", verbose_name=_("lobby"))
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="lobby_slots", verbose_name=_("entry"))
    placement = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("placement"))
    kills = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("kills"))

    class Meta:
        verbose_name = _("lobby slot")
        verbose_name_plural = _("lobby slots")
        ordering = ["lobby", "placement", "entry__seed"]
        constraints = [
            models.UniqueConstraint(fields=["lobby", "entry"], name="lobby_slot_entry_once"),
            models.UniqueConstraint(
                fields=["lobby", "placement"], condition=Q(placement__isnull=False), name="lobby_slot_placement_once"
            ),
            models.CheckConstraint(
                condition=Q(placement__isnull=True, kills__isnull=True) | Q(placement__gte=1, kills__isnull=False),
                name="lobby_slot_result_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lobby}: {self.entry_id}"


class LobbyResult(models.Model):
    """A lobby's result as somebody entered it. Never updated: entering again adds a version."""

    lobby = models.ForeignKey(Lobby, on_delete=models.CASCADE, related_name="results", verbose_name=_("lobby"))
    version = models.PositiveSmallIntegerField(verbose_name=_("version"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    # [{"entry_id", "placement", "kills"}, ...] in placement order.
    rows = models.JSONField(verbose_name=_("results"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("lobby result")
        verbose_name_plural = _("lobby results")
        ordering = ["lobby", "version"]
        constraints = [models.UniqueConstraint(fields=["lobby", "version"], name="lobby_result_version_unique")]

    def __str__(self) -> str:
        return f"{self.lobby} v{self.version}"
