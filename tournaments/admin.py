"""Staff screens for tournaments. Money and registrations are read-only here: every change goes
through the services. Staff cancel events (refunding every paid entry less a penalty) with an
action that asks for the penalty on a confirmation page and calls `event_cancel`.

Brackets are read-only too: matches show their versioned reports and disputes, and staff
review open disputes (the list opens on them) and decide the score on a resolve page that
calls `match_resolve`, exactly like the organizer's form on the match page.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from driftwood.core.admin import ReadOnlyAdminMixin
from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from driftwood.core.text import FormTextField
from tournaments.brackets.services.matches import match_resolve
from tournaments.models import (
    Dispute,
    Entry,
    Event,
    Game,
    Match,
    MatchReport,
    ParticipantPayment,
    PrizePayout,
    Registration,
    Team,
    TeamMember,
)
from tournaments.services.events import event_cancel
from wallet.admin import ReadOnlyAdmin


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "icon", "event_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events"))

    @admin.display(description="Events", ordering="event_total")
    def event_count(self, game: Game) -> int:
        return game.event_total


class RegistrationInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Registration
    fields = ("entrant", "registered_by", "status", "payment_summary", "created_at", "confirmed_at", "ended_at")
    readonly_fields = fields
    extra = 0
    show_change_link = True
    ordering = ("created_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "team", "registered_by", "payment")

    @admin.display(description="Player or team")
    def entrant(self, registration: Registration) -> str:
        return str(registration.team or registration.user)

    @admin.display(description="Payment")
    def payment_summary(self, registration: Registration) -> str:
        payment = getattr(registration, "payment", None)
        if payment is None:
            return "-"
        return f"RM {format_money(payment.amount)} by {payment.get_method_display().lower()} ({payment.status})"


class CancelForm(forms.Form):
    penalty_percent = forms.DecimalField(
        label="Penalty (%)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        help_text="Kept from each paid entry fee (it goes to the platform); the rest is refunded. 0 refunds all.",
    )


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "game",
        "organizer",
        "status",
        "entry_fee",
        "prize_pool",
        "confirmed",
        "max_participants",
        "starts_at",
    )
    list_filter = ("status", "game", "tier", "is_solo")
    search_fields = ("name", "slug", "organizer__username", "organizer__email")
    list_select_related = ("game", "organizer")
    ordering = ("-starts_at", "-pk")
    date_hierarchy = "starts_at"
    inlines = (RegistrationInline,)
    actions = ("cancel_with_refunds",)
    # Staff may fix wording; anything that moves money or changes the flow goes through the services.
    fields = (
        "name",
        "slug",
        "game",
        "organizer",
        "status",
        "tier",
        "event_type",
        "format",
        "description",
        "is_solo",
        "team_size",
        "max_participants",
        "entry_fee",
        "prize_pool",
        "prize_distribution",
        "starts_at",
        "registration_closes_at",
        "check_in_minutes",
        "no_show_refund_percent",
        "best_of",
        "third_place_match",
        "bracket_reset",
        "groups",
        "swiss_rounds",
        "seeding",
        "seeding_confirmed_at",
        "created_at",
        "published_at",
        "cancelled_at",
        "completed_at",
        "fees_settled_at",
        "prizes_paid_at",
    )
    readonly_fields = tuple(field for field in fields if field not in ("name", "description", "tier"))

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(confirmed_total=Count("registrations", filter=Q(registrations__status="confirmed")))
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Confirmed", ordering="confirmed_total")
    def confirmed(self, event: Event) -> int:
        return event.confirmed_total

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("tournaments.change_event")

    @admin.action(description="Cancel selected events with refunds", permissions=["cancel"])
    def cancel_with_refunds(self, request, queryset: QuerySet[Event]):
        events = list(queryset.select_related("game", "organizer").order_by("pk"))
        form = CancelForm(request.POST if request.POST.get("confirm") == "yes" else None)
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, events, form)
        penalty = form.cleaned_data["penalty_percent"]
        for event in events:
            try:
                refunds = event_cancel(event_id=event.pk, actor=request.user, penalty_percent=penalty)
            except (DomainError, ValidationError) as exc:
                reason = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
                self.message_user(request, f"{event.name}: {reason}", messages.ERROR)
                continue
            total = sum((amount for refund in refunds.values() for amount in refund.values()), Decimal("0.00"))
            self.log_change(request, event, f"Cancelled with a {penalty}% penalty; refunded RM {format_money(total)}.")
            self.message_user(
                request,
                f"{event.name} cancelled: {len(refunds)} paid {'entry' if len(refunds) == 1 else 'entries'} "
                f"refunded (RM {format_money(total)} after a {penalty}% penalty).",
                messages.SUCCESS,
            )
        return None

    def _confirmation(self, request, events: list[Event], form: CancelForm):
        context = {
            **self.admin_site.each_context(request),
            "title": f"Cancel {len(events)} event{'s' if len(events) != 1 else ''} with refunds?",
            "subtitle": None,
            "opts": self.model._meta,
            "events": events,
            "form": form,
            "action": "cancel_with_refunds",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "tournaments/admin/event_cancel_confirm.html", context)


class TeamMemberInline(admin.TabularInline):
    model = TeamMember
    fields = ("user", "role", "joined_at")
    readonly_fields = fields
    extra = 0
    ordering = ("joined_at", "pk")

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "captain", "members", "created_at")
    search_fields = ("name", "captain__username", "memberships__user__username")
    list_select_related = ("captain",)
    ordering = ("name",)
    fields = ("name", "captain", "created_at")
    readonly_fields = ("captain", "created_at")
    inlines = (TeamMemberInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("memberships", distinct=True))

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Players", ordering="member_total")
    def members(self, team: Team) -> int:
        return team.member_total


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "entrant", "registered_by", "status", "created_at", "confirmed_at")
    list_filter = ("status", "event__game")
    search_fields = ("event__name", "user__username", "team__name", "registered_by__username")
    list_select_related = ("event", "user", "team", "registered_by")
    ordering = ("-created_at", "-pk")
    fields = ("event", "user", "team", "registered_by", "status", "created_at", "confirmed_at", "ended_at")
    readonly_fields = fields

    @admin.display(description="Player or team")
    def entrant(self, registration: Registration) -> str:
        return str(registration.team or registration.user)


@admin.register(ParticipantPayment)
class ParticipantPaymentAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "payer", "method", "amount", "refunded_amount", "status", "created_at")
    list_filter = ("method", "status")
    search_fields = ("payer__username", "event__name", "payment_intent_id")
    list_select_related = ("event", "payer")
    ordering = ("-created_at", "-pk")
    # The client secret lets a browser confirm the payment: staff have no use for it.
    fields = (
        "registration",
        "event",
        "payer",
        "method",
        "amount",
        "refunded_amount",
        "status",
        "payment_intent_id",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


# --- Brackets


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
        return "Quarantined (not an allowed file type)"
    if not dispute.evidence:
        return "-"
    url = reverse("tournaments:dispute_evidence", args=[dispute.pk])
    return format_html('<a href="{}" download>Download the file</a>', url)


class DisputeInline(ReadOnlyInline):
    model = Dispute
    fields = ("status", "opened_by", "reason", "evidence_file", "resolution", "resolved_by", "resolved_at")
    readonly_fields = fields
    show_change_link = True
    ordering = ("-created_at",)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("opened_by", "resolved_by")

    @admin.display(description="Evidence")
    def evidence_file(self, dispute: Dispute) -> str:
        return evidence_link(dispute)


@admin.register(Match)
class MatchAdmin(ReadOnlyAdmin):
    list_display = ("key", "event", "bracket", "round", "side_a", "score", "side_b", "status", "updated_at")
    list_filter = ("status", "bracket", "event__format")
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

    @admin.display(description="Side A")
    def side_a(self, match: Match) -> str:
        return match.entry_a.name if match.entry_a_id else "-"

    @admin.display(description="Side B")
    def side_b(self, match: Match) -> str:
        return match.entry_b.name if match.entry_b_id else "-"

    @admin.display(description="Score")
    def score(self, match: Match) -> str:
        return "-" if match.score_a is None else f"{match.score_a} - {match.score_b}"


class DisputeStatusFilter(admin.SimpleListFilter):
    """Staff land on the open disputes: those are the ones waiting for someone."""

    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [*Dispute.Status.choices, ("all", "All")]

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
    score_a = forms.IntegerField(label="Score A", min_value=0, max_value=999)
    score_b = forms.IntegerField(label="Score B", min_value=0, max_value=999)
    resolution = FormTextField(
        label="Resolution",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What was decided and why. The players and the organizer see it on the match page.",
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

    @admin.display(description="Match", ordering="match__key")
    def match_key(self, dispute: Dispute) -> str:
        return dispute.match.key

    @admin.display(description="Event", ordering="match__event__name")
    def event(self, dispute: Dispute) -> str:
        return dispute.match.event.name

    @admin.display(description="Evidence")
    def evidence_link(self, dispute: Dispute) -> str:
        return evidence_link(dispute)

    @admin.display(description="")
    def resolve_link(self, dispute: Dispute) -> str:
        if dispute.status != Dispute.Status.OPEN:
            return "-"
        return format_html('<a href="{}">Resolve</a>', reverse("admin:tournaments_dispute_resolve", args=[dispute.pk]))

    def has_resolve_permission(self, request) -> bool:
        return request.user.is_staff and request.user.has_perm("tournaments.view_dispute")

    def resolve_view(self, request, dispute_id: int):
        """Decide the disputed match's score: `match_resolve`, which also closes the dispute."""
        if not self.has_resolve_permission(request):
            raise Http404("No such dispute.")
        dispute = (
            Dispute.objects.select_related("opened_by", "match__event", *(f"match__{side}" for side in MATCH_SIDES))
            .filter(pk=dispute_id)
            .first()
        )
        if dispute is None:
            raise Http404("No such dispute.")
        match = dispute.match
        form = ResolveForm(
            request.POST if request.method == "POST" else None,
            initial={"score_a": match.score_a, "score_b": match.score_b},
        )
        names = (
            match.entry_a.name if match.entry_a_id else "Side A",
            match.entry_b.name if match.entry_b_id else "Side B",
        )
        form.fields["score_a"].label, form.fields["score_b"].label = (f"Score of {name}" for name in names)
        if request.method == "POST" and form.is_valid():
            try:
                match_resolve(match_id=match.pk, actor=request.user, **form.cleaned_data)
            except (DomainError, ValidationError) as exc:
                reason = exc.message if isinstance(exc, DomainError) else "; ".join(exc.messages)
                self.message_user(request, f"{match.key}: {reason}", messages.ERROR)
            else:
                score = f"{form.cleaned_data['score_a']}-{form.cleaned_data['score_b']}"
                self.log_change(request, dispute, f"Resolved {match.key} {score}.")
                self.message_user(request, f"{match.key} of {match.event.name} resolved.", messages.SUCCESS)
                return HttpResponseRedirect(reverse("admin:tournaments_dispute_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Resolve the dispute on {match.key}",
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

    @admin.display(description="Player or team")
    def name(self, entry: Entry) -> str:
        return entry.name


@admin.register(PrizePayout)
class PrizePayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "user", "place", "amount", "created_at")
    search_fields = ("event__name", "user__username")
    list_select_related = ("event", "user")
    ordering = ("-created_at", "-pk")
    fields = ("event", "entry", "user", "place", "amount", "created_at")
    readonly_fields = fields
