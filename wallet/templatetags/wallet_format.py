"""Ringgit for people: `{{ amount|ringgit }}` -> "RM 1,234.50", `|signed_ringgit` -> "+RM 50.00"."""

from decimal import Decimal

from django import template

from driftwood.core.money import quantize

register = template.Library()
MINUS = "\u2212"  # MINUS SIGN reads better than a hyphen next to digits.


def _grouped(amount: Decimal) -> str:
    return f"{quantize(abs(amount)):,.2f}"


@register.filter
def ringgit(value) -> str:
    """Accepts a Decimal or the API's money string."""
    amount = Decimal(str(value))
    return f"{MINUS}RM {_grouped(amount)}" if amount < 0 else f"RM {_grouped(amount)}"


@register.filter
def signed_ringgit(value) -> str:
    """Ledger amounts: the sign says which way the money moved."""
    amount = Decimal(str(value))
    if amount == 0:
        return "RM 0.00"
    return f"{'+' if amount > 0 else MINUS}RM {_grouped(amount)}"
