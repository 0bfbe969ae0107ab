from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from driftwood.core.dashboard import dashboard_for
from driftwood.core.errors import error_response
from driftwood.core.middleware import API_PREFIX


@require_safe
def home(request):
    """Visitors get the marketing page; a logged-in player their dashboard (never cached: it is theirs)."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    response = render(request, "core/dashboard.html", {"dashboard": dashboard_for(user=request.user)})
    add_never_cache_headers(response)
    return response


@requires_csrf_token
def bad_request(request, exception=None):
    """Django's 400 (a disallowed or empty Host header, any SuspiciousOperation) in the API envelope."""
    if request.path.startswith(API_PREFIX):
        return error_response(request, 400)
    # Django's plain page: the request may be too broken (its Host) to render the site's base template.
    return defaults.bad_request(request, exception)


@requires_csrf_token
def permission_denied(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return error_response(request, 403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if request.path.startswith(API_PREFIX):
        return error_response(request, 404)
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    if request.path.startswith(API_PREFIX):
        return error_response(request, 500)
    # A bare context, no request and no context processors: the failure may be in one of
    # them (the session store, the database behind request.user, a template tag).
    return HttpResponseServerError(loader.get_template("500.html").render())
