"""Account pages (session auth). Forms validate, services write, views only connect them."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language

from driftwood.accounts import email_address, passwords, services
from driftwood.accounts.forms import (
    EmailChangeForm,
    LoginForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    PasswordResetSetForm,
    ProfileForm,
    SignUpForm,
)
from driftwood.core.exceptions import InvalidToken, RateLimited

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _safe_next(request) -> str:
    """The `next` URL if it stays on this site, else ""."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else ""


@sensitive_post_parameters("password", "password_confirm")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                username=data["username"],
                email=data["email"],
                password=data["password"],
                display_name=data["display_name"],
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            login(request, user, backend=MODEL_BACKEND)
            services.user_language_adopt(user=user, language=translation.get_language())
            messages.success(
                request, _("Welcome to Driftwood, %(name)s! Your account is ready.") % {"name": user.public_name}
            )
            return redirect(settings.LOGIN_REDIRECT_URL)
    return render(request, "accounts/signup.html", {"form": form})


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request.POST if request.method == "POST" else None, request=request)
    if form.is_valid():
        login(request, form.user)
        services.user_language_adopt(user=form.user, language=translation.get_language())
        if form.user.language:
            translation.activate(form.user.language)  # the greeting already in the player's language
        messages.success(request, _("Welcome back, %(name)s.") % {"name": form.user.public_name})
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    limited = form.rate_limited
    response = render(request, "accounts/login.html", {"form": form, "next": next_url}, status=429 if limited else 200)
    if limited:
        response["Retry-After"] = str(limited.retry_after)
    return response


@require_POST
def language_set(request):
    """The switcher: Django's set_language (the cookie, back to `next`), and for a logged-in player
    the choice stored on their account, so e-mails and their other devices follow it."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        services.user_language_set(user=request.user, language=language)
    return response


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You have logged out. See you on the next bracket."))
    return redirect(settings.LOGOUT_REDIRECT_URL)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            try:
                services.user_update_profile(
                    user=user,
                    display_name=form.cleaned_data["display_name"],
                    allow_messages_from_anyone=form.cleaned_data["allow_messages_from_anyone"],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Profile saved."))
                return redirect("accounts:profile")
    else:
        form = ProfileForm(
            initial={"display_name": user.display_name, "allow_messages_from_anyone": user.allow_messages_from_anyone}
        )
    return render(request, "accounts/profile.html", {"form": form})


@sensitive_post_parameters("email")
@never_cache
@require_http_methods(["GET", "POST"])
def password_reset(request):
    form = PasswordResetRequestForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        passwords.password_reset_request(email=form.cleaned_data["email"])
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view for the link: it moves the token into the session (out of the address bar
    and Referer) before showing the form, and refuses a spent or expired link."""

    form_class = PasswordResetSetForm
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")


@sensitive_post_parameters("old_password", "new_password", "new_password_confirm")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = passwords.password_change(
                user=request.user, old_password=data["old_password"], new_password=data["new_password"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            update_session_auth_hash(request, user)  # this session stays; every other one ends
            messages.success(request, _("Password changed. Your other devices were logged out."))
            return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@sensitive_post_parameters("password")
@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def email_change(request):
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            email_address.email_change_request(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        except RateLimited as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Check %(email)s: open the link there to make it yours.") % {"email": form.cleaned_data["email"]},
            )
            return redirect("accounts:profile")
    return render(request, "accounts/email_change.html", {"form": form})


@login_required
@require_POST
def email_verification_resend(request):
    try:
        email_address.email_verification_send(user=request.user)
    except RateLimited as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("We sent the link again to %(email)s.") % {"email": request.user.email})
    return redirect(_safe_next(request) or "accounts:profile")


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request, token: str):
    """GET shows what the link confirms (mail scanners open links); POST applies it."""
    try:
        user, email = email_address.email_token_read(token)
        if request.method == "POST":
            email_address.email_confirm(token=token)
    except InvalidToken as exc:
        return render(request, "accounts/email_confirm.html", {"problem": exc.message}, status=400)
    if request.method == "GET":
        return render(request, "accounts/email_confirm.html", {"account": user, "email": email})
    messages.success(request, _("Thank you: %(email)s is confirmed.") % {"email": email})
    return redirect("accounts:profile" if request.user.is_authenticated else "accounts:login")
