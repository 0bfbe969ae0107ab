"""Money: Decimal ringgit with two places, as JSON strings. Never a float."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

CURRENCY = "MYR"
CENTS = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12, 2)


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


def format_money(value: Decimal) -> str:
    return f"{quantize(value):f}"


def money_field(**kwargs) -> models.DecimalField:
    """The one column type for money: NUMERIC(12, 2)."""
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


@extend_schema_field(
    {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "100.50", "description": "MYR, two decimals"}
)
class MoneyField(serializers.Field):
    """Accepts "100.50" or 100.5; refuses >2 places, NaN, infinity and (by default) <= 0."""

    default_error_messages = {
        "invalid": 'Enter an amount such as "100.50".',
        "not_finite": "Enter a finite amount.",
        "precision": "Use at most two decimal places.",
        "not_positive": "The amount must be greater than zero.",
        "negative": "The amount cannot be negative.",
        "too_large": "The amount is too large.",
        "min_value": "The amount must be at least {limit}.",
        "max_value": "The amount must be at most {limit}.",
    }

    def __init__(self, *, positive: bool = True, min_value=None, max_value=None, **kwargs):
        self.positive = positive
        self.min_value = Decimal(min_value) if min_value is not None else None
        self.max_value = Decimal(max_value) if max_value is not None else None
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, (str, int, float, Decimal)):
            self.fail("invalid")
        try:
            # repr() of a float is its shortest exact spelling, so 100.5 stays 100.5.
            amount = Decimal(repr(data)) if isinstance(data, float) else Decimal(str(data).strip())
        except InvalidOperation:
            self.fail("invalid")
        if not amount.is_finite():
            self.fail("not_finite")
        if abs(amount) > MAX_AMOUNT:
            self.fail("too_large")
        if amount != amount.quantize(CENTS, rounding=ROUND_HALF_UP):
            self.fail("precision")
        if self.positive and amount <= 0:
            self.fail("not_positive")
        if amount < 0:
            self.fail("negative")
        if self.min_value is not None and amount < self.min_value:
            self.fail("min_value", limit=format_money(self.min_value))
        if self.max_value is not None and amount > self.max_value:
            self.fail("max_value", limit=format_money(self.max_value))
        return quantize(amount)

    def to_representation(self, value) -> str:
        return format_money(value)
