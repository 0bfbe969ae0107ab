"""The player's language: stored on the user, applied to each request, kept in the cookie.

Pages: a logged-in player's stored `User.language` wins over the cookie and the browser's
Accept-Language (LocaleMiddleware's choice for visitors); the cookie follows the stored choice,
so the page stays in that language after logging out. The API: Accept-Language when the client
sends it, else the authenticated caller's stored language (`apply_stored_language`, called by
the API's authentication classes once they know the user).
"""

from django.conf import settings
from django.utils import translation

from driftwood.core.middleware import API_PREFIX


def _activate(request, code: str) -> None:
    translation.activate(code)
    request.LANGUAGE_CODE = code


def apply_stored_language(request, user) -> None:
    """For an API request: the caller's stored language, unless the client asked for one."""
    if getattr(user, "language", "") and "HTTP_ACCEPT_LANGUAGE" not in request.META:
        _activate(request, user.language)


class UserLanguageMiddleware:
    """After AuthenticationMiddleware: a logged-in player's pages in their stored language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)  # the API's authentication classes decide
        user = request.user
        if user.is_authenticated and user.language:
            _activate(request, user.language)
        response = self.get_response(request)
        user = request.user  # the view may have logged someone in or out
        cookie = settings.LANGUAGE_COOKIE_NAME
        if user.is_authenticated and user.language and request.COOKIES.get(cookie) != user.language:
            response.set_cookie(
                cookie,
                user.language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
