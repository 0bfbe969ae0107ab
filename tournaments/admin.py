"""Staff screens for tournaments. Money and registrations are read-only here: every change goes
through the services. Staff cancel events (refunding every paid entry less a penalty) with an
action that asks for the penalty on a confirmation page and calls `event_cancel`.

The bracket's screens (matches, disputes, entries) are in `tournaments.brackets.admin`,
registered from here.
"""

from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from driftwood.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from tournaments.brackets import admin as bracket_admin  # noqa: F401 (registers the bracket's screens)
from tournaments.brackets import schedule_admin  # noqa: F401 (registers the scheduling screens)
from tournaments.brackets.ffa import admin as ffa_admin  # noqa: F401 (registers the free-for-all's screens)
from tournaments.models import (
    Event,
    Game,
    ParticipantPayment,
    PrizePayout,
    Registration,
    Team,
    TeamMember,
)
from tournaments.services.events import EVENT_WRITE_FIELDS, event_cancel


def _mid_sentence(label: str) -> str:
    """A choice's label inside a sentence: "Wallet" -> "wallet", but "FPX online banking" and
    "Card (Stripe)" -> "card (Stripe)" keep their acronyms and names."""
    label = str(label)
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


@admin.register(Game)
class GameAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "icon", "event_count")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    ordering = ("name",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(event_total=Count("events"))

    @admin.display(description=_("Events"), ordering="event_total")
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

    @admin.display(description=_("Player or team"))
    def entrant(self, registration: Registration) -> str:
        return str(registration.team or registration.user)

    @admin.display(description=_("Payment"))
    def payment_summary(self, registration: Registration) -> str:
        payment = getattr(registration, "payment", None)
        if payment is None:
            return "-"
        return gettext("%(amount)s by %(method)s (%(status)s)") % {
            "amount": format_money(payment.amount, style="page"),
            "method": _mid_sentence(payment.get_method_display()),
            "status": _mid_sentence(payment.get_status_display()),
        }


class CancelForm(forms.Form):
    penalty_percent = forms.DecimalField(
        label=_("Penalty (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("Kept from each paid entry fee (it goes to the platform); the rest is refunded. 0 refunds all."),
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
        "organizer",
        "status",
        *(name for name in EVENT_WRITE_FIELDS if name != "name"),
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

    @admin.display(description=_("Confirmed"), ordering="confirmed_total")
    def confirmed(self, event: Event) -> int:
        return event.confirmed_total

    def has_cancel_permission(self, request) -> bool:
        return request.user.has_perm("tournaments.change_event")

    @admin.action(description=_("Cancel selected events with refunds"), permissions=["cancel"])
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
            refunded = format_money(total, style="page")
            self.log_change(
                request,
                event,
                _("Cancelled with a %(penalty)s%% penalty; refunded %(refunded)s.")
                % {"penalty": penalty, "refunded": refunded},
            )
            self.message_user(
                request,
                ngettext(
                    "%(name)s cancelled: %(count)s paid entry refunded (%(total)s after a %(penalty)s%% penalty).",
                    "%(name)s cancelled: %(count)s paid entries refunded (%(total)s after a %(penalty)s%% penalty).",
                    len(refunds),
                )
                % {"name": event.name, "count": len(refunds), "total": refunded, "penalty": penalty},
                messages.SUCCESS,
            )
        return None

    def _confirmation(self, request, events: list[Event], form: CancelForm):
        context = {
            **self.admin_site.each_context(request),
            "title": ngettext(
                "Cancel %(count)s event with refunds?", "Cancel %(count)s events with refunds?", len(events)
            )
            % {"count": len(events)},
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

    @admin.display(description=_("Players"), ordering="member_total")
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

    @admin.display(description=_("Player or team"))
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


@admin.register(PrizePayout)
class PrizePayoutAdmin(ReadOnlyAdmin):
    list_display = ("id", "event", "user", "place", "amount", "created_at")
    search_fields = ("event__name", "user__username")
    list_select_related = ("event", "user")
    ordering = ("-created_at", "-pk")
    fields = ("event", "entry", "user", "place", "amount", "created_at")
    readonly_fields = fields
