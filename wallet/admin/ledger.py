"""Staff screens for balances, the ledger, top-ups and Stripe events: read-only, every change
goes through the services (the database would refuse a ledger edit anyway). Bank account
numbers never appear: only the last four digits.
"""

import json

from django.contrib import admin
from django.urls import path
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from driftwood.core.admin import ReadOnlyAdmin, ReadOnlyAdminMixin
from wallet.models import LedgerEntry, LedgerTransaction, StripeEvent, TopUp, Wallet


def masked(last4: str) -> str:
    return f"•••• {last4}" if last4 else "-"


@admin.display(description=_("Description"))
def described(model_admin, row: LedgerEntry | LedgerTransaction) -> str:
    """A ledger row's description in the staff member's language (as stored for older rows)."""
    return row.get_description_display()


@admin.register(Wallet)
class WalletAdmin(ReadOnlyAdmin):
    list_display = (
        "reference",
        "kind",
        "owner",
        "current_balance",
        "usable_balance",
        "pending_balance",
        "bank_account",
        "updated_at",
    )
    list_filter = ("kind", "has_bank_account")
    search_fields = ("reference", "owner__username", "owner__email")
    list_select_related = ("owner",)
    ordering = ("pk",)
    # Listed explicitly so that the encrypted account number can never be added by accident.
    fields = (
        "reference",
        "kind",
        "owner",
        "currency",
        "current_balance",
        "usable_balance",
        "pending_balance",
        "version",
        "has_bank_account",
        "bank_name",
        "bank_account",
        "account_holder_name",
        "bank_account_changed_at",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description=_("Bank account"))
    def bank_account(self, wallet: Wallet) -> str:
        return masked(wallet.bank_last4)

    def get_urls(self):
        from wallet.admin.dashboard import money_dashboard_view

        dashboard = self.admin_site.admin_view(lambda request: money_dashboard_view(self, request))
        return [path("money/", dashboard, name="wallet_money_dashboard"), *super().get_urls()]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "created_at",
        "ledger_transaction",
        "wallet",
        "transaction_type",
        "amount",
        "pending_amount",
        "usable_after",
        "pending_after",
        "shown_description",
    )
    list_filter = ("transaction_type", "wallet__kind")
    search_fields = ("wallet__reference", "wallet__owner__username", "description")
    list_select_related = ("wallet",)
    ordering = ("-created_at", "-id")
    # The ledger only grows; counting all of it on every page is not worth it.
    show_full_result_count = False
    fields = (
        "ledger_transaction",
        "wallet",
        "transaction_type",
        "amount",
        "pending_amount",
        "usable_after",
        "pending_after",
        "description",
        "metadata",
        "created_at",
    )
    readonly_fields = fields

    shown_description = described


class LegInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LedgerEntry
    fields = ("wallet", "amount", "pending_amount", "usable_after", "pending_after")
    readonly_fields = fields
    extra = 0


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    """Each movement with its legs, which always sum to zero."""

    list_display = ("id", "created_at", "transaction_type", "shown_description")
    list_filter = ("transaction_type",)
    search_fields = ("description", "legs__wallet__reference")
    ordering = ("-created_at", "-id")
    show_full_result_count = False
    fields = ("transaction_type", "description", "currency", "metadata", "created_at")
    readonly_fields = fields
    inlines = (LegInline,)

    shown_description = described


@admin.register(TopUp)
class TopUpAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "user",
        "amount",
        "payment_method",
        "status",
        "refunded_amount",
        "payment_intent_id",
        "created_at",
    )
    list_filter = ("status", "payment_method")
    search_fields = ("user__username", "user__email", "payment_intent_id")
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")
    # The client secret lets a browser confirm the payment: staff have no use for it.
    fields = (
        "user",
        "wallet",
        "amount",
        "payment_method",
        "fpx_bank",
        "status",
        "payment_intent_id",
        "refunded_amount",
        "failure_reason",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ("event_id", "event_type", "received_at")
    list_filter = ("event_type",)
    search_fields = ("event_id",)
    ordering = ("-received_at", "-id")
    fields = ("event_id", "event_type", "received_at", "formatted_payload")
    readonly_fields = fields

    @admin.display(description=_("Payload"))
    def formatted_payload(self, event: StripeEvent) -> str:
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, sort_keys=True))
