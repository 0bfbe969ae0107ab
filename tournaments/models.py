"""Games, events, teams and paid registrations.

The rules that protect players are PostgreSQL constraints: one active registration per
(event, user) and per (event, team), no player in two active entries of one event (the
`RegistrationMember` roster, unique per event), at most one live payment per player and
event, and sane event numbers.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from driftwood.core.money import money_field
from wallet.models import ZERO


class Game(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    icon = models.CharField(max_length=8, blank=True, help_text="An emoji shown beside the name.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    class Tier(models.TextChoices):
        COMMUNITY = "community", "Community"
        AMATEUR = "amateur", "Amateur"
        PROFESSIONAL = "professional", "Professional"

    class EventType(models.TextChoices):
        ONLINE = "online", "Online"
        LAN = "lan", "LAN"

    class Format(models.TextChoices):
        SINGLE_ELIMINATION = "single_elimination", "Single elimination"
        DOUBLE_ELIMINATION = "double_elimination", "Double elimination"
        ROUND_ROBIN = "round_robin", "Round robin"
        SWISS = "swiss", "Swiss"

    class Seeding(models.TextChoices):
        REGISTRATION = "registration", "Registration order"
        RANDOM = "random", "Random"
        MANUAL = "manual", "Manual"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REGISTRATION_OPEN = "registration_open", "Registration open"
        REGISTRATION_CLOSED = "registration_closed", "Registration closed"
        ONGOING = "ongoing", "Ongoing"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    game = models.ForeignKey(Game, on_delete=models.PROTECT, related_name="events")
    tier = models.CharField(max_length=20, choices=Tier.choices, default=Tier.COMMUNITY)
    event_type = models.CharField(max_length=10, choices=EventType.choices, default=EventType.ONLINE)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.SINGLE_ELIMINATION)
    organizer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="organized_events")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    description = models.TextField(blank=True, help_text="Rules and anything players should know.")
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
        default=60, help_text="Check-in opens this many minutes before the start; 0 means no check-in."
    )
    no_show_refund_percent = models.PositiveSmallIntegerField(
        default=100, help_text="Share of the entry fee refunded to an entry dropped for not checking in."
    )
    # Bracket options; which apply depends on the format.
    best_of = models.PositiveSmallIntegerField(default=1, help_text="Games per match (odd).")
    third_place_match = models.BooleanField(default=False, help_text="Single elimination: play for third.")
    bracket_reset = models.BooleanField(
        default=True, help_text="Double elimination: a second grand final if the losers-bracket finalist wins."
    )
    groups = models.PositiveSmallIntegerField(default=1, help_text="Round robin: number of groups.")
    swiss_rounds = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Swiss: rounds to play (default ceil(log2 N))."
    )
    seeding = models.CharField(max_length=12, choices=Seeding.choices, default=Seeding.REGISTRATION)
    seeding_confirmed_at = models.DateTimeField(null=True, blank=True)

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
            models.Index(fields=["status", "starts_at"], name="event_status_starts"),
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
        CAPTAIN = "captain", "Captain"
        MEMBER = "member", "Member"

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


class Registration(models.Model):
    """The seed's JoinEvent: a player (solo events) or a team (team events) entering an event."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending payment"
        CONFIRMED = "confirmed", "Confirmed"
        WITHDRAWN = "withdrawn", "Withdrawn"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

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
    ended_at = models.DateTimeField(null=True, blank=True, help_text="When it was withdrawn, cancelled or refunded.")

    class Meta:
        indexes = [models.Index(fields=["event", "status"], name="registration_event_status")]
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
        WALLET = "wallet", "Wallet"
        STRIPE = "stripe", "Card (Stripe)"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        REFUNDED = "refunded", "Refunded"

    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="payment")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="payments")
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="event_payments")
    method = models.CharField(max_length=10, choices=Method.choices)
    amount = money_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
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
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.amount} for registration {self.registration_id} ({self.status})"


# --- Brackets -------------------------------------------------------------------------------


class Entry(models.Model):
    """A confirmed registration taking part in the bracket: a player or a team, with a seed."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        # Did not check in before the start: dropped and refunded per the event's policy.
        NO_SHOW = "no_show", "Did not check in"

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="entries")
    registration = models.OneToOneField(Registration, on_delete=models.PROTECT, related_name="entry")
    seed = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Final place once the event is completed (ties share a place).
    placement = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
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
    """One generated bracket of an event (the format and options it was generated with)."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="stages")
    number = models.PositiveSmallIntegerField(default=1)
    format = models.CharField(max_length=20, choices=Event.Format.choices)
    # Generator options (third_place, bracket_reset, groups, rounds, best_of) as used.
    options = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="stage_number_unique_per_event")]

    def __str__(self) -> str:
        return f"{self.event} stage {self.number} ({self.format})"


class Match(models.Model):
    class Bracket(models.TextChoices):
        WINNERS = "winners", "Winners"
        LOSERS = "losers", "Losers"
        FINAL = "final", "Final"
        GROUP = "group", "Group"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for players"
        READY = "ready", "Ready to play"
        REPORTED = "reported", "Reported by one side"
        COMPLETED = "completed", "Completed"
        DISPUTED = "disputed", "Disputed"
        # One side is a BYE: the other advances without playing.
        WALKOVER = "walkover", "Walkover"
        # A bracket reset that was not needed (the winners-bracket finalist won the grand final).
        SKIPPED = "skipped", "Not needed"

    class Source(models.TextChoices):
        SEED = "seed", "Seed"
        BYE = "bye", "BYE"
        WINNER = "winner", "Winner of"
        LOSER = "loser", "Loser of"

    FINISHED_STATUSES = (Status.COMPLETED, Status.WALKOVER, Status.SKIPPED)
    PLAYABLE_STATUSES = (Status.READY, Status.REPORTED, Status.DISPUTED)

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="matches")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="matches")
    key = models.CharField(max_length=20, help_text="The generator's name for it, e.g. W1-3, L2-1, GF, R3-2.")
    round = models.PositiveSmallIntegerField()
    position = models.PositiveSmallIntegerField()
    bracket = models.CharField(max_length=10, choices=Bracket.choices)
    group = models.PositiveSmallIntegerField(null=True, blank=True)
    best_of = models.PositiveSmallIntegerField(default=1)
    # Only the bracket reset: played only if the losers-bracket finalist wins the grand final.
    conditional = models.BooleanField(default=False)

    # Where each slot's entrant comes from: a seed, a BYE (never filled), or the winner/loser of a match.
    a_source = models.CharField(max_length=6, choices=Source.choices)
    a_source_match = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    b_source = models.CharField(max_length=6, choices=Source.choices)
    b_source_match = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    entry_a = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    entry_b = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    score_a = models.PositiveSmallIntegerField(null=True, blank=True)
    score_b = models.PositiveSmallIntegerField(null=True, blank=True)
    winner = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Bumped when a completed match is reopened: reports of an earlier attempt no longer count.
    attempt = models.PositiveSmallIntegerField(default=1)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "matches"
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
        A = "a", "Side A"
        B = "b", "Side B"
        ORGANIZER = "organizer", "Organizer"
        STAFF = "staff", "Staff"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="reports")
    attempt = models.PositiveSmallIntegerField(default=1)
    side = models.CharField(max_length=10, choices=Side.choices)
    version = models.PositiveSmallIntegerField(default=1)
    score_a = models.PositiveSmallIntegerField()
    score_b = models.PositiveSmallIntegerField()
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["match", "attempt", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["match", "attempt", "side", "version"], name="match_report_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.match} {self.side} v{self.version}: {self.score_a}-{self.score_b}"


def dispute_evidence_path(dispute: "Dispute", filename: str) -> str:
    return f"disputes/{dispute.match.event_id}/{dispute.match_id}/{filename}"


class Dispute(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="disputes")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    evidence = models.FileField(upload_to=dispute_evidence_path, blank=True)
    # What the file's bytes say it is (tournaments/evidence.py); blank without a file, and for
    # files stored before the check until `manage.py quarantine_evidence` has looked at them.
    evidence_type = models.CharField(max_length=40, blank=True)
    # Set when a stored file failed the check: it was moved under quarantine/ and is never served.
    evidence_quarantined_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["match"], condition=Q(status="open"), name="dispute_one_open_per_match"),
        ]

    def __str__(self) -> str:
        return f"Dispute on {self.match} ({self.status})"

    @property
    def has_servable_evidence(self) -> bool:
        """A file that was not quarantined (the serving view checks its bytes again on every read)."""
        return bool(self.evidence) and self.evidence_quarantined_at is None

    @property
    def evidence_is_image(self) -> bool:
        return self.has_servable_evidence and self.evidence_type.startswith("image/")


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
        return f"{self.amount} to {self.user} for {self.event}"
