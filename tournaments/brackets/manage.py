"""The organizer's manage page: check-in, seeding and the start (their views are in
`tournaments.brackets.views`), announcements, the list of every match with quick result entry, and
the embed card (the sites that may frame the bracket: `tournaments.brackets.embed`).

The match list asks `match_permissions` what the organizer may do to each match, as the match
page does: a score form where they may report (it settles the match at once), a decision form
where a dispute waits for them, a reopen button on a completed match. The forms post to
`event_match_result_view`, which calls the same report and resolve services as the match page.
"""

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from driftwood.core.exceptions import DomainError
from driftwood.core.forms import ServiceErrorsMixin
from driftwood.core.throttles import page_rate_limited
from tournaments import selectors as tournament_selectors
from tournaments.brackets import selectors
from tournaments.brackets.rules import MatchPermissions, match_permissions, seeding_refusal, start_refusal
from tournaments.brackets.schedule_forms import RoundPlanForm, schedule_context
from tournaments.brackets.services.matches import match_report, match_resolve
from tournaments.forms import AnnouncementForm, ResolveForm, ScoreForm, SeedingForm
from tournaments.models import Event, Match
from tournaments.selectors import event_waitlist
from tournaments.services.announcements import PER_HOUR, announcement_post, announcement_refusal
from tournaments.services.checkin import check_in_window
from tournaments.services.embed import MAX_ORIGINS
from tournaments.services.event_rules import edit_refusal
from tournaments.views import event_back_to, event_or_404

# The match list's filters, in the order the page offers them (the first is the default).
MATCH_FILTERS = {
    "ready": gettext_lazy("Ready to play"),
    "disputed": gettext_lazy("Disputed"),
    "all": gettext_lazy("All matches"),
}
WAITING = (Match.Status.READY, Match.Status.REPORTED)
ANNOUNCEMENTS_SHOWN = 5


def organizer_event_or_redirect(request, event_id: int):
    """(event, None) for the organizer, else (event, a redirect back to the event with a message)."""
    event = event_or_404(request, event_id)
    if event.organizer_id != request.user.pk:
        messages.error(request, _("Only the organizer can manage this event."))
        return event, event_back_to(event)
    return event, None


class EmbedOriginsForm(ServiceErrorsMixin, forms.Form):
    origins = forms.CharField(
        label=gettext_lazy("Sites that may show the bracket"),
        required=False,
        max_length=MAX_ORIGINS * 210,
        help_text=gettext_lazy("One per line, e.g. https://example.com. Leave empty to allow no site."),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocomplete": "off"}),
    )

    @classmethod
    def for_event(cls, event: Event) -> "EmbedOriginsForm":
        return cls(initial={"origins": "\n".join(event.embed_origins)})


def embed_url(event: Event) -> str:
    return f"{settings.SITE_URL}{reverse('event_bracket_embed', args=[event.pk])}"


@dataclass
class MatchRow:
    match: Match
    permissions: MatchPermissions
    filters: set[str] = field(default_factory=lambda: {"all"})
    form: ScoreForm | None = None

    @property
    def resolving(self) -> bool:
        return isinstance(self.form, ResolveForm)


def _form_prefix(match: Match) -> str:
    return f"match-{match.pk}"


def _result_form(match: Match, permissions: MatchPermissions, data=None) -> ScoreForm | None:
    """The organizer's quick form for the match: a report where they may report, a decision where
    they must decide (not for a completed match: that one is reopened, or changed on its page)."""
    names = {"name_a": match.entry_a.name, "name_b": match.entry_b.name} if match.entry_a and match.entry_b else {}
    if permissions.can_report:
        return ScoreForm(data, prefix=_form_prefix(match), **names)
    if permissions.can_resolve and match.status != Match.Status.COMPLETED:
        initial = {"score_a": match.score_a, "score_b": match.score_b}
        return ResolveForm(data, prefix=_form_prefix(match), initial=initial, **names)
    return None


def match_list(event: Event, user, chosen: str) -> dict:
    rows = []
    for match in selectors.manage_matches(event):
        row = MatchRow(match, match_permissions(match, user))
        if row.permissions.needs_decision:
            row.filters.add("disputed")
        elif match.status in WAITING:
            row.filters.add("ready")
        rows.append(row)
    shown = [row for row in rows if chosen in row.filters]
    for row in shown:
        row.form = _result_form(row.match, row.permissions)
    return {
        "match_rows": shown,
        "match_filter": chosen,
        "match_filters": [
            (key, label, sum(key in row.filters for row in rows)) for key, label in MATCH_FILTERS.items()
        ],
        "has_matches": bool(rows),
    }


def _chosen_filter(value) -> str:
    return value if value in MATCH_FILTERS else next(iter(MATCH_FILTERS))


def render_manage(
    request,
    event: Event,
    *,
    seeding_form: SeedingForm | None = None,
    announcement_form: AnnouncementForm | None = None,
    embed_form: EmbedOriginsForm | None = None,
    plan_form: RoundPlanForm | None = None,
    status: int = 200,
):
    entries = selectors.manage_entries(event)
    active = [entry for entry in entries if entry.status == entry.Status.ACTIVE]
    opens_at, check_in_open = check_in_window(event)
    context = {
        "event": event,
        "entries": entries,
        "checked_in": sum(1 for entry in active if entry.checked_in_at),
        "active_count": len(active),
        "check_in_opens_at": opens_at,
        "check_in_open": check_in_open,
        "seeding_form": seeding_form or SeedingForm(initial={"method": event.seeding}, entries=active),
        "can_seed": seeding_refusal(event) is None,
        "can_start": start_refusal(event) is None,
        "waitlist": list(event_waitlist(event=event)),
        "can_edit": edit_refusal(event, allow_published=True) is None,
        "can_announce": announcement_refusal(event) is None,
        "announcement_form": announcement_form or AnnouncementForm(),
        "announcements_per_hour": PER_HOUR,
        "announcements": list(tournament_selectors.event_announcements(event_id=event.pk)[:ANNOUNCEMENTS_SHOWN]),
        "embed_form": embed_form or EmbedOriginsForm.for_event(event),
        "embed_url": embed_url(event),
        **match_list(event, request.user, _chosen_filter(request.GET.get("matches"))),
        **schedule_context(event, plan_form=plan_form),
    }
    return render(request, "tournaments/event_manage.html", context, status=status)


def _manage_url(event: Event, anchor: str, **query) -> str:
    params = "&".join(f"{key}={value}" for key, value in query.items())
    return f"{reverse('tournaments:event_manage', args=[event.pk])}{'?' if params else ''}{params}#{anchor}"


@login_required
@require_POST
def event_announce_view(request, event_id: int):
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    form = AnnouncementForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            announcement_post(event_id=event.pk, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for name, problems in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, problems)
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.status_code
        else:
            messages.success(request, _("Announcement sent: every entrant is notified, and it is pinned in the chat."))
            return redirect(_manage_url(event, "announcements"))
    return render_manage(request, event, announcement_form=form, status=status)


@login_required
@require_POST
def event_match_result_view(request, event_id: int, match_id: int):
    """Quick result entry from the match list: the organizer's report, or their decision on a dispute."""
    event, refused = organizer_event_or_redirect(request, event_id)
    if refused:
        return refused
    match = selectors.match_get(user=request.user, match_id=match_id)
    if match is None or match.event_id != event.pk:
        raise Http404(_("No such match."))
    back = redirect(_manage_url(event, "matches", matches=_chosen_filter(request.POST.get("matches"))))
    if page_rate_limited(request):
        return back
    permissions = match_permissions(match, request.user)
    form = _result_form(match, permissions, request.POST) or ScoreForm(request.POST, prefix=_form_prefix(match))
    if not form.is_valid():
        messages.error(request, f"{match.key}: enter both scores, whole numbers from 0 to 999.")
        return back
    try:
        if isinstance(form, ResolveForm):
            match = match_resolve(match_id=match.pk, actor=request.user, **form.cleaned_data)
        else:
            match = match_report(match_id=match.pk, actor=request.user, **form.cleaned_data)
    except (DomainError, ValidationError) as exc:
        problem = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
        messages.error(request, f"{match.key}: {problem}")
        return back
    score = f"{match.entry_a.name} {match.score_a}-{match.score_b} {match.entry_b.name}"
    messages.success(
        request, _("%(key)s is decided: %(score)s. The bracket moves on.") % {"key": match.key, "score": score}
    )
    return back
