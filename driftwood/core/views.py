from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from driftwood.core.errors import error_response
from driftwood.core.middleware import API_PREFIX


def home(request):
    return render(request, "core/home.html")


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
