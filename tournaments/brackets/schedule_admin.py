"""Staff screens for match scheduling, read-only: the rounds' plans, the matches' check-ins and
reminders, and the forfeit proposals, which staff may confirm or reject from the list through the
same services as the organizer (a proposal where neither side checked in is decided by the
organizer, or on the match's resolve page)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from driftwood.core.admin import ReadOnlyAdmin
from driftwood.core.exceptions import DomainError
from tournaments.brackets.services.forfeits import forfeit_confirm, forfeit_reject
from tournaments.models import ForfeitProposal, MatchCheckIn, MatchReminder, RoundSchedule


@admin.register(RoundSchedule)
class RoundScheduleAdmin(ReadOnlyAdmin):
    list_display = ("event", "stage_number", "bracket", "round", "starts_at", "best_of", "check_in_minutes")
    list_filter = ("bracket",)
    search_fields = ("event__name",)
    list_select_related = ("event",)
    ordering = ("-starts_at",)


@admin.register(MatchCheckIn)
class MatchCheckInAdmin(ReadOnlyAdmin):
    list_display = ("match", "side", "entry", "checked_in_by", "checked_in_at")
    search_fields = ("match__event__name", "checked_in_by__username")
    list_select_related = ("match", "entry__registration__user", "entry__registration__team", "checked_in_by")
    ordering = ("-checked_in_at",)


@admin.register(MatchReminder)
class MatchReminderAdmin(ReadOnlyAdmin):
    list_display = ("match", "kind", "attempt", "sent_at")
    list_filter = ("kind",)
    list_select_related = ("match",)
    ordering = ("-sent_at",)


def _decide(modeladmin, request, queryset, decide, done: str) -> None:
    decided = 0
    for proposal in queryset.filter(status=ForfeitProposal.Status.PROPOSED).order_by("pk"):
        try:
            decide(proposal_id=proposal.pk, actor=request.user)
        except (DomainError, ValidationError) as exc:
            problem = exc.message if isinstance(exc, DomainError) else " ".join(exc.messages)
            modeladmin.message_user(request, f"{proposal.match}: {problem}", messages.ERROR)
        else:
            decided += 1
    if decided:
        modeladmin.message_user(request, done % {"count": decided}, messages.SUCCESS)


@admin.register(ForfeitProposal)
class ForfeitProposalAdmin(ReadOnlyAdmin):
    list_display = ("match", "absent", "status", "deadline_at", "proposed_at", "decided_by", "decided_at")
    list_filter = ("status",)
    search_fields = ("match__event__name",)
    list_select_related = ("match", "decided_by")
    ordering = ("-proposed_at",)
    actions = ("confirm_forfeits", "reject_forfeits")

    @admin.action(description=_("Confirm the selected forfeits (the side that checked in advances)"))
    def confirm_forfeits(self, request, queryset):
        done = ngettext("%(count)s forfeit confirmed.", "%(count)s forfeits confirmed.", queryset.count())
        _decide(self, request, queryset, forfeit_confirm, done)

    @admin.action(description=_("Reject the selected forfeits (the matches stay open)"))
    def reject_forfeits(self, request, queryset):
        done = ngettext("%(count)s forfeit rejected.", "%(count)s forfeits rejected.", queryset.count())
        _decide(self, request, queryset, forfeit_reject, done)
