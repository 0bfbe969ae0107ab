"""Account writes: sign-up, profile edits, and log-in with its failed-attempt limits."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from driftwood.accounts import email_address
from driftwood.accounts.models import User
from driftwood.core import ratelimit
from driftwood.core.exceptions import AccountSuspended, InvalidCredentials, RateLimited
from driftwood.core.network import client_ip
from driftwood.core.times import malaysia_time


def _uniqueness_problems(*, username: str, email: str) -> dict[str, list[str]]:
    errors = {}
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = [_("That username is taken.")]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("An account with that e-mail already exists.")]
    return errors


def _check_unique(*, username: str, email: str) -> None:
    if errors := _uniqueness_problems(username=username, email=email):
        raise ValidationError(errors)


def user_signup_problems(*, username: str, email: str, password: str) -> dict[str, list[str]]:
    """Every reason a sign-up would be refused, field by field, so a form shows them all at once
    (taken names and the password rules, beside what the form itself checks)."""
    email = User.objects.normalize_email(email or "").strip()
    errors = _uniqueness_problems(username=username or "", email=email)
    if password:
        try:
            validate_password(password, User(username=username or "", email=email))
        except ValidationError as exc:
            errors["password"] = exc.messages
    return errors


def user_create(
    *, username: str, email: str, password: str, display_name: str = "", email_verified: bool = False
) -> User:
    """Register a player. Uniqueness is case-insensitive and guarded by the database too. The
    address is confirmed by the link sent to it, unless `email_verified` (demo accounts)."""
    email = User.objects.normalize_email(email).strip()
    if errors := user_signup_problems(username=username, email=email, password=password):
        raise ValidationError(errors)
    user = User(username=username, email=email, display_name=display_name or username)
    user.email_verified_at = timezone.now() if email_verified else None
    user.full_clean(exclude=["password"], validate_unique=False)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            email_address.email_verification_send(user=user)  # nothing when already verified
    except IntegrityError:
        # Lost a race with an identical sign-up: report it like the check above would.
        _check_unique(username=username, email=email)
        raise
    return user


def user_language_set(*, user: User, language: str) -> User:
    """Store the player's language (one of settings.LANGUAGES) for pages, e-mails and notices."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": [_("Choose one of the offered languages.")]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


def user_language_adopt(*, user: User, language: str) -> User:
    """At sign-up and log-in: a player who never chose keeps the language they were reading."""
    if not user.language and language in dict(settings.LANGUAGES):
        user_language_set(user=user, language=language)
    return user


def user_update_profile(*, user: User, display_name: str, allow_messages_from_anyone: bool | None = None) -> User:
    user.display_name = display_name.strip()
    if allow_messages_from_anyone is not None:
        user.allow_messages_from_anyone = allow_messages_from_anyone
    user.full_clean(validate_unique=False, exclude=["password"])
    user.save(update_fields=["display_name", "allow_messages_from_anyone"])
    return user


def _login_limits(request, username: str):
    rates = settings.RATE_LIMITS
    return (
        ("login_user", username.lower(), ratelimit.Rate.parse(rates["login_failures_per_username"])),
        ("login_ip", client_ip(request), ratelimit.Rate.parse(rates["login_failures_per_ip"])),
    )


def user_authenticate(*, request, username: str, password: str) -> User:
    """Check credentials, counting failures per username and per client IP.

    Only failures count (players at a LAN event share one IP). Once a limit is reached
    every attempt is refused, the right password included, until the window passes.
    Inactive (banned) users are refused like a wrong password.
    """
    limits = _login_limits(request, username)
    if settings.RATELIMIT_ENABLE:
        usages = [ratelimit.peek(scope, ident, rate) for scope, ident, rate in limits]
        blocked = [usage.retry_after for usage in usages if usage.exhausted]
        if blocked:
            raise RateLimited(_("Too many failed log-in attempts. Try again later."), retry_after=max(blocked))
    user = authenticate(request, username=username, password=password)
    if user is None:
        _refuse_if_shut_out(username, password)
        for scope, ident, rate in limits:
            ratelimit.hit(scope, ident, rate)
        raise InvalidCredentials()
    return user


def _refuse_if_shut_out(username: str, password: str) -> None:
    """The right password of a suspended or banned account: say so, with the end and the reason
    (a wrong password still gets the plain refusal, so a stranger learns nothing)."""
    try:
        account = User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        return
    if account.is_active or not account.check_password(password):
        return
    shut = shut_out_explanation(account)
    if shut.until is None:
        message = _("Your account is banned. Reason: %(reason)s") % {"reason": shut.reason}
    else:
        message = _("Your account is suspended until %(until)s. Reason: %(reason)s") % {
            "until": malaysia_time(shut.until),
            "reason": shut.reason,
        }
    raise AccountSuspended(message, fields={"suspended_until": shut.until, "reason": shut.reason})


# --- Why an inactive account may not log in. Moderation (social's sanctions), which accounts knows
# nothing about, registers how to explain it from its AppConfig; log-in asks only after the right
# password, so a stranger learns nothing.


@dataclass(frozen=True)
class ShutOut:
    until: datetime | None  # None: banned (or disabled by staff), no end
    reason: str


_explainer: Callable[[User], ShutOut | None] | None = None


def shut_out_explain_with(explainer: Callable[[User], ShutOut | None]) -> None:
    global _explainer
    _explainer = explainer


def shut_out_explanation(user: User) -> ShutOut:
    """Why `user` (inactive) is shut out; an account disabled by hand in admin has no sanction."""
    found = _explainer(user) if _explainer is not None else None
    return found or ShutOut(until=None, reason=_("The account was disabled by the staff."))
