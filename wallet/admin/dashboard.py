"""The staff money dashboard (Django admin, /admin/wallet/wallet/money/) and the reconciliation runs it
links to. Staff with permission to view wallets only; the figures come from wallet.dashboard."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from driftwood.core.admin import ReadOnlyAdmin
from wallet.dashboard import money_dashboard
from wallet.models import ReconcileRun


def money_dashboard_view(model_admin, request):
    """Called through `admin_site.admin_view`, which already sends anyone but active staff to log in."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Money dashboard"),
        "subtitle": None,
        "opts": model_admin.model._meta,
        **money_dashboard(),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "wallet/admin/money_dashboard.html", context)


@admin.register(ReconcileRun)
class ReconcileRunAdmin(ReadOnlyAdmin):
    list_display = ("finished_at", "ok", "wallets_checked", "held", "ledger_total", "difference_count")
    list_filter = ("ok",)
    ordering = ("-finished_at", "-id")
    fields = (
        "finished_at",
        "ok",
        "wallets_checked",
        "held",
        "ledger_total",
        "stripe_in",
        "bank_out",
        "card_refunds",
        "problems",
    )
    readonly_fields = fields

    @admin.display(description=gettext_lazy("Differences"))
    def difference_count(self, run: ReconcileRun) -> int:
        return len(run.problems)
