"""A player's e-mail address: verified by a link after sign-up, changed only through a link sent to
the new address.

The link carries a signed token (Django's signing, salted for this use) naming the account, the
address to confirm and the address the account had when it was sent: it works for a day, and
only while the account still has that address, so a change link works once and an old link
never undoes a later change.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from driftwood.accounts.models import User
from driftwood.core import ratelimit
from driftwood.core.exceptions import InvalidToken, RateLimited
from driftwood.core.i18n import user_language
from driftwood.notifications.services import email_send

SALT = "driftwood.accounts.email-address"
LINK_VALID_SECONDS = 24 * 3600
# Links sent per account: enough to retry, not to flood an inbox.
LINKS_PER_ACCOUNT = ratelimit.Rate.parse("5/h")


def _token(user: User, email: str) -> str:
    return signing.dumps({"user": user.pk, "email": email, "was": user.email}, salt=SALT)


def _link(user: User, email: str) -> str:
    return f"{settings.SITE_URL}{reverse('accounts:email_confirm', kwargs={'token': _token(user, email)})}"


def _count_link(user: User) -> None:
    usage = ratelimit.hit("email_link", str(user.pk), LINKS_PER_ACCOUNT)
    if usage.exceeded:
        raise RateLimited(_("Too many links sent. Try again later."), retry_after=usage.retry_after)


def email_verification_send(*, user: User) -> None:
    """Send (again) the link that confirms the account's current address."""
    if user.email_verified:
        return
    _count_link(user)
    with translation.override(user_language(user)):
        email_send(
            to=[user.email],
            subject=_("Confirm your e-mail address for Driftwood"),
            body=_(
                "Hi %(name)s,\n\nConfirm that %(email)s is yours, so that you can withdraw your winnings and get "
                "back into your account if you forget the password:\n\n%(link)s\n\n"
                "The link works for 24 hours. If you did not sign up for Driftwood, ignore this e-mail."
            )
            % {"name": user.public_name, "email": user.email, "link": _link(user, user.email)},
        )


def email_change_request(*, user: User, email: str, password: str) -> None:
    """Send a confirmation link to the new address; nothing changes until it is opened."""
    if not user.check_password(password):
        raise ValidationError({"password": [_("That is not your current password.")]})
    email = User.objects.normalize_email(email).strip()
    if email.lower() == user.email.lower():
        raise ValidationError({"email": [_("That is already your address.")]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": [_("An account with that e-mail already exists.")]})
    _count_link(user)
    names = {"name": user.public_name, "email": email, "username": user.username}
    with translation.override(user_language(user)):
        email_send(
            to=[email],
            subject=_("Confirm your new e-mail address for Driftwood"),
            body=_(
                "Hi %(name)s,\n\nOpen this link to make %(email)s the address of your Driftwood account "
                "%(username)s (it works for 24 hours):\n\n%(link)s\n\n"
                "If you did not ask for this, ignore this e-mail: nothing changes."
            )
            % {**names, "link": _link(user, email)},
        )
        email_send(
            to=[user.email],
            subject=_("Your Driftwood e-mail address is about to change"),
            body=_(
                "Hi %(name)s,\n\nSomeone (we hope you) asked to move your Driftwood account to %(email)s. "
                "It changes only once the link sent there is opened. If this was not you, change your password now."
            )
            % names,
        )


def email_token_read(token: str) -> tuple[User, str]:
    """The account and the address a link confirms; InvalidToken if it is wrong, old or spent."""
    try:
        claims = signing.loads(token, salt=SALT, max_age=LINK_VALID_SECONDS)
        user = User.objects.get(pk=claims["user"], is_active=True)
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        raise InvalidToken(_("This link is invalid or has expired.")) from None
    if user.email != claims["was"] or (user.email == claims["email"] and user.email_verified):
        raise InvalidToken(_("This link was already used, or the address has changed since it was sent."))
    return user, claims["email"]


def email_confirm(*, token: str) -> User:
    """Apply a link: the address is the account's, and verified."""
    user, email = email_token_read(token)
    user.email, user.email_verified_at = email, timezone.now()
    try:
        with transaction.atomic():
            user.save(update_fields=["email", "email_verified_at"])
    except IntegrityError:
        # Another account took the address after the link was sent.
        raise InvalidToken(_("Another account uses this address now.")) from None
    return user
