"""Games, events, teams and paid registrations.

The rules that protect players are PostgreSQL constraints: one active registration per
(event, user) and per (event, team), no player in two active entries of one event (the
`RegistrationMember` roster, unique per event), at most one live payment per player and
event, and sane event numbers.

The bracket's models (entries, stages, matches, reports, disputes) live in
`tournaments.brackets.models` and are imported here: same app, same tables, same import path.
"""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from driftwood.core.indexes import TrigramIndex
from driftwood.core.money import ZERO, format_money, money_field

# Re-exported: Django loads the app's models from here, and migration 0002 names the upload path here.
from tournaments.announcement_models import Announcement  # noqa: F401
from tournaments.brackets.models import (  # noqa: F401
    Dispute,
    Entry,
    Format,
    Match,
    MatchReport,
    Stage,
    dispute_evidence_path,
)


class Game(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    icon = models.CharField(max_length=8, blank=True, help_text=_("An emoji shown beside the name."))

    class Meta:
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

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="events")
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.COMMUNITY)
    event_type = models.CharField(max_length=10, choices=EventType.choices, default=EventType.ONLINE)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.SINGLE_ELIMINATION)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_events")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True, help_text=_("Rules and anything players should know."))
    stream_url = models.URLField(max_length=300, blank=True, help_text=_("Where the matches are streamed (https)."))
    is_solo = models.BooleanField(default=True)
    team_size = models.PositiveSmallIntegerField(default=1)
    max_participants = models.PositiveIntegerField(default=16)
    entry_fee = money_field(default=ZERO)
    prize_pool = money_field(default=ZERO)
    # Percentages for 1st, 2nd, ... summing to 100 (validated in services).
    prize_distribution = models.JSONField(default=list, blank=True)
    starts_at = models.DateTimeField()
    registration_closes_at = models.DateTimeField()
    check_in_minutes = models.PositiveSmallIntegerField(
        default=60, help_text=_("Check-in opens this many minutes before the start; 0 means no check-in.")
    )
    no_show_refund_percent = models.PositiveSmallIntegerField(
        default=100, help_text=_("Share of the entry fee refunded to an entry dropped for not checking in.")
    )
    # Bracket options; which apply depends on the format.
    best_of = models.PositiveSmallIntegerField(default=1, help_text=_("Games per match (odd)."))
    third_place_match = models.BooleanField(default=False, help_text=_("Single elimination: play for third."))
    bracket_reset = models.BooleanField(
        default=True, help_text=_("Double elimination: a second grand final if the losers-bracket finalist wins.")
    )
    groups = models.PositiveSmallIntegerField(default=1, help_text=_("Round robin: number of groups."))
    swiss_rounds = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=_("Swiss: rounds to play (default ceil(log2 N)).")
    )
    seeding = models.CharField(max_length=12, choices=Seeding.choices, default=Seeding.REGISTRATION)
    seeding_confirmed_at = models.DateTimeField(null=True, blank=True)
    # Sites (scheme://host[:port]) whose pages may frame /embed/events/<id>/bracket; none: no site may.
    embed_origins = ArrayField(models.CharField(max_length=200), default=list, db_default=[], blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    # Set once when entry fees left escrow for the organizer; guards a second settlement.
    fees_settled_at = models.DateTimeField(null=True, blank=True)
    # Set once when the prize pool left escrow for the winners (after the dispute window).
    prizes_paid_at = models.DateTimeField(null=True, blank=True)
    # The ledger account holding the prize pool and the entry fees until they are paid out
    # (created when money first arrives).
    escrow_wallet = models.OneToOneField(
        "wallet.Wallet", null=True, blank=True, editable=False, on_delete=models.PROTECT, related_name="escrow_event"
    )

    class Meta:
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


class Team(models.Model):
    name = models.CharField(max_length=60)
    captain = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="captained_teams")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(Lower("name"), name="team_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class TeamMember(models.Model):
    class Role(models.TextChoices):
        CAPTAIN = "captain", _("Captain")
        MEMBER = "member", _("Member")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_member_once"),
            models.UniqueConstraint(fields=["team"], condition=Q(role="captain"), name="team_one_captain"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class TeamInvite(models.Model):
    """The captain asks a player to join; the player is on the roster only once they accept."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invites")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_invites")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Inviting twice is refused by the database too, whatever races.
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(status="pending"), name="team_invite_one_pending"
            ),
        ]
        indexes = [
            # A player's pending invitations, newest first (`GET /me/invites`, keyset by id).
            models.Index(
                fields=["user", "-created_at", "-id"], condition=Q(status="pending"), name="team_invite_pending_for"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} invited to {self.team}"


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

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations"
    )
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="registrations")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, help_text=_("When it was withdrawn, cancelled or refunded."))
    # The waitlist: the player pays by card when promoted, and a seat is theirs until the deadline.
    waitlist_card = models.BooleanField(default=False)
    seat_held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["event", "status"], name="registration_event_status"),
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

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="members")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_member_once_per_event")]

    def __str__(self) -> str:
        return f"{self.user} via registration {self.registration_id}"


class ParticipantPayment(models.Model):
    class Method(models.TextChoices):
        WALLET = "wallet", _("Wallet")
        STRIPE = "stripe", _("Card (Stripe)")
        FPX = "fpx", _("FPX online banking")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="payment")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_payments")
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = money_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    fpx_bank = models.CharField(max_length=32, blank=True)  # FPX: Stripe's bank code
    redirect_url = models.URLField(max_length=2048, blank=True)  # FPX: the bank's page at Stripe
    refunded_amount = money_field(default=ZERO)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_amount__gte=0, refunded_amount__lte=F("amount")),
                name="payment_refund_within_amount",
            ),
            # Never charged twice for one event: one live payment per payer and event.
            models.UniqueConstraint(
                fields=["event", "payer"],
                condition=Q(status__in=["pending", "succeeded"]),
                name="payment_one_live_per_payer_and_event",
            ),
            models.CheckConstraint(
                condition=Q(method="fpx") & ~Q(fpx_bank="") | ~Q(method="fpx") & Q(fpx_bank=""),
                name="payment_fpx_names_a_bank",
            ),
        ]

    def __str__(self) -> str:
        amount = format_money(self.amount, style="page")
        return f"{self.method} {amount} for registration {self.registration_id} ({self.status})"


class PrizePayout(models.Model):
    """One player's prize money for one event. The unique constraint makes each payout happen once."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="prize_payouts")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="prize_payouts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="prize_payouts")
    place = models.PositiveIntegerField()
    amount = money_field()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="prize_payout_once_per_player"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="prize_payout_positive"),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount, style='page')} to {self.user} for {self.event}"
