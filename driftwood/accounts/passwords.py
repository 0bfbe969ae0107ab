"""Passwords: a reset by an e-mailed link, and a change by a signed-in player.

The reset link carries Django's `PasswordResetTokenGenerator` token: it hashes the user's password
and last log-in, so it works once (setting the password spends it) and for PASSWORD_RESET_TIMEOUT
(an hour). A new password, however it was set, ends every other session (Django checks each
session's password hash) and revokes every token issued before it (JWTs carry a hash of the
password: SIMPLE_JWT's CHECK_REVOKE_TOKEN). The player is told by e-mail either way.
"""

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from driftwood.accounts.models import User
from driftwood.core import ratelimit
from driftwood.core.exceptions import InvalidToken
from driftwood.core.i18n import user_language
from driftwood.notifications.services import email_send

# Reset mails per address: whoever asks gets the same answer, but an inbox is not flooded.
RESET_MAILS_PER_ADDRESS = ratelimit.Rate.parse("5/h")


def password_reset_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL}{path}"


def password_reset_request(*, email: str) -> None:
    """E-mail a reset link to the active account with this address, if there is one. The caller
    answers the same either way, so nobody learns which addresses have an account."""
    email = User.objects.normalize_email(email).strip()
    user = User.objects.filter(email__iexact=email, is_active=True).first()
    if user is None or not user.has_usable_password():
        return
    if ratelimit.hit("password_reset_mail", email.lower(), RESET_MAILS_PER_ADDRESS).exceeded:
        return
    minutes = settings.PASSWORD_RESET_TIMEOUT // 60
    with translation.override(user_language(user)):
        email_send(
            to=[user.email],
            subject=_("Reset your Driftwood password"),
            body=_(
                "Hi %(name)s,\n\n"
                "Someone (we hope you) asked to reset the password of your Driftwood account %(username)s.\n"
                "Choose a new one here within %(minutes)s minutes:\n\n%(link)s\n\n"
                "The link works once. If you did not ask, ignore this e-mail: your password stays as it is."
            )
            % {
                "name": user.public_name,
                "username": user.username,
                "minutes": minutes,
                "link": password_reset_link(user),
            },
        )


def password_reset_user(uidb64: str, token: str) -> User | None:
    """The active user a reset link is for, if its token is still good; None otherwise."""
    try:
        user_id = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, UnicodeDecodeError, OverflowError):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_confirm(*, uid: str, token: str, new_password: str) -> User:
    """Set the password a reset link was sent for; InvalidToken if the link is wrong, spent or expired."""
    user = password_reset_user(uid, token)
    if user is None:
        raise InvalidToken(_("This reset link is invalid or has expired. Ask for a new one."))
    return password_set(user=user, new_password=new_password)


def password_change(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": [_("That is not your current password.")]})
    if old_password == new_password:
        raise ValidationError({"new_password": [_("The new password is the one you have now.")]})
    return password_set(user=user, new_password=new_password)


def password_set(*, user: User, new_password: str) -> User:
    """Validate and store a new password; every other session and earlier token stops working."""
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc
    user.set_password(new_password)
    with transaction.atomic():
        user.save(update_fields=["password"])
        with translation.override(user_language(user)):
            email_send(
                to=[user.email],
                subject=_("Your Driftwood password was changed"),
                body=_(
                    "Hi %(name)s,\n\nThe password of your Driftwood account %(username)s was just changed, and "
                    "every other device was logged out.\n\nIf this was not you, reset your password now: %(link)s"
                )
                % {
                    "name": user.public_name,
                    "username": user.username,
                    "link": f"{settings.SITE_URL}{reverse('accounts:password_reset')}",
                },
            )
    return user
