"""The embeddable bracket (`/embed/events/<id>/bracket`) and the organizer's list of sites that may
frame it (a card on the manage page).

The embed is the bracket page without the site around it, live the same way (static/js/bracket.js
over `ws/events/<id>/`), its links opening in a new tab. Only the listed origins may frame it: its
Content-Security-Policy says `frame-ancestors <origins>` (`'none'` when the list is empty), and
X-Frame-Options, which cannot name origins, is left off only when some are listed (DENY otherwise),
so the two never disagree. Drafts have no embed.
"""

from csp.constants import NONE
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from tournaments.brackets import selectors
from tournaments.brackets.ffa.selectors import ffa_context
from tournaments.brackets.manage import EmbedOriginsForm, organizer_event_or_redirect, render_manage
from tournaments.services.embed import event_embed_origins_set


@never_cache
@require_safe
def event_bracket_embed(request, event_id: int):
    event = selectors.public_event_get(event_id)
    if event is None:
        raise Http404(_("No such event."))
    context = {
        "event": event,
        "bracket": selectors.bracket_view(event),
        **ffa_context(event),
        "socket_path": f"/ws/events/{event.pk}/",
        "fragment_url": reverse("tournaments:event_bracket_fragment", args=[event.pk]),
    }
    response = render(request, "tournaments/embed_bracket.html", context)
    # django-csp reads this per response: the organizer's origins replace the site's 'none'.
    response._csp_replace = {"frame-ancestors": list(event.embed_origins) or [NONE]}
    if event.embed_origins:
        response.xframe_options_exempt = True
    return response


@login_required
@require_POST
def event_embed_origins_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    form = EmbedOriginsForm(request.POST)
    if form.is_valid():
        try:
            event_embed_origins_set(
                event_id=event.pk, actor=request.user, origins=form.cleaned_data["origins"].splitlines()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("Saved: only the sites listed can show your bracket."))
            return redirect(f"{reverse('tournaments:event_manage', args=[event.pk])}#embed")
    return render_manage(request, event, embed_form=form, status=400)
