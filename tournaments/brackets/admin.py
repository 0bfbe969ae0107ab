"""Staff screens for brackets, all read-only: matches show their versioned reports and disputes,
and staff review open disputes (the list opens on them) and decide the score on a resolve page
that calls `match_resolve`, exactly like the organizer's form on the match page.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from driftwood.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from driftwood.core.exceptions import DomainError
from driftwood.core.text import FormTextField
from tournaments.brackets.services.matches import match_resolve
from tournaments.models import Dispute, Entry, Match, MatchReport, Stage

ENTRY_NAMES = ("registration__user", "registration__team")
MATCH_SIDES = tuple(f"{side}__{name}" for side in ("entry_a", "entry_b") for name in ENTRY_NAMES)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


class MatchReportInline(ReadOnlyInline):
    """Every submission, every version: append-only, never edited."""

    model = MatchReport
    fields = ("attempt", "side", "version", "score_a", "score_b", "reported_by", "created_at")
    readonly_fields = fields
    ordering = ("attempt", "created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by")


def evidence_link(dispute: Dispute) -> str:
    """A download link through the guarded view (never the storage URL), or why there is none."""
    if dispute.evidence_quarantined_at is not None:
        return _("Quarantined (not an allowed file type)")
    if not dispute.evidence:
        return "-"
    url = reverse("tournaments:dispute_evidence", args=[dispute.pk])
    return format_html(_('<a href="{}" download>Download the file</a>'), url)


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = ("status", "opened_by", "reason", "evidence_file", "resolution", "resolved_by", "resolved_at")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("opened_by", "resolved_by")

    @admin.display(description=_("Evidence"))
    def evidence_file(self, dispute: Dispute) -> str:
        return evidence_link(dispute)


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("key", "event", "bracket", "round", "side_a", "score", "side_b", "status", "updated_at")
    list_filter = ("status", "bracket", "stage__number", "event__format")
    search_fields = ("key", "event__name", "event__slug")
    list_select_related = ("event", *MATCH_SIDES)
    ordering = ("-updated_at", "-pk")
    fields = (
        "event",
        "stage",
        "key",
        "bracket",
        "group",
        "round",
        "position",
        "best_of",
        "conditional",
        "a_source",
        "a_source_match",
        "entry_a",
        "b_source",
        "b_source_match",
        "entry_b",
        "score_a",
        "score_b",
        "winner",
        "status",
        "attempt",
        "completed_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = (MatchReportInline, DisputeInline)

    @admin.display(description=_("Side A"))
    def side_a(self, match: Match) -> str:
        return match.entry_a.name if match.entry_a_id else "-"

    @admin.display(description=_("Side B"))
    def side_b(self, match: Match) -> str:
        return match.entry_b.name if match.entry_b_id else "-"

    @admin.display(description=_("Score"))
    def score(self, match: Match) -> str:
        return "-" if match.score_a is None else f"{match.score_a} - {match.score_b}"


class DisputeStatusFilter(admin.SimpleListFilter):
    """Staff land on the open disputes: those are the ones waiting for someone."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Dispute.Status.choices, ("all", _("All"))]

    def queryset(self, request, queryset):
        value = self.value() or Dispute.Status.OPEN
        return queryset if value == "all" else queryset.filter(status=value)

    def choices(self, changelist):
        current = self.value() or Dispute.Status.OPEN
        for value, label in self.lookup_choices:
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }


class ResolveForm(forms.Form):
    score_a = forms.IntegerField(label=_("Score A"), min_value=0, max_value=999)
    score_b = forms.IntegerField(label=_("Score B"), min_value=0, max_value=999)
    resolution = FormTextField(
        label=_("Resolution"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was decided and why. The players and the organizer see it on the match page."),
    )


@admin.register(Dispute)
class DisputeAdmin(ReadOnlyAdmin):
    list_display = ("id", "match_key", "event", "opened_by", "status", "created_at", "resolve_link")
    list_filter = (DisputeStatusFilter,)
    search_fields = ("match__key", "match__event__name", "opened_by__username", "reason")
    list_select_related = ("match__event", "opened_by")
    ordering = ("created_at", "pk")
    fields = (
        "match",
        "opened_by",
        "reason",
        "evidence_link",
        "status",
        "resolution",
        "resolved_by",
        "created_at",
        "resolved_at",
    )
    readonly_fields = fields

    def get_urls(self):
        resolve = path(
            "<int:dispute_id>/resolve/",
            self.admin_site.admin_view(self.resolve_view),
            name="tournaments_dispute_resolve",
        )
        return [resolve, *super().get_urls()]

    @admin.display(description=_("Match"), ordering="match__key")
    def match_key(self, dispute: Dispute) -> str:
        return dispute.match.key

    @admin.display(description=_("Event"), ordering="match__event__name")
    def event(self, dispute: Dispute) -> str:
        return dispute.match.event.name

    @admin.display(description=_("Evidence"))
    def evidence_link(self, dispute: Dispute) -> str:
        return evidence_link(dispute)

    @admin.display(description="")
    def resolve_link(self, dispute: Dispute) -> str:
        if dispute.status != Dispute.Status.OPEN:
            return "-"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:tournaments_dispute_resolve", args=[dispute.pk]), _("Resolve")
        )

    def has_resolve_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("tournaments.view_dispute")

    def resolve_view(self, request, dispute_id: int):
        """Decide the disputed match's score: `match_resolve`, which also closes the dispute."""
        if not self.has_resolve_permission(request):
            raise Http404(_("No such dispute."))
        dispute = (
            Dispute.objects.select_related("opened_by", "match__event", *(f"match__{side}" for side in MATCH_SIDES))
            .filter(pk=dispute_id)
            .first()
        )
        if dispute is None:
            raise Http404(_("No such dispute."))
        match = dispute.match
        form = ResolveForm(
            request.POST if request.method == "POST" else None,
            initial={"score_a": match.score_a, "score_b": match.score_b},
        )
        names = (
            match.entry_a.name if match.entry_a_id else _("Side A"),
            match.entry_b.name if match.entry_b_id else _("Side B"),
        )
        form.fields["score_a"].label, form.fields["score_b"].label = (
            _("Score of %(name)s") % {"name": name} for name in names
        )
        if request.method == "POST" and form.is_valid():
            try:
                match_resolve(match_id=match.pk, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                reason = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
                self.message_user(request, f"{match.key}: {reason}", messages.ERROR)
            else:
                score = f"{form.cleaned_data['score_a']}-{form.cleaned_data['score_b']}"
                self.log_change(request, dispute, _("Resolved %(key)s %(score)s.") % {"key": match.key, "score": score})
                resolved = _("%(key)s of %(event)s resolved.") % {"key": match.key, "event": match.event.name}
                self.message_user(request, resolved, messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tournaments_dispute_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Resolve the dispute on %(key)s") % {"key": match.key},
            "subtitle": match.event.name,
            "opts": self.model._meta,
            "dispute": dispute,
            "match": match,
            "names": names,
            "reports": MatchReport.objects.filter(match=match, attempt=match.attempt).select_related("reported_by"),
            "form": form,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "tournaments/admin/dispute_resolve.html", context)


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "event", "seed", "status", "checked_in_at", "placement")
    list_filter = ("status",)
    search_fields = ("event__name", "registration__user__username", "registration__team__name")
    list_select_related = ("event", *ENTRY_NAMES)
    ordering = ("event", "seed", "pk")
    fields = ("event", "registration", "seed", "status", "checked_in_at", "checked_in_by", "placement", "created_at")
    readonly_fields = fields

    @admin.display(description=_("Player or team"))
    def name(self, entry: Entry) -> str:
        return entry.name


@admin.register(Stage)
class StageAdmin(ReadOnlyAdmin):
    """An event's stages: the groups and the playoff drawn from them (format, options, matches)."""

    list_display = ("id", "event", "number", "format", "advance", "match_count", "created_at")
    list_filter = ("format", "number")
    search_fields = ("event__name", "event__slug")
    list_select_related = ("event",)
    ordering = ("-created_at", "-pk")
    fields = ("event", "number", "format", "options", "created_at")
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(match_total=Count("matches"))

    @admin.display(description=_("Advance per group"))
    def advance(self, stage: Stage):
        plan = stage.options.get("playoff") or {}
        return stage.options.get("advance") or plan.get("advance") or "-"

    @admin.display(description=_("Matches"), ordering="match_total")
    def match_count(self, stage: Stage) -> int:
        return stage.match_total
