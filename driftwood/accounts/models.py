from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from driftwood.core.indexes import TrigramIndex

USERNAME_PATTERN = r"^[A-Za-z0-9_]{3,30}$"


class DriftwoodUserManager(UserManager):
    def get_by_natural_key(self, username):
        # Usernames are unique case-insensitively, so log-in ignores case too.
        return self.get(username__iexact=username)


class User(AbstractUser):
    class SubscriptionTier(models.TextChoices):
        FREE = "free", _("Free")
        PREMIUM = "premium", _("Premium")

    # Django's name for the username rule; other apps' forms read it from here.
    username_validator = RegexValidator(USERNAME_PATTERN, _("3-30 characters: letters, digits and underscores."))

    username = models.CharField(
        max_length=30,
        unique=True,
        validators=[username_validator],
        help_text=_("3-30 characters: letters, digits and underscores."),
        error_messages={"unique": _("That username is taken.")},
        verbose_name=_("username"),
    )
    email = models.EmailField(_("email address"))
    # When the player opened a link sent to `email` (None: not yet). Withdrawals need it.
    email_verified_at = models.DateTimeField(null=True, blank=True, verbose_name=_("email verified at"))
    display_name = models.CharField(max_length=50, blank=True, verbose_name=_("display name"))
    subscription_tier = models.CharField(
        max_length=10,
        choices=SubscriptionTier.choices,
        default=SubscriptionTier.FREE,
        verbose_name=_("subscription tier"),
    )
    allow_messages_from_anyone = models.BooleanField(
        default=False,
        help_text=_("Accept direct messages from players who are not friends."),
        verbose_name=_("allow messages from anyone"),
    )
    # The player's language for pages, e-mails and notifications; empty until they choose one (or
    # sign up or log in, which store the language they were reading): English is used meanwhile.
    language = models.CharField(_("language"), max_length=7, choices=settings.LANGUAGES, blank=True, default="")

    objects = DriftwoodUserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("username"), name="accounts_user_username_ci_unique"),
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]
        indexes = [
            # Player lists sort by name with the id as tie-breaker (the keyset cursor's order).
            models.Index(fields=["username", "id"], name="accounts_user_username_id"),
            # Name search: ILIKE '%term%' through trigrams (driftwood.core.lookups).
            TrigramIndex("username", name="accounts_user_username_trgm"),
            TrigramIndex("display_name", name="accounts_user_display_trgm"),
        ]

    def __str__(self) -> str:
        return self.username

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def public_name(self) -> str:
        return self.display_name or self.username
