"""Staff screens for withdrawals and card refunds. Withdrawals are approved or rejected with
actions that call the same services as the admin API, after a confirmation page; a processing
one (the bank's answer unknown) can be retried at once by the same reference.
"""

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import ngettext

from driftwood.core.admin import ReadOnlyAdmin
from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from driftwood.core.text import FormTextField
from wallet.admin.ledger import masked
from wallet.models import CardRefund, Withdrawal
from wallet.services.card_refunds import card_refund_retry
from wallet.services.payouts import withdrawal_payout_retry
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject


def fraud_reasons(withdrawal: Withdrawal) -> list[str]:
    """The fraud checks' findings in words, whatever shape each flag was stored in."""
    reasons = []
    for flag in withdrawal.fraud_flags or []:
        if isinstance(flag, dict):
            reasons.append(str(flag.get("message") or flag.get("reason") or flag.get("code") or flag))
        else:
            reasons.append(str(flag))
    return reasons


class FlaggedFilter(admin.SimpleListFilter):
    title = "fraud checks"
    parameter_name = "flagged"

    def lookups(self, request, model_admin):
        return [("yes", "Flagged"), ("no", "Not flagged")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(fraud_flags=[])
        if self.value() == "no":
            return queryset.filter(fraud_flags=[])
        return queryset


class PayoutFilter(admin.SimpleListFilter):
    title = "payout"
    parameter_name = "payout"

    def lookups(self, request, model_admin):
        hours = settings.WITHDRAWAL_PROCESSING_ALERT_MINUTES / 60
        return [("unknown", "Outcome unknown (processing)"), ("stuck", f"Processing over {hours:g} h")]

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
        label="Override reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="A selected withdrawal was flagged by the fraud checks: say why paying out is safe. It is recorded.",
    )

    def __init__(self, *args, needs_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not needs_override:
            del self.fields["override_reason"]


class RejectForm(forms.Form):
    reason = FormTextField(
        label="Reason",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to the player and e-mailed to them.",
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
    search_help_text = "Username, e-mail or withdrawal id."
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

    @admin.display(description="Flagged", boolean=True)
    def flagged(self, withdrawal: Withdrawal) -> bool:
        return bool(withdrawal.fraud_flags)

    @admin.display(description="Fraud reasons")
    def fraud_reasons_list(self, withdrawal: Withdrawal) -> str:
        return " ".join(fraud_reasons(withdrawal)) or "-"

    @admin.display(description="Bank account")
    def bank_account(self, withdrawal: Withdrawal) -> str:
        return f"{withdrawal.bank_name} {masked(withdrawal.bank_last4)}"

    @admin.action(description="Approve selected withdrawals (pay out to the bank)", permissions=["process"])
    def approve_selected(self, request, queryset: QuerySet[Withdrawal]):
        withdrawals = list(queryset.select_related("user").order_by("pk"))
        needs_override = any(self._held(withdrawal) for withdrawal in withdrawals)
        form = ApproveForm(self._confirmed(request), needs_override=needs_override)
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, withdrawals, form, action="approve_selected", verb="Approve")
        reason = form.cleaned_data.get("override_reason", "").strip()
        for withdrawal in withdrawals:
            # The override is recorded only where the fraud checks asked for one.
            override = reason if self._held(withdrawal) else ""
            try:
                result = withdrawal_approve(withdrawal_id=withdrawal.pk, staff=request.user, override_reason=override)
            except DomainError as exc:
                self.message_user(request, f"Withdrawal #{withdrawal.pk}: {exc.message}", messages.ERROR)
                continue
            self._report_approval(request, result, override)
        return None

    @admin.action(description="Reject selected withdrawals (return the money to the player)", permissions=["process"])
    def reject_selected(self, request, queryset: QuerySet[Withdrawal]):
        withdrawals = list(queryset.select_related("user").order_by("pk"))
        form = RejectForm(self._confirmed(request))
        if not form.is_bound or not form.is_valid():
            return self._confirmation(request, withdrawals, form, action="reject_selected", verb="Reject")
        reason = form.cleaned_data["reason"].strip()
        for withdrawal in withdrawals:
            try:
                result = withdrawal_reject(withdrawal_id=withdrawal.pk, staff=request.user, reason=reason)
            except DomainError as exc:
                self.message_user(request, f"Withdrawal #{withdrawal.pk}: {exc.message}", messages.ERROR)
                continue
            self.log_change(request, result, f"Rejected withdrawal: {reason}")
            self.message_user(
                request,
                f"Withdrawal #{result.pk} rejected: {format_money(result.total, style='page')} returned to "
                f"{result.user.username}'s usable balance.",
                messages.SUCCESS,
            )
        return None

    @admin.action(
        description="Retry payout now (processing ones; same reference, never paid twice)", permissions=["process"]
    )
    def retry_payout_now(self, request, queryset: QuerySet[Withdrawal]):
        for withdrawal_id in queryset.order_by("pk").values_list("pk", flat=True):
            result = withdrawal_payout_retry(withdrawal_id=withdrawal_id, force=True)
            if result is None:
                self.message_user(
                    request, f"Withdrawal #{withdrawal_id} is not processing: nothing to retry.", messages.ERROR
                )
                continue
            self.log_change(request, result, f"Retried payout: {self._outcome(result)}.")
            self._report_payout(request, result)
        return None

    @staticmethod
    def _held(withdrawal: Withdrawal) -> bool:
        return withdrawal.status == Withdrawal.Status.REVIEW or bool(withdrawal.fraud_flags)

    @staticmethod
    def _confirmed(request):
        """The confirmation page's POST, or None while the action was only just chosen."""
        return request.POST if request.POST.get("confirm") == "yes" else None

    def _report_approval(self, request, withdrawal: Withdrawal, override: str) -> None:
        note = f" Override: {override}" if override else ""
        self.log_change(request, withdrawal, f"Approved withdrawal: {self._outcome(withdrawal)}.{note}")
        self._report_payout(request, withdrawal)

    @staticmethod
    def _outcome(withdrawal: Withdrawal) -> str:
        if withdrawal.status == Withdrawal.Status.COMPLETED:
            return "paid out"
        if withdrawal.status == Withdrawal.Status.PROCESSING:
            return f"bank's answer unknown ({withdrawal.last_payout_error}), retrying"
        return f"payout failed ({withdrawal.failure_reason or withdrawal.get_status_display()})"

    def _report_payout(self, request, withdrawal: Withdrawal) -> None:
        amount, total = format_money(withdrawal.amount, style="page"), format_money(withdrawal.total, style="page")
        if withdrawal.status == Withdrawal.Status.COMPLETED:
            self.message_user(
                request,
                f"Withdrawal #{withdrawal.pk} approved: {amount} paid out to "
                f"{withdrawal.bank_name} {masked(withdrawal.bank_last4)}.",
                messages.SUCCESS,
            )
        elif withdrawal.status == Withdrawal.Status.PROCESSING:
            self.message_user(
                request,
                f"Withdrawal #{withdrawal.pk}: the bank's answer is unknown ({withdrawal.last_payout_error}). "
                f"{total} stays pending and the payout is retried by the same reference.",
                messages.WARNING,
            )
        else:
            reason = withdrawal.failure_reason or withdrawal.get_status_display()
            self.message_user(
                request,
                f"Withdrawal #{withdrawal.pk} could not be paid out ({reason}): {total} "
                f"returned to {withdrawal.user.username}'s usable balance.",
                messages.WARNING,
            )

    def _confirmation(self, request, withdrawals: list[Withdrawal], form, *, action: str, verb: str):
        context = {
            **self.admin_site.each_context(request),
            "title": f"{verb} {len(withdrawals)} withdrawal{'s' if len(withdrawals) != 1 else ''}?",
            "subtitle": None,
            "opts": self.model._meta,
            "withdrawals": [(withdrawal, fraud_reasons(withdrawal)) for withdrawal in withdrawals],
            "form": form,
            "action": action,
            "verb": verb,
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
        "description",
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

    @admin.action(description="Send the selected failed refunds to Stripe again", permissions=["retry"])
    def retry_selected(self, request, queryset: QuerySet[CardRefund]):
        failed = list(queryset.filter(state=CardRefund.State.FAILED).values_list("pk", flat=True))
        for card_refund_id in failed:
            card_refund_retry(card_refund_id=card_refund_id, staff=request.user)
        skipped = queryset.count() - len(failed)
        sent = ngettext("%(count)d refund sent again", "%(count)d refunds sent again", len(failed)) % {
            "count": len(failed)
        }
        self.message_user(request, f"{sent}; {skipped} not failed, left alone.")
