"""The social graph: friendships, follows, private stars, and reports for moderators.

PostgreSQL keeps the graph sane: one friendship row per unordered pair (a unique index over
the least and greatest user ids, so crossed requests cannot make two), no duplicate
follows or stars, and nobody follows, stars or reports themselves.
"""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Friendship(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("requester")
    )
    addressee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("addressee")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    responded_at = models.DateTimeField(null=True, blank=True, verbose_name=_("responded at"))

    class Meta:
        verbose_name = _("friendship")
        verbose_name_plural = _("friendships")
        constraints = [
            models.UniqueConstraint(
                Least("requester", "addressee"), Greatest("requester", "addressee"), name="friendship_one_per_pair"
            ),
            models.CheckConstraint(condition=~Q(requester=F("addressee")), name="friendship_not_with_self"),
        ]
        indexes = [
            models.Index(fields=["requester", "addressee", "status"], name="friendship_pair_status"),
            # Covering both directions of a friend list (index-only scans of the friend ids).
            models.Index(fields=["addressee", "status", "requester"], name="friendship_addressee_status"),
            models.Index(
                fields=["addressee", "-created_at", "-id"],
                condition=Q(status="pending"),
                name="friendship_pending_incoming",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requester_id} -> {self.addressee_id} ({self.status})"

    def other(self, user_id: int) -> int:
        return self.addressee_id if self.requester_id == user_id else self.requester_id


class Follow(models.Model):
    follower = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="following_set", verbose_name=_("follower")
    )
    followed = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follower_set", verbose_name=_("followed")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.UniqueConstraint(fields=["follower", "followed"], name="follow_once"),
            models.CheckConstraint(condition=~Q(follower=F("followed")), name="follow_not_self"),
        ]
        indexes = [models.Index(fields=["followed", "follower"], name="follow_followed")]

    def __str__(self) -> str:
        return f"{self.follower_id} follows {self.followed_id}"


class Star(models.Model):
    """A private favourite: only its owner ever sees it (in GET /me)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="stars", verbose_name=_("user")
    )
    starred = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("starred")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))

    class Meta:
        verbose_name = _("star")
        verbose_name_plural = _("stars")
        constraints = [
            models.UniqueConstraint(fields=["user", "starred"], name="star_once"),
            models.CheckConstraint(condition=~Q(user=F("starred")), name="star_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} starred {self.starred_id}"


class Report(models.Model):
    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam")
        HARASSMENT = "harassment", _("Harassment")
        CHEATING = "cheating", _("Cheating")
        INAPPROPRIATE_CONTENT = "inappropriate_content", _("Inappropriate content")
        IMPERSONATION = "impersonation", _("Impersonation")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REVIEWING = "reviewing", _("Reviewing")
        ACTIONED = "actioned", _("Actioned")
        DISMISSED = "dismissed", _("Dismissed")

    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_made", verbose_name=_("reporter")
    )
    reported = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports_received", verbose_name=_("reported")
    )
    reason = models.CharField(max_length=30, choices=Reason.choices, verbose_name=_("reason"))
    description = models.TextField(max_length=2000, blank=True, verbose_name=_("description"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, verbose_name=_("status"))
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("handled by"),
    )
    resolution_note = models.TextField(blank=True, verbose_name=_("resolution note"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    handled_at = models.DateTimeField(null=True, blank=True, verbose_name=_("handled at"))

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [models.CheckConstraint(condition=~Q(reporter=F("reported")), name="report_not_self")]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="report_queue"),
            models.Index(fields=["reporter", "reported", "-created_at"], name="report_pair_recent"),
        ]

    def __str__(self) -> str:
        return _("Report #%(pk)s: %(reported)s for %(reason)s (%(status)s)") % {
            "pk": self.pk,
            "reported": self.reported,
            "reason": self.reason,
            "status": self.status,
        }


class Sanction(models.Model):
    """A moderator's decision about a player, with who took it and why. Suspensions end at `until`
    (`lifted_at` is set when the account is let back in); bans have no end."""

    class Kind(models.TextChoices):
        WARN = "warn", _("Warning")
        SUSPEND = "suspend", _("Suspension")
        BAN = "ban", _("Ban")
        # Staff let the player back in before the end: the decision is on the record too.
        LIFT = "lift", _("Suspension lifted")
        UNBAN = "unban", _("Unbanned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions", verbose_name=_("user")
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    until = models.DateTimeField(null=True, blank=True, verbose_name=_("until"))
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("staff")
    )
    reason = models.TextField(max_length=2000, verbose_name=_("reason"))
    report = models.ForeignKey(
        Report, null=True, blank=True, on_delete=models.SET_NULL, related_name="sanctions", verbose_name=_("report")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    lifted_at = models.DateTimeField(null=True, blank=True, verbose_name=_("lifted at"))

    class Meta:
        verbose_name = _("sanction")
        verbose_name_plural = _("sanctions")
        constraints = [
            # Only a suspension has an end; a warning has nothing to end and a ban does not end by itself.
            models.CheckConstraint(
                condition=Q(kind="suspend", until__isnull=False) | (~Q(kind="suspend") & Q(until__isnull=True)),
                name="sanction_until_only_for_suspensions",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="sanction_has_reason"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="sanction_user_recent"),
            # What `lift_suspensions` looks for: suspensions still holding an account.
            models.Index(
                fields=["until"], condition=Q(kind="suspend", lifted_at__isnull=True), name="sanction_suspension_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.user_id}"


class UserSession(models.Model):
    """Which sessions belong to which player, written at log-in, so that a ban ends that player's
    sessions without decoding every session on the site. A row goes with its session (cascade),
    so logging out, key rotation and `clearsessions` keep the index small."""

    session = models.OneToOneField(
        Session, primary_key=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )

    class Meta:
        verbose_name = _("user session")
        verbose_name_plural = _("user sessions")

    def __str__(self) -> str:
        return _("session of %(user_id)s") % {"user_id": self.user_id}
