"""Match scheduling: the organizer's plan per round, each side's check-in to a match, the no-show
forfeits the system proposes, and the reminders already sent.

Tables of the `tournaments` app (imported by `tournaments.models`). A round's plan is keyed by
(stage, bracket, round), so it holds for matches the stage has not paired yet (later Swiss
rounds), and by the stage's number rather than its row, so it survives the organizer reseeding
(which draws the stage again) and can be set for a stage that is not drawn yet. The constraints
make every "once" a database fact: one plan per round, one check-in per side of a match, one
proposal per match attempt, one reminder of each kind per match attempt.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tournaments.brackets.models import Match

# Games per match a round may be played in (the label is the number: forms and admin say "Best of").
BEST_OF_CHOICES = [(games, str(games)) for games in (1, 3, 5, 7, 9)]


class RoundSchedule(models.Model):
    """When a round starts, how many games its matches take, and its check-in and no-show deadline."""

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.CASCADE, related_name="round_schedules", verbose_name=_("event")
    )
    stage_number = models.PositiveSmallIntegerField(default=1, verbose_name=_("stage number"))
    bracket = models.CharField(max_length=10, choices=Match.Bracket.choices, verbose_name=_("bracket"))
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    starts_at = models.DateTimeField(null=True, blank=True, verbose_name=_("starts at"))
    # None: the stage's best-of (the event's setting when it started).
    best_of = models.PositiveSmallIntegerField(
        null=True, blank=True, choices=BEST_OF_CHOICES, verbose_name=_("best of")
    )
    check_in_minutes = models.PositiveSmallIntegerField(
        default=0,
        help_text=_("Match check-in opens this many minutes before the start; 0 means no match check-in."),
        verbose_name=_("check-in minutes"),
    )
    deadline_minutes = models.PositiveSmallIntegerField(
        default=15,
        help_text=_("A side not checked in this many minutes after the start is proposed for a forfeit."),
        verbose_name=_("deadline minutes"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("round schedule")
        verbose_name_plural = _("round schedules")
        ordering = ["event", "stage_number", "bracket", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "stage_number", "bracket", "round"], name="round_schedule_unique_per_round"
            ),
            models.CheckConstraint(
                condition=Q(best_of__isnull=True) | Q(best_of__in=[1, 3, 5, 7, 9]), name="round_schedule_best_of_odd"
            ),
            models.CheckConstraint(condition=Q(round__gte=1), name="round_schedule_round_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} stage {self.stage_number} {self.bracket} round {self.round}"

    @property
    def check_in_required(self) -> bool:
        return self.starts_at is not None and self.check_in_minutes > 0


class MatchCheckIn(models.Model):
    """One side of a match said it is here (its player, or any player of its team's roster)."""

    class Side(models.TextChoices):
        A = "a", _("Side A")
        B = "b", _("Side B")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="check_ins", verbose_name=_("match"))
    side = models.CharField(max_length=1, choices=Side.choices, verbose_name=_("side"))
    entry = models.ForeignKey("tournaments.Entry", on_delete=models.PROTECT, related_name="+", verbose_name=_("entry"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked in by")
    )
    checked_in_at = models.DateTimeField(default=timezone.now, verbose_name=_("checked in at"))

    class Meta:
        verbose_name = _("match check-in")
        verbose_name_plural = _("match check-ins")
        ordering = ["match", "side"]
        constraints = [models.UniqueConstraint(fields=["match", "side"], name="match_check_in_once_per_side")]

    def __str__(self) -> str:
        return f"{self.match} {self.side} checked in"


class ForfeitProposal(models.Model):
    """The system's proposal that a side (or both) forfeits a match for not checking in by the
    deadline; the organizer confirms it (the match completes as a forfeit) or rejects it."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")
        # The match was settled another way (reported, resolved) before the organizer decided.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Absent(models.TextChoices):
        A = "a", _("Side A")
        B = "b", _("Side B")
        BOTH = "both", _("Both sides")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="forfeits", verbose_name=_("match"))
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"))
    absent = models.CharField(max_length=4, choices=Absent.choices, verbose_name=_("not checked in"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED, verbose_name=_("status"))
    deadline_at = models.DateTimeField(verbose_name=_("deadline"))
    proposed_at = models.DateTimeField(default=timezone.now, verbose_name=_("proposed at"))
    winner = models.ForeignKey(
        "tournaments.Entry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("advanced"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(null=True, blank=True, verbose_name=_("decided at"))

    class Meta:
        verbose_name = _("forfeit proposal")
        verbose_name_plural = _("forfeit proposals")
        ordering = ["-proposed_at", "-pk"]
        indexes = [models.Index(fields=["status", "match"], name="forfeit_status_match")]
        constraints = [
            # Proposed once per attempt: a rejected proposal is not proposed again every minute.
            models.UniqueConstraint(fields=["match", "attempt"], name="forfeit_once_per_match_attempt"),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_at__isnull=False), name="forfeit_decided_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(winner__isnull=False), name="forfeit_confirmed_has_winner"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.match} forfeit ({self.absent}, {self.status})"


class MatchReminder(models.Model):
    """A reminder sent for a match (check-in open, starting soon): the row is the claim that makes
    it once, however many beats run at the same time."""

    class Kind(models.TextChoices):
        CHECK_IN_OPEN = "check_in_open", _("Match check-in open")
        STARTING = "starting", _("Match starting soon")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("match"))
    kind = models.CharField(max_length=20, choices=Kind.choices, verbose_name=_("kind"))
    attempt = models.PositiveSmallIntegerField(verbose_name=_("attempt"))
    sent_at = models.DateTimeField(default=timezone.now, verbose_name=_("sent at"))

    class Meta:
        verbose_name = _("match reminder")
        verbose_name_plural = _("match reminders")
        constraints = [
            models.UniqueConstraint(fields=["match", "kind", "attempt"], name="match_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.match} {self.kind} #{self.attempt}"
