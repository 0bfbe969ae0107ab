"""The organizer's webhook pages (session auth): their endpoints and an add form; one endpoint with
its signing secret (shown once, right after it is made), its delivery log and "Send again".

Another organizer's endpoint or delivery does not exist for the caller (404). Forms validate,
services write, views only connect them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from driftwood.core.exceptions import DomainError, NotFound
from driftwood.core.paging import paginate
from driftwood.core.throttles import page_rate_limited
from integrations import selectors
from integrations.forms import WebhookEndpointForm
from integrations.models import WebhookEndpoint
from integrations.services.endpoints import (
    webhook_delivery_replay,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
)
from integrations.services.signing import EVENT_ID_HEADER, EVENT_TYPE_HEADER, SIGNATURE_HEADER

PER_PAGE = 20


def _secret_key(endpoint_id: int) -> str:
    return f"webhook_secret_{endpoint_id}"


def _endpoint_or_404(request, endpoint_id: int) -> WebhookEndpoint:
    endpoint = selectors.endpoint_get(user=request.user, endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404(_("No such webhook endpoint."))
    return endpoint


def _render_list(request, form: WebhookEndpointForm, *, status: int = 200):
    context = {"endpoints": list(selectors.endpoints_of(request.user)), "form": form}
    return render(request, "integrations/webhooks.html", context, status=status)


@login_required
@never_cache
@require_safe
def webhook_list(request):
    return _render_list(request, WebhookEndpointForm())


@login_required
@require_POST
def webhook_create_view(request):
    form = WebhookEndpointForm(request.POST)
    if page_rate_limited(request):
        return redirect("integrations:webhooks")
    if not form.is_valid():
        return _render_list(request, form, status=400)
    try:
        endpoint, secret = webhook_endpoint_create(owner=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_list(request, form, status=400)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return _render_list(request, form, status=exc.status_code)
    # Shown once, on the next page: it stays in the session only until that page is rendered.
    request.session[_secret_key(endpoint.pk)] = secret
    messages.success(request, _("Endpoint added. Copy its signing secret now: it is shown only once."))
    return redirect("integrations:webhook_detail", endpoint_id=endpoint.pk)


@login_required
@never_cache
@require_safe
def webhook_detail(request, endpoint_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    page = paginate(request, selectors.deliveries_of(endpoint), PER_PAGE)
    context = {
        "endpoint": endpoint,
        "secret": request.session.pop(_secret_key(endpoint.pk), None),
        "deliveries": page.items,
        "page": page,
        "headers": {"signature": SIGNATURE_HEADER, "event_id": EVENT_ID_HEADER, "event_type": EVENT_TYPE_HEADER},
    }
    return render(request, "integrations/webhook_detail.html", context)


@login_required
@require_POST
def webhook_active_view(request, endpoint_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    active = request.POST.get("active") == "1"
    webhook_endpoint_update(endpoint_id=endpoint.pk, actor=request.user, active=active)
    if active:
        messages.success(request, _("Endpoint resumed: deliveries that waited are sent now."))
    else:
        messages.success(request, _("Endpoint paused: deliveries wait until you resume it."))
    return redirect("integrations:webhook_detail", endpoint_id=endpoint.pk)


@login_required
@require_POST
def webhook_delete_view(request, endpoint_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    webhook_endpoint_delete(endpoint_id=endpoint.pk, actor=request.user)
    messages.success(request, _("Endpoint removed: nothing more is sent to %(url)s.") % {"url": endpoint.url})
    return redirect("integrations:webhooks")


@login_required
@require_POST
def webhook_replay_view(request, endpoint_id: int, delivery_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    back = reverse("integrations:webhook_detail", args=[endpoint.pk])
    if selectors.delivery_get(user=request.user, endpoint_id=endpoint.pk, delivery_id=delivery_id) is None:
        raise Http404(_("No such delivery."))
    if page_rate_limited(request):
        return redirect(back)
    try:
        delivery = webhook_delivery_replay(delivery_id=delivery_id, actor=request.user)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(event)s is being sent again, with the same event id.") % {"event": delivery.event_id}
        )
    return redirect(f"{back}#delivery-{delivery_id}")
