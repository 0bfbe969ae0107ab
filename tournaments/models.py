"""Games, events, teams and paid registrations.

The rules that protect players are PostgreSQL constraints: one active registration per
(event, user) and per (event, team), no player in two active entries of one event (the
`RegistrationMember` roster, unique per event), at most one live payment per player and
event, and sane event numbers.

The bracket's models (entries, stages, matches, reports, disputes) live in
`tournaments.brackets.models` (free-for-all lobbies in `tournaments.brackets.ffa.models`),
teams in `tournaments.team_models` and payments in `tournaments.payment_models`; all are
imported here: same app, same tables, same import path.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.indexes import TrigramIndex
from driftwood.core.money import ZERO, money_field

# Re-exported: Django loads the app's models from here, and migration 0002 names the upload path here.
from tournaments.announcement_models import Announcement  # noqa: F401
from tournaments.brackets.ffa.models import FreeForAllSettings, Lobby, LobbyResult, LobbySlot  # noqa: F401
from tournaments.brackets.models import (  # noqa: F401
    Dispute,
    Entry,
    Format,
    Match,
    MatchReport,
    Stage,
    dispute_evidence_path,
)
from tournaments.brackets.schedule_models import ForfeitProposal, MatchCheckIn, MatchReminder, RoundSchedule  # noqa: F401
from tournaments.payment_models import ParticipantPayment, PrizePayout  # noqa: F401
from tournaments.team_models import Team, TeamInvite, TeamMember  # noqa: F401


class Game(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=_("name"))
    slug = models.SlugField(max_length=100, unique=True, verbose_name=_("slug"))
    icon = models.CharField(
        max_length=8, blank=True, help_text=_("An emoji shown beside the name."), verbose_name=_("icon")
    )

    class Meta:
        verbose_name = _("game")
        verbose_name_plural = _("games")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    class Tier(models.TextChoices):
        COMMUNITY = "community", _("Community")
        AMATEUR = "amateur", _("Amateur")
        PROFESSIONAL = "professional", _("Professional")

    class EventType(models.TextChoices):
        ONLINE = "online", _("Online")
        LAN = "lan", "LAN"

    Format = Format

    class PlayoffFormat(models.TextChoices):
        NONE = "", _("No playoff")
        SINGLE_ELIMINATION = "single_elimination", _("Single elimination")
        DOUBLE_ELIMINATION = "double_elimination", _("Double elimination")

    class Seeding(models.TextChoices):
        REGISTRATION = "registration", _("Registration order")
        RANDOM = "random", _("Random")
        MANUAL = "manual", _("Manual")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REGISTRATION_OPEN = "registration_open", _("Registration open")
        REGISTRATION_CLOSED = "registration_closed", _("Registration closed")
        ONGOING = "ongoing", _("Ongoing")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    name = models.CharField(max_length=120, verbose_name=_("name"))
    slug = models.SlugField(max_length=140, unique=True, verbose_name=_("slug"))
    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="events", verbose_name=_("game"))
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.COMMUNITY, verbose_name=_("tier"))
    event_type = models.CharField(
        max_length=10, choices=EventType.choices, default=EventType.ONLINE, verbose_name=_("event type")
    )
    format = models.CharField(
        max_length=20, choices=Format.choices, default=Format.SINGLE_ELIMINATION, verbose_name=_("format")
    )
    organizer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_events", verbose_name=_("organizer")
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, verbose_name=_("status"))
    description = models.TextField(
        blank=True, help_text=_("Rules and anything players should know."), verbose_name=_("description")
    )
    stream_url = models.URLField(
        max_length=300, blank=True, help_text=_("Where the matches are streamed (https)."), verbose_name=_("stream URL")
    )
    is_solo = models.BooleanField(default=True, verbose_name=_("solo"))
    team_size = models.PositiveSmallIntegerField(default=1, verbose_name=_("team size"))
    max_participants = models.PositiveIntegerField(default=16, verbose_name=_("max participants"))
    entry_fee = money_field(default=ZERO, verbose_name=_("entry fee"))
    prize_pool = money_field(default=ZERO, verbose_name=_("prize pool"))
    # Percentages for 1st, 2nd, ... summing to 100 (validated in services).
    prize_distribution = models.JSONField(default=list, blank=True, verbose_name=_("prize distribution"))
    starts_at = models.DateTimeField(verbose_name=_("starts at"))
    registration_closes_at = models.DateTimeField(verbose_name=_("registration closes at"))
    check_in_minutes = models.PositiveSmallIntegerField(
        default=60,
        help_text=_("Check-in opens this many minutes before the start; 0 means no check-in."),
        verbose_name=_("check-in minutes"),
    )
    no_show_refund_percent = models.PositiveSmallIntegerField(
        default=100,
        help_text=_("Share of the entry fee refunded to an entry dropped for not checking in."),
        verbose_name=_("no-show refund percent"),
    )
    # Bracket options; which apply depends on the format.
    best_of = models.PositiveSmallIntegerField(
        default=1, help_text=_("Games per match (odd)."), verbose_name=_("best of")
    )
    third_place_match = models.BooleanField(
        default=False, help_text=_("Single elimination: play for third."), verbose_name=_("third place match")
    )
    bracket_reset = models.BooleanField(
        default=True,
        help_text=_("Double elimination: a second grand final if the losers-bracket finalist wins."),
        verbose_name=_("bracket reset"),
    )
    groups = models.PositiveSmallIntegerField(
        default=1, help_text=_("Round robin or Swiss: number of groups."), verbose_name=_("groups")
    )
    swiss_rounds = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text=_("Swiss: rounds to play (default ceil(log2 N))."),
        verbose_name=_("swiss rounds"),
    )
    # Two stages: the groups above (round robin or Swiss), then the top `playoff_advance` of each
    # group in a single or double elimination playoff (blank: one stage). Third place and the
    # bracket reset then apply to the playoff.
    playoff_format = models.CharField(
        max_length=20,
        choices=PlayoffFormat.choices,
        blank=True,
        default="",
        db_default="",
        help_text=_("Round robin or Swiss: play a playoff after the groups."),
        verbose_name=_("playoff format"),
    )
    playoff_advance = models.PositiveSmallIntegerField(
        default=2,
        db_default=2,
        help_text=_("How many of each group go to the playoff."),
        verbose_name=_("advance per group"),
    )
    playoff_best_of = models.PositiveSmallIntegerField(
        default=1, db_default=1, help_text=_("Games per playoff match (odd)."), verbose_name=_("playoff best of")
    )
    seeding = models.CharField(
        max_length=12, choices=Seeding.choices, default=Seeding.REGISTRATION, verbose_name=_("seeding")
    )
    seeding_confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("seeding confirmed at"))
    # Sites (scheme://host[:port]) whose pages may frame /embed/events/<id>/bracket; none: no site may.
    embed_origins = ArrayField(
        models.CharField(max_length=200), default=list, db_default=[], blank=True, verbose_name=_("embed origins")
    )

    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=_("updated at"))
    published_at = models.DateTimeField(null=True, blank=True, verbose_name=_("published at"))
    cancelled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("cancelled at"))
    completed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("completed at"))
    # Set once when entry fees left escrow for the organizer; guards a second settlement.
    fees_settled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("fees settled at"))
    # Set once when the prize pool left escrow for the winners (after the dispute window).
    prizes_paid_at = models.DateTimeField(null=True, blank=True, verbose_name=_("prizes paid at"))
    # The ledger account holding the prize pool and the entry fees until they are paid out
    # (created when money first arrives).
    escrow_wallet = models.OneToOneField(
        "wallet.Wallet",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="escrow_event",
        verbose_name=_("escrow wallet"),
    )

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # The list's sort (soonest first, id as tie-breaker) by itself and under each filter.
            models.Index(fields=["starts_at", "id"], name="event_starts"),
            models.Index(fields=["status", "starts_at", "id"], name="event_status_starts"),
            models.Index(fields=["game", "starts_at", "id"], name="event_game_starts"),
            # `search`: ILIKE '%term%' (driftwood.core.lookups) through trigrams.
            TrigramIndex("name", name="event_name_trgm"),
            models.Index(fields=["organizer", "-created_at"], name="event_organizer_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(entry_fee__gte=0, prize_pool__gte=0), name="event_money_not_negative"),
            models.CheckConstraint(condition=Q(max_participants__gte=2), name="event_at_least_two_participants"),
            models.CheckConstraint(
                condition=Q(is_solo=True, team_size=1) | Q(is_solo=False, team_size__gte=1),
                name="event_solo_means_team_size_one",
            ),
            models.CheckConstraint(
                condition=Q(registration_closes_at__lte=F("starts_at")), name="event_registration_closes_before_start"
            ),
            models.CheckConstraint(
                condition=Q(no_show_refund_percent__lte=100), name="event_no_show_refund_at_most_100"
            ),
            models.CheckConstraint(condition=Q(best_of__gte=1, groups__gte=1), name="event_bracket_options_positive"),
            models.CheckConstraint(
                condition=Q(playoff_advance__gte=1, playoff_best_of__gte=1), name="event_playoff_options_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def escrow_reference(self) -> str:
        return f"event:{self.pk}"

    @property
    def status_badge(self) -> str:
        """The word on the event's status badge: "Live" only while the event is being played."""
        return STATUS_BADGES.get(self.status, self.get_status_display())

    @property
    def seeding_phrase(self) -> str:
        """How the starting seeds are chosen, to end "Seeded ...": "by the organizer"."""
        return SEEDING_PHRASES[self.seeding]


STATUS_BADGES = {Event.Status.REGISTRATION_OPEN: _("Open"), Event.Status.ONGOING: _("Live")}
SEEDING_PHRASES = {
    Event.Seeding.REGISTRATION: _("in registration order"),
    Event.Seeding.RANDOM: _("at random"),
    Event.Seeding.MANUAL: _("by the organizer"),
}


class Registration(models.Model):
    """The seed's JoinEvent: a player (solo events) or a team (team events) entering an event."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending payment")
        CONFIRMED = "confirmed", _("Confirmed")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        CANCELLED = "cancelled", _("Cancelled")
        REFUNDED = "refunded", _("Refunded")
        # Waiting for a seat of a full event: no roster rows, nothing paid, promoted in turn.
        WAITLISTED = "waitlisted", _("On the waitlist")

    ACTIVE_STATUSES = (Status.PENDING, Status.CONFIRMED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registrations",
        verbose_name=_("user"),
    )
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("team")
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    confirmed_at = models.DateTimeField(null=True, blank=True, verbose_name=_("confirmed at"))
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was withdrawn, cancelled or refunded."), verbose_name=_("ended at")
    )
    # The waitlist: the player pays by card when promoted, and a seat is theirs until the deadline.
    waitlist_card = models.BooleanField(default=False, verbose_name=_("waitlist card"))
    seat_held_until = models.DateTimeField(null=True, blank=True, verbose_name=_("seat held until"))

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status"),
            # The metrics count the last day's joins (tournaments.selectors.metrics).
            models.Index(fields=["created_at"], name="registration_created"),
            # The waitlist in its order (positions, promotion).
            models.Index(
                fields=["event", "created_at", "id"], condition=Q(status="waitlisted"), name="registration_waitlist"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, team__isnull=True) | Q(user__isnull=True, team__isnull=False),
                name="registration_user_or_team",
            ),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="registration_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["event", "team"],
                condition=Q(status__in=["pending", "confirmed"]),
                name="registration_one_active_per_team",
            ),
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(status="waitlisted"), name="registration_waitlisted_once_user"
            ),
            models.UniqueConstraint(
                fields=["event", "team"], condition=Q(status="waitlisted"), name="registration_waitlisted_once_team"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user or self.team} in {self.event} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES


class RegistrationMember(models.Model):
    """The players an active registration enters: rows exist only while it is active, and a
    player can appear once per event, whichever team they come through."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="members", verbose_name=_("registration")
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+", verbose_name=_("event"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("registration member")
        verbose_name_plural = _("registration members")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_member_once_per_event")]

    def __str__(self) -> str:
        return f"{self.user} via registration {self.registration_id}"
