"""The bracket's rows: entries (who plays, seeded), stages (one generated bracket), matches,
their versioned score reports, and disputes.

They belong to the `tournaments` app (its migrations, its tables); `tournaments.models`
imports them so both paths name the same classes. The constraints keep a bracket sane
whatever writes it: unique seeds from 1, one key per match in a stage, a winner that is one
of the two sides, one open dispute per match.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Format(models.TextChoices):
    """How an event's bracket is played (`Event.Format`; a stage keeps the one it was generated with)."""

    SINGLE_ELIMINATION = "single_elimination", _("Single elimination")
    DOUBLE_ELIMINATION = "double_elimination", _("Double elimination")
    ROUND_ROBIN = "round_robin", _("Round robin")
    SWISS = "swiss", _("Swiss")
    FREE_FOR_ALL = "free_for_all", _("Free-for-all (battle royale)")


class Entry(models.Model):
    """A confirmed registration taking part in the bracket: a player or a team, with a seed."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        # Did not check in before the start: dropped and refunded per the event's policy.
        NO_SHOW = "no_show", _("Did not check in")

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.PROTECT, related_name="entries", verbose_name=_("event")
    )
    registration = models.OneToOneField(
        "tournaments.Registration", on_delete=models.PROTECT, related_name="entry", verbose_name=_("registration")
    )
    seed = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("seed"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, verbose_name=_("status"))
    checked_in_at = models.DateTimeField(null=True, blank=True, verbose_name=_("checked in at"))
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    # Final place once the event is completed (ties share a place).
    placement = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("placement"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["seed", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "seed"], condition=Q(seed__isnull=False), name="entry_seed_unique_per_event"
            ),
            models.CheckConstraint(condition=Q(seed__isnull=True) | Q(seed__gte=1), name="entry_seed_from_one"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        registration = self.registration
        if registration.team_id:
            return registration.team.name
        user = registration.user
        return user.display_name or user.username


class Stage(models.Model):
    """One stage of an event, numbered from 1: a generated bracket (the format and options it was
    generated with). Most events have one; a two-stage event has its groups (1) and then the playoff
    drawn from them (2), see tournaments.brackets.services.stages."""

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.PROTECT, related_name="stages", verbose_name=_("event")
    )
    number = models.PositiveSmallIntegerField(default=1, verbose_name=_("stage number"))
    format = models.CharField(max_length=20, choices=Format.choices, verbose_name=_("format"))
    # Generator options (third_place, bracket_reset, groups, rounds, best_of) as used; a group stage's
    # `playoff` plan; a playoff's `advance`, `seeds` and the `groups` tables it was seeded from.
    options = models.JSONField(default=dict, blank=True, verbose_name=_("options"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="stage_number_unique_per_event")]

    def __str__(self) -> str:
        return f"{self.event} stage {self.number} ({self.format})"


class Match(models.Model):
    class Bracket(models.TextChoices):
        WINNERS = "winners", _("Winners")
        LOSERS = "losers", _("Losers")
        FINAL = "final", _("Final")
        GROUP = "group", _("Group")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for players")
        READY = "ready", _("Ready to play")
        REPORTED = "reported", _("Reported by one side")
        COMPLETED = "completed", _("Completed")
        DISPUTED = "disputed", _("Disputed")
        # One side is a BYE: the other advances without playing.
        WALKOVER = "walkover", _("Walkover")
        # A bracket reset that was not needed (the winners-bracket finalist won the grand final).
        SKIPPED = "skipped", _("Not needed")

    class Source(models.TextChoices):
        SEED = "seed", _("Seed")
        BYE = "bye", "BYE"
        WINNER = "winner", _("Winner of")
        LOSER = "loser", _("Loser of")

    FINISHED_STATUSES = (Status.COMPLETED, Status.WALKOVER, Status.SKIPPED)
    PLAYABLE_STATUSES = (Status.READY, Status.REPORTED, Status.DISPUTED)

    event = models.ForeignKey(
        "tournaments.Event", on_delete=models.PROTECT, related_name="matches", verbose_name=_("event")
    )
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="matches", verbose_name=_("stage"))
    key = models.CharField(
        max_length=20, help_text=_("The generator's name for it, e.g. W1-3, L2-1, GF, R3-2."), verbose_name=_("key")
    )
    round = models.PositiveSmallIntegerField(verbose_name=_("round"))
    position = models.PositiveSmallIntegerField(verbose_name=_("position"))
    bracket = models.CharField(max_length=10, choices=Bracket.choices, verbose_name=_("bracket"))
    group = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("group"))
    best_of = models.PositiveSmallIntegerField(default=1, verbose_name=_("best of"))
    # Only the bracket reset: played only if the losers-bracket finalist wins the grand final.
    conditional = models.BooleanField(default=False, verbose_name=_("conditional"))

    # Where each slot's entrant comes from: a seed, a BYE (never filled), or the winner/loser of a match.
    a_source = models.CharField(max_length=6, choices=Source.choices, verbose_name=_("side A comes from"))
    a_source_match = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("side A's source match"),
    )
    b_source = models.CharField(max_length=6, choices=Source.choices, verbose_name=_("side B comes from"))
    b_source_match = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("side B's source match"),
    )

    entry_a = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entry A")
    )
    entry_b = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("entry B")
    )
    score_a = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("score A"))
    score_b = models.PositiveSmallIntegerField(null=True, blank=True, verbose_name=_("score B"))
    winner = models.ForeignKey(
        Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("winner")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    # Bumped when a completed match is reopened: reports of an earlier attempt no longer count.
    attempt = models.PositiveSmallIntegerField(default=1, verbose_name=_("attempt"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["stage", "bracket", "group", "round", "position"]
        indexes = [models.Index(fields=["event", "status"], name="match_event_status")]
        constraints = [
            models.UniqueConstraint(fields=["stage", "key"], name="match_key_unique_per_stage"),
            models.CheckConstraint(
                condition=Q(entry_a__isnull=True) | Q(entry_b__isnull=True) | ~Q(entry_a=F("entry_b")),
                name="match_two_different_entries",
            ),
            models.CheckConstraint(
                condition=Q(winner__isnull=True) | Q(winner=F("entry_a")) | Q(winner=F("entry_b")),
                name="match_winner_is_a_side",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(winner__isnull=False) | Q(score_a=F("score_b")),
                name="match_completed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} of {self.event_id}"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED_STATUSES

    @property
    def winner_side(self) -> Entry | None:
        """The winner as the side already read (the CHECK `match_winner_is_a_side`): the match reads
        join the two sides only, not the winner's rows a third time."""
        if self.winner_id is None:
            return None
        return self.entry_a if self.winner_id == self.entry_a_id else self.entry_b

    @property
    def loser(self) -> Entry | None:
        if self.winner_id is None or self.entry_a_id is None or self.entry_b_id is None:
            return None
        return self.entry_b if self.winner_id == self.entry_a_id else self.entry_a

    @property
    def loser_id(self) -> int | None:
        if self.winner_id is None or self.entry_a_id is None or self.entry_b_id is None:
            return None
        return self.entry_b_id if self.winner_id == self.entry_a_id else self.entry_a_id


class MatchReport(models.Model):
    """One submission of a score. Never updated: a side that reports again adds a new version."""

    class Side(models.TextChoices):
        A = "a", _("Side A")
        B = "b", _("Side B")
        ORGANIZER = "organizer", _("Organizer")
        STAFF = "staff", _("Staff")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reports", verbose_name=_("match"))
    attempt = models.PositiveSmallIntegerField(default=1, verbose_name=_("attempt"))
    side = models.CharField(max_length=10, choices=Side.choices, verbose_name=_("side"))
    version = models.PositiveSmallIntegerField(default=1, verbose_name=_("version"))
    score_a = models.PositiveSmallIntegerField(verbose_name=_("score A"))
    score_b = models.PositiveSmallIntegerField(verbose_name=_("score B"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reported by")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("match report")
        verbose_name_plural = _("match reports")
        ordering = ["match", "attempt", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["match", "attempt", "side", "version"], name="match_report_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.match} {self.side} v{self.version}: {self.score_a}-{self.score_b}"


def dispute_evidence_path(dispute: _("Dispute"), filename: str) -> str:
    return f"disputes/{dispute.match.event_id}/{dispute.match_id}/{filename}"


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="disputes", verbose_name=_("match"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("opened by")
    )
    reason = models.TextField(verbose_name=_("reason"))
    evidence = models.FileField(upload_to=dispute_evidence_path, blank=True, verbose_name=_("evidence"))
    # What the file's bytes say it is (tournaments/evidence.py); blank without a file, and for
    # files stored before the check until `manage.py quarantine_evidence` has looked at them.
    evidence_type = models.CharField(max_length=40, blank=True, verbose_name=_("evidence type"))
    # Set when a stored file failed the check: it was moved under quarantine/ and is never served.
    evidence_quarantined_at = models.DateTimeField(null=True, blank=True, verbose_name=_("evidence quarantined at"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, verbose_name=_("status"))
    resolution = models.TextField(blank=True, verbose_name=_("resolution"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("resolved by"),
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    resolved_at = models.DateTimeField(null=True, blank=True, verbose_name=_("resolved at"))

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["match"], condition=Q(status="open"), name="dispute_one_open_per_match"),
        ]

    def __str__(self) -> str:
        return _("Dispute on %(match)s (%(status)s)") % {"match": self.match, "status": self.status}

    @property
    def has_servable_evidence(self) -> bool:
        """A file that was not quarantined (the serving view checks its bytes again on every read)."""
        return bool(self.evidence) and self.evidence_quarantined_at is None

    @property
    def evidence_is_image(self) -> bool:
        return self.has_servable_evidence and self.evidence_type.startswith("image/")
