"""Staff screens for withdrawals and card refunds. Withdrawals are approved or rejected with
actions that call the same services as the admin API, after a confirmation page; a processing
one (the bank's answer unknown) can be retried at once by the same reference. Every word staff
read is translatable (they read the admin in their own language).
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from driftwood.core.admin import ReadOnlyAdmin
from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from driftwood.core.text import FormTextField
from wallet.admin.ledger import masked
from wallet.models import CardRefund, Withdrawal
from wallet.services.card_refunds import card_refund_retry
from wallet.services.fraud import fraud_flag_message
from wallet.services.payouts import withdrawal_payout_retry
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject


def _failure(withdrawal: Withdrawal) -> str:
    """Why the payout failed: Driftwood's own reasons in the reader's language, the bank's as given."""
    return _(withdrawal.failure_reason) if withdrawal.failure_reason else withdrawal.get_status_display()


def fraud_reasons(withdrawal: Withdrawal) -> list[str]:
    """The fraud checks' findings in the staff member's words, whatever shape each flag was stored in."""
    return [fraud_flag_message(flag) for flag in withdrawal.fraud_flags or []]


class FlaggedFilter(admin.SimpleListFilter):
    title = gettext_lazy("fraud checks")
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", _("Flagged")), ("no", _("Not flagged"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(fraud_flags=[])
        if self.value() == "no":
            return queryset.filter(fraud_flags=[])
        return queryset


class PayoutFilter(admin.SimpleListFilter):
    title = gettext_lazy("payout")
    parameter_name = "payout"

    def lookups(self, request, model_admin):
        hours = f"{settings.WITHDRAWAL_PROCESSING_ALERT_MINUTES / 60:g}"
        return [
            ("unknown", _("Outcome unknown (processing)")),
            ("stuck", _("Processing over %(hours)s h") % {"hours": hours}),
        ]

    def queryset(self, request, queryset):
        processing = queryset.filter(status=Withdrawal.Status.PROCESSING)
        if self.value() == "unknown":
            return processing
        if self.value() == "stuck":
            age = timedelta(minutes=settings.WITHDRAWAL_PROCESSING_ALERT_MINUTES)
            return processing.filter(processing_since__lte=timezone.now() - age)
        return queryset


class ApproveForm(forms.Form):
    override_reason = FormTextField(
        label=gettext_lazy("Override reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "A selected withdrawal was flagged by the fraud checks: say why paying out is safe. It is recorded."
        ),
    )

    def __init__(self, *args, needs_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_override:
            del self.fields["override_reason"]


class RejectForm(forms.Form):
    reason = FormTextField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy("Shown to the player and e-mailed to them."),
    )


@admin.register(Withdrawal)
class WithdrawalAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "amount",
        "total",
        "status",
        "flagged",
        "fraud_reasons_list",
        "bank_account",
        "created_at",
        "processed_by",
        "payout_attempts",
        "last_payout_error",
    )
    list_display_links = ("id", "user")
    list_filter = ("status", PayoutFilter, FlaggedFilter, "created_at")
    search_fields = ("user__username", "user__email")
    search_help_text = gettext_lazy("Username, e-mail or withdrawal id.")
    list_select_related = ("user", "processed_by")
    ordering = ("-created_at", "-id")
    actions = ("approve_selected", "reject_selected", "retry_payout_now")
    fields = (
        "user",
        "wallet",
        "amount",
        "fee",
        "total",
        "status",
        "fraud_reasons_list",
        "bank_name",
        "bank_account",
        "requested_ip",
        "user_agent",
        "created_at",
        "processed_by",
        "processed_at",
        "override_reason",
        "failure_reason",
        "payout_reference",
        "processing_since",
        "payout_attempts",
        "last_payout_error",
        "last_payout_attempt_at",
        "next_payout_attempt_at",
        "stuck_alerted_at",
    )
    readonly_fields = fields

    def has_process_permission(self, request) -> bool:
        """Approving and rejecting: staff allowed to change withdrawals (the screens stay read-only)."""
        return request.user.has_perm("wallet.change_withdrawal")

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip().lstrip("#")
        if term.isdigit():
            results |= queryset.filter(pk=int(term))
        return results, may_have_duplicates

    @admin.display(description=gettext_lazy("Flagged"), boolean=True)
    def flagged(self, withdrawal: Withdrawal) -> bool:
        return bool(withdrawal.fraud_flags)

    @admin.display(description=gettext_lazy("Fraud reasons"))
    def fraud_reasons_list(self, withdrawal: Withdrawal) -> str:
        return " ".join(fraud_reasons(withdrawal)) or "-"

    @admin.display(description=gettext_lazy("Bank account"))
    def bank_account(self, withdrawal: Withdrawal) -> str:
        return f"{withdrawal.bank_name} {masked(withdrawal.bank_last4)}"

    @admin.action(
        description=gettext_lazy("Approve selected withdrawals (pay out to the bank)"), permissions=["process"]
    )
    def approve_selected(self, request, queryset: QuerySet[Withdrawal]):
        withdrawals = list(queryset.select_related("user").order_by("pk"))
        needs_override = any(self._held(withdrawal) for withdrawal in withdrawals)
        form = ApproveForm(self._confirmed(request), needs_override=needs_override)
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, withdrawals, form, action="approve_selected")
        reason = form.cleaned_data.get("override_reason", "").strip()
        for withdrawal in withdrawals:
            # The override is recorded only where the fraud checks asked for one.
            override = reason if self._held(withdrawal) else ""
            try:
                result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=request.user, override_reason=override)
            except DomainError as exc:
                self._refused(request, withdrawal, exc)
                continue
            self._report_approval(request, result, override)
        return None

    @admin.action(
        description=gettext_lazy("Reject selected withdrawals (return the money to the player)"),
        permissions=["process"],
    )
    def reject_selected(self, request, queryset: QuerySet[Withdrawal]):
        withdrawals = list(queryset.select_related("user").order_by("pk"))
        form = RejectForm(self._confirmed(request))
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, withdrawals, form, action="reject_selected")
        reason = form.cleaned_data["reason"].strip()
        for withdrawal in withdrawals:
            try:
                result = withdrawal_reject(withdrawal_id=withdrawal.pk, staff=request.user, reason=reason)
            except DomainError as exc:
                self._refused(request, withdrawal, exc)
                continue
            self.log_change(request, result, _("Rejected withdrawal: %(reason)s") % {"reason": reason})
            rejected = _("Withdrawal #%(id)s rejected: %(total)s returned to %(username)s's usable balance.") % {
                "id": result.pk,
                "total": format_money(result.total, style="page"),
                "username": result.user.username,
            }
            self.message_user(request, rejected, messages.SUCCESS)
        return None

    @admin.action(
        description=gettext_lazy("Retry payout now (processing ones; same reference, never paid twice)"),
        permissions=["process"],
    )
    def retry_payout_now(self, request, queryset: QuerySet[Withdrawal]):
        for withdrawal_id in queryset.order_by("pk").values_list("pk", flat=True):
            result = withdrawal_payout_retry(withdrawal_id=withdrawal_id, force=True)
            if result is None:
                not_processing = _("Withdrawal #%(id)s is not processing: nothing to retry.") % {"id": withdrawal_id}
                self.message_user(request, not_processing, messages.ERROR)
                continue
            self.log_change(request, result, _("Retried payout: %(outcome)s.") % {"outcome": self._outcome(result)})
            self._report_payout(request, result)
        return None

    @staticmethod
    def _held(withdrawal: Withdrawal) -> bool:
        return withdrawal.status == Withdrawal.Status.REVIEW or bool(withdrawal.fraud_flags)

    @staticmethod
    def _confirmed(request):
        """The confirmation page's POST, or None while the action was only just chosen."""
        return request.POST if request.POST.get("confirm") == "yes" else None

    def _refused(self, request, withdrawal: Withdrawal, exc: DomainError) -> None:
        refused = _("Withdrawal #%(id)s: %(message)s") % {"id": withdrawal.pk, "message": exc.message}
        self.message_user(request, refused, messages.ERROR)

    def _report_approval(self, request, withdrawal: Withdrawal, override: str) -> None:
        approved = _("Approved withdrawal: %(outcome)s.") % {"outcome": self._outcome(withdrawal)}
        note = " " + _("Override: %(reason)s") % {"reason": override} if override else ""
        self.log_change(request, withdrawal, f"{approved}{note}")
        self._report_payout(request, withdrawal)

    @staticmethod
    def _outcome(withdrawal: Withdrawal) -> str:
        if withdrawal.status == Withdrawal.Status.COMPLETED:
            return _("paid out")
        if withdrawal.status == Withdrawal.Status.PROCESSING:
            return _("bank's answer unknown (%(error)s), retrying") % {"error": withdrawal.last_payout_error}
        return _("payout failed (%(reason)s)") % {"reason": _failure(withdrawal)}

    def _report_payout(self, request, withdrawal: Withdrawal) -> None:
        names = {
            "id": withdrawal.pk,
            "amount": format_money(withdrawal.amount, style="page"),
            "total": format_money(withdrawal.total, style="page"),
            "account": f"{withdrawal.bank_name} {masked(withdrawal.bank_last4)}",
            "error": withdrawal.last_payout_error,
            "reason": _failure(withdrawal),
            "username": withdrawal.user.username,
        }
        if withdrawal.status == Withdrawal.Status.COMPLETED:
            said, level = _("Withdrawal #%(id)s approved: %(amount)s paid out to %(account)s."), messages.SUCCESS
        elif withdrawal.status == Withdrawal.Status.PROCESSING:
            said = _(
                "Withdrawal #%(id)s: the bank's answer is unknown (%(error)s). "
                "%(total)s stays pending and the payout is retried by the same reference."
            )
            level = messages.WARNING
        else:
            said = _(
                "Withdrawal #%(id)s could not be paid out (%(reason)s): %(total)s "
                "returned to %(username)s's usable balance."
            )
            level = messages.WARNING
        self.message_user(request, said % names, level)

    def _confirmation(self, request, withdrawals: list[Withdrawal], form, *, action: str):
        count = len(withdrawals)
        if action == "approve_selected":
            crumb, submit_label = _("Approve withdrawals"), _("Yes, approve")
            title = ngettext("Approve %(count)s withdrawal?", "Approve %(count)s withdrawals?", count)
        else:
            crumb, submit_label = _("Reject withdrawals"), _("Yes, reject")
            title = ngettext("Reject %(count)s withdrawal?", "Reject %(count)s withdrawals?", count)
        context = {
            **self.admin_site.each_context(request),
            "title": title % {"count": count},
            "subtitle": None,
            "opts": self.model._meta,
            "withdrawals": [(withdrawal, fraud_reasons(withdrawal)) for withdrawal in withdrawals],
            "form": form,
            "action": action,
            "crumb": crumb,
            "submit_label": submit_label,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "wallet/admin/withdrawal_confirm.html", context)


@admin.register(CardRefund)
class CardRefundAdmin(ReadOnlyAdmin):
    """Refunds owed to cards: sent and retried on their own until Stripe confirms them. One that
    Stripe refused is `failed` and waits for a person: retry it once the cause is fixed."""

    list_display = ("id", "created_at", "amount", "state", "attempts", "last_error", "payment_intent_id")
    list_filter = ("state",)
    search_fields = ("payment_intent_id", "stripe_refund_id", "idempotency_key")
    ordering = ("-created_at", "-id")
    fields = (
        "payment_intent_id",
        "amount",
        "state",
        "shown_description",
        "idempotency_key",
        "key_generation",
        "stripe_refund_id",
        "attempts",
        "last_error",
        "next_attempt_at",
        "ledger_transaction",
        "metadata",
        "created_at",
        "sent_at",
        "confirmed_at",
    )
    readonly_fields = fields
    actions = ("retry_selected",)

    def has_retry_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_staff

    @admin.display(description=gettext_lazy("Description"))
    def shown_description(self, refund: CardRefund) -> str:
        return refund.get_description_display()

    @admin.action(description=gettext_lazy("Send the selected failed refunds to Stripe again"), permissions=["retry"])
    def retry_selected(self, request, queryset: QuerySet[CardRefund]):
        failed = list(queryset.filter(state=CardRefund.State.FAILED).values_list("pk", flat=True))
        for card_refund_id in failed:
            card_refund_retry(card_refund_id=card_refund_id, staff=request.user)
        skipped = queryset.count() - len(failed)
        sent = ngettext("%(count)d refund sent again", "%(count)d refunds sent again", len(failed)) % {
            "count": len(failed)
        }
        self.message_user(
            request, _("%(sent)s; %(skipped)s not failed, left alone.") % {"sent": sent, "skipped": skipped}
        )
