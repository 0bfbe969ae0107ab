"""Moderation in Django admin: the report queue, with actions (dismiss, warn, suspend for N days,
ban) that ask for the reason on a confirmation page and call social/moderation.py; read-only
lists of sanctions, friendships and follows. Stars are private to their owner: not shown here.
Every word staff read is translatable (they read the admin in their own language).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from driftwood.core.admin import ReadOnlyAdmin
from driftwood.core.exceptions import DomainError
from social.admin_forms import TOLD_TO_PLAYER, ReasonForm, SuspendForm, player_record, players_count
from social.models import Follow, Friendship, Report, Sanction
from social.moderation import (
    recent_sanctions,
    report_dismiss,
    report_warn,
    suspension_lift,
    user_ban,
    user_suspend,
    user_unban,
)
from social.selectors import report_history

# Each action's confirmation page: its crumb and its button.
CONFIRM_WORDS = {
    "dismiss_selected": (gettext_lazy("Dismiss"), gettext_lazy("Yes, dismiss")),
    "warn_selected": (gettext_lazy("Warn"), gettext_lazy("Yes, warn")),
    "suspend_selected": (gettext_lazy("Suspend"), gettext_lazy("Yes, suspend")),
    "ban_selected": (gettext_lazy("Ban"), gettext_lazy("Yes, ban")),
    "lift_selected": (gettext_lazy("Lift"), gettext_lazy("Yes, lift")),
    "unban_selected": (gettext_lazy("Unban"), gettext_lazy("Yes, unban")),
}


def _count(filter_field: str, outer_field: str):
    """How many reports have `filter_field` equal to this row's `outer_field`, as one subquery."""
    counted = (
        Report.objects.filter(**{filter_field: OuterRef(outer_field)})
        .order_by()
        .values(filter_field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "created_at", "reported_record", "reason", "status", "reporter_record", "handled_by")
    list_display_links = ("id", "created_at")
    list_filter = ("status", "reason")
    search_fields = ("reporter__username", "reported__username")
    search_help_text = gettext_lazy("Username of the reporter or of the reported player.")
    list_select_related = ("reporter", "reported", "handled_by")
    ordering = ("-created_at", "-id")
    actions = ("dismiss_selected", "warn_selected", "suspend_selected", "ban_selected")
    fields = (
        "reported_history",
        "reporter_history",
        "reason",
        "description",
        "status",
        "created_at",
        "handled_by",
        "handled_at",
        "resolution_note",
    )
    readonly_fields = fields

    def get_queryset(self, request):
        newest_first = Sanction.objects.order_by("-created_at", "-pk")
        return (
            super()
            .get_queryset(request)
            .annotate(
                reporter_made=_count("reporter", "reporter"),
                reporter_received=_count("reported", "reporter"),
                reported_made=_count("reporter", "reported"),
                reported_received=_count("reported", "reported"),
            )
            .prefetch_related(
                Prefetch("reporter__sanctions", queryset=newest_first),
                Prefetch("reported__sanctions", queryset=newest_first),
            )
        )

    def has_moderate_permission(self, request) -> bool:
        return request.user.has_perm("social.change_report")

    def has_sanction_permission(self, request) -> bool:
        return request.user.has_perm("social.change_report") and request.user.has_perm("social.add_sanction")

    @admin.display(description=gettext_lazy("Reported player"))
    def reported_record(self, report: Report) -> str:
        return player_record(
            report.reported,
            made=report.reported_made,
            received=report.reported_received,
            sanctions=list(report.reported.sanctions.all()),
        )

    @admin.display(description=gettext_lazy("Reporter"))
    def reporter_record(self, report: Report) -> str:
        return player_record(
            report.reporter,
            made=report.reporter_made,
            received=report.reporter_received,
            sanctions=list(report.reporter.sanctions.all()),
        )

    def _history(self, user) -> str:
        history = report_history(user_id=user.pk)
        sanctions = recent_sanctions(user_ids=[user.pk])[user.pk]
        return player_record(user, made=history["made"], received=history["received"], sanctions=sanctions)

    @admin.display(description=gettext_lazy("Reported player's record"))
    def reported_history(self, report: Report) -> str:
        return self._history(report.reported)

    @admin.display(description=gettext_lazy("Reporter's record"))
    def reporter_history(self, report: Report) -> str:
        return self._history(report.reporter)

    # --- Actions: each asks for the reason first (and the days of a suspension), then records it.

    @admin.action(
        description=gettext_lazy("Dismiss selected reports (no action against the player)"), permissions=["moderate"]
    )
    def dismiss_selected(self, request, queryset: QuerySet[Report]):
        reports = self._selected(queryset)
        form = ReasonForm(self._confirmed(request), help_text=_("Why no action is needed. Only staff see it."))
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, reports, form, action="dismiss_selected")
        for report in reports:
            try:
                report_dismiss(report=report, staff=request.user, note=form.cleaned_data["reason"])
            except DomainError as exc:
                self._refused(request, report, exc)
                continue
            self.log_change(request, report, _("Dismissed: %(reason)s") % {"reason": form.cleaned_data["reason"]})
            self.message_user(request, _("Report #%(id)s dismissed.") % {"id": report.pk}, messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Warn the reported players (in-app notice)"), permissions=["sanction"])
    def warn_selected(self, request, queryset: QuerySet[Report]):
        reports = self._selected(queryset)
        form = ReasonForm(self._confirmed(request), help_text=_("Sent to the player as a notification."))
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, reports, form, action="warn_selected")
        reason = form.cleaned_data["reason"]
        for report in reports:
            try:
                report_warn(report=report, staff=request.user, reason=reason)
            except DomainError as exc:
                self._refused(request, report, exc)
                continue
            names = {"username": report.reported.username, "reason": reason, "id": report.pk}
            self.log_change(request, report, _("Warned %(username)s: %(reason)s") % names)
            self.message_user(request, _("Warned %(username)s (report #%(id)s).") % names, messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Suspend the reported players for some days"), permissions=["sanction"])
    def suspend_selected(self, request, queryset: QuerySet[Report]):
        reports = self._selected(queryset)
        form = SuspendForm(self._confirmed(request), help_text=TOLD_TO_PLAYER)
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, reports, form, action="suspend_selected")
        days, reason = form.cleaned_data["days"], form.cleaned_data["reason"]
        for report in self._one_per_player(reports):
            player = report.reported
            try:
                user_suspend(user=player, days=days, staff=request.user, reason=reason, report=report)
            except DomainError as exc:
                self._refused(request, report, exc, player=player)
                continue
            names = {"username": player.username, "days": days, "reason": reason}
            self.log_change(request, report, _("Suspended %(username)s for %(days)s days: %(reason)s") % names)
            suspended = ngettext(
                "Suspended %(username)s for %(days)s day: logged out everywhere.",
                "Suspended %(username)s for %(days)s days: logged out everywhere.",
                days,
            )
            self.message_user(request, suspended % names, messages.SUCCESS)
        return None

    @admin.action(description=gettext_lazy("Ban the reported players"), permissions=["sanction"])
    def ban_selected(self, request, queryset: QuerySet[Report]):
        reports = self._selected(queryset)
        form = ReasonForm(self._confirmed(request), help_text=TOLD_TO_PLAYER)
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, reports, form, action="ban_selected")
        reason = form.cleaned_data["reason"]
        for report in self._one_per_player(reports):
            player = report.reported
            try:
                user_ban(user=player, staff=request.user, reason=reason, report=report)
            except DomainError as exc:
                self._refused(request, report, exc, player=player)
                continue
            names = {"username": player.username, "reason": reason}
            self.log_change(request, report, _("Banned %(username)s: %(reason)s") % names)
            self.message_user(request, _("Banned %(username)s: logged out everywhere.") % names, messages.SUCCESS)
        return None

    def _refused(self, request, report: Report, exc: DomainError, *, player=None) -> None:
        names = {"id": report.pk, "message": exc.message, "username": getattr(player, "username", "")}
        refused = _("Report #%(id)s (%(username)s): %(message)s") if player else _("Report #%(id)s: %(message)s")
        self.message_user(request, refused % names, messages.ERROR)

    @staticmethod
    def _selected(queryset: QuerySet[Report]) -> list[Report]:
        return list(queryset.select_related("reporter", "reported").order_by("pk"))

    @staticmethod
    def _one_per_player(reports: list[Report]) -> list[Report]:
        """A suspension or ban settles all of a player's open reports: one decision per player."""
        first: dict[int, Report] = {}
        for report in reports:
            first.setdefault(report.reported_id, report)
        return list(first.values())

    @staticmethod
    def _confirmed(request):
        """The confirmation page's POST, or None while the action was only just chosen."""
        return request.POST if request.POST.get("confirm") == "yes" else None

    def _confirmation(self, request, reports: list[Report], form, *, action: str):
        players = {report.reported_id for report in reports}
        crumb, submit_label = CONFIRM_WORDS[action]
        context = {
            **self.admin_site.each_context(request),
            "title": _("%(verb)s %(what)s?") % {"verb": crumb, "what": self._what(action, reports, players)},
            "subtitle": None,
            "opts": self.model._meta,
            "reports": reports,
            "form": form,
            "action": action,
            "crumb": crumb,
            "submit_label": submit_label,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "social/admin/moderation_confirm.html", context)

    @staticmethod
    def _what(action: str, reports: list[Report], players: set[int]) -> str:
        if action == "dismiss_selected":
            return ngettext("%(count)d report", "%(count)d reports", len(reports)) % {"count": len(reports)}
        if len(players) == 1:
            return reports[0].reported.username
        return players_count(len(players))


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    """The record of decisions; select a player's suspension or ban to let them back in early."""

    actions = ("lift_selected", "unban_selected")
    list_display = ("id", "created_at", "user", "kind", "until", "lifted_at", "staff", "report_number", "reason")
    list_filter = ("kind", "created_at")
    search_fields = ("user__username", "staff__username")
    search_help_text = gettext_lazy("Username of the player or of the staff member.")
    list_select_related = ("user", "staff")
    ordering = ("-created_at", "-id")
    fields = ("user", "kind", "until", "lifted_at", "staff", "reason", "report", "created_at")
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Report"), ordering="report")
    def report_number(self, sanction: Sanction) -> str:
        return f"#{sanction.report_id}" if sanction.report_id else "-"

    def has_sanction_permission(self, request) -> bool:
        return request.user.has_perm("social.add_sanction")

    @admin.action(
        description=gettext_lazy("Lift the selected suspensions (let the players back in)"), permissions=["sanction"]
    )
    def lift_selected(self, request, queryset: QuerySet[Sanction]):
        return self._let_back_in(request, queryset, suspension_lift, action="lift_selected")

    @admin.action(description=gettext_lazy("Unban the selected players"), permissions=["sanction"])
    def unban_selected(self, request, queryset: QuerySet[Sanction]):
        return self._let_back_in(request, queryset, user_unban, action="unban_selected")

    def _let_back_in(self, request, queryset: QuerySet[Sanction], decide, *, action: str):
        sanctions = list(queryset.select_related("user").order_by("pk"))
        form = ReasonForm(
            request.POST if request.POST.get("confirm") == "yes" else None,
            help_text=_("Recorded with your name. Only staff see it; the player is told they are back."),
        )
        if not form.is_bound or not form.is_valid():
            crumb, submit_label = CONFIRM_WORDS[action]
            players = players_count(len({sanction.user_id for sanction in sanctions}))
            context = {
                **self.admin_site.each_context(request),
                "title": _("%(verb)s %(what)s?") % {"verb": crumb, "what": players},
                "subtitle": None,
                "opts": self.model._meta,
                "sanctions": sanctions,
                "form": form,
                "action": action,
                "crumb": crumb,
                "submit_label": submit_label,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                "media": self.media + form.media,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, "social/admin/let_back_in_confirm.html", context)
        players = {sanction.user_id: sanction.user for sanction in sanctions}
        for player in players.values():
            try:
                record = decide(user=player, staff=request.user, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                stays_out = _("Player %(username)s stays out: %(message)s")
                names = {"username": player.username, "message": exc.message}
                self.message_user(request, stays_out % names, messages.ERROR)
                continue
            kind = record.get_kind_display()
            self.log_addition(request, record, f"{kind}: {player.username}")
            let_in = _("Let %(username)s back in (%(kind)s).") % {"username": player.username, "kind": kind.lower()}
            self.message_user(request, let_in, messages.SUCCESS)
        return None


@admin.register(Friendship)
class FriendshipAdmin(ReadOnlyAdmin):
    list_display = ("id", "requester", "addressee", "status", "created_at", "responded_at")
    list_filter = ("status",)
    search_fields = ("requester__username", "addressee__username")
    list_select_related = ("requester", "addressee")
    ordering = ("-created_at", "-id")
    fields = ("requester", "addressee", "status", "created_at", "responded_at")
    readonly_fields = fields


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdmin):
    list_display = ("id", "follower", "followed", "created_at")
    search_fields = ("follower__username", "followed__username")
    list_select_related = ("follower", "followed")
    ordering = ("-created_at", "-id")
    fields = ("follower", "followed", "created_at")
    readonly_fields = fields
