"""Browser forms for the account pages. They validate input; the services do the writes."""

from django import forms
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from driftwood.accounts import passwords, services
from driftwood.accounts.models import USERNAME_PATTERN, User
from driftwood.core.exceptions import AccountSuspended, InvalidCredentials, RateLimited
from driftwood.core.forms import ServiceErrorsMixin
from driftwood.core.text import FormTextField

USERNAME_HELP = _("3-30 characters: letters, digits and underscores.")
PASSWORD_HELP = _("At least 8 characters, not only digits, not a common password.")


class SignUpForm(ServiceErrorsMixin, forms.Form):
    username = forms.RegexField(
        regex=USERNAME_PATTERN,
        label=_("Username"),
        max_length=30,
        help_text=USERNAME_HELP,
        error_messages={"invalid": USERNAME_HELP},
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    email = forms.EmailField(label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    display_name = FormTextField(
        max_length=User._meta.get_field("display_name").max_length,
        label=_("Display name"),
        required=False,
        help_text=_("The name other players see. Defaults to your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_confirm = forms.CharField(
        label=_("Confirm password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("password"), cleaned.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords do not match."))
        return cleaned


class LoginForm(forms.Form):
    """Checks credentials through `user_authenticate`, so pages share the API's log-in limits."""

    username = forms.CharField(
        label=_("Username"),
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.user: User | None = None
        self.rate_limited: RateLimited | None = None

    def clean(self):
        cleaned = super().clean()
        username, password = cleaned.get("username"), cleaned.get("password")
        if username and password:
            try:
                self.user = services.user_authenticate(request=self.request, username=username, password=password)
            except RateLimited as exc:
                self.rate_limited = exc
                raise ValidationError(exc.message, code="rate_limited") from exc
            except InvalidCredentials as exc:
                raise ValidationError(_("Invalid username or password."), code="invalid_login") from exc
            except AccountSuspended as exc:
                raise ValidationError(exc.message, code="account_suspended") from exc
        return cleaned


class ProfileForm(ServiceErrorsMixin, forms.Form):
    display_name = FormTextField(
        max_length=User._meta.get_field("display_name").max_length,
        label=_("Display name"),
        required=False,
        help_text=_("The name other players see. Leave it empty to show your username."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )
    allow_messages_from_anyone = forms.BooleanField(
        required=False,
        label=_("Accept messages from players who are not my friends"),
        help_text=_("Friends can always message you."),
    )


def _new_password_field(label: str, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=128,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class PasswordChangeForm(ServiceErrorsMixin, forms.Form):
    old_password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password = _new_password_field(_("New password"), PASSWORD_HELP)
    new_password_confirm = _new_password_field(_("Confirm new password"))

    def clean(self):
        cleaned = super().clean()
        password, confirm = cleaned.get("new_password"), cleaned.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", _("The two passwords do not match."))
        return cleaned


class PasswordResetSetForm(SetPasswordForm):
    """Django's form for the reset link's page (it checks the pair and the password rules); the
    password is stored by `password_set`, so a reset ends other sessions and tells the player."""

    def save(self, commit=True):
        return passwords.password_set(user=self.user, new_password=self.cleaned_data["new_password1"])


class EmailChangeForm(ServiceErrorsMixin, forms.Form):
    email = forms.EmailField(
        label=_("New e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Current password"),
        max_length=128,
        strip=False,
        help_text=_("To be sure it is you."),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
