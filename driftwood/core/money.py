"""Money: Decimal ringgit with two places, as JSON strings. Never a float."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

CURRENCY = "MYR"
CENTS = Decimal("0.01")
ZERO = Decimal("0.00")
MAX_AMOUNT = Decimal("9999999999.99")  # NUMERIC(12, 2)


def quantize(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENTS, rounding=ROUND_HALF_UP)


MINUS = "\u2212"  # MINUS SIGN reads better than a hyphen next to digits.
MONEY_STYLES = ("wire", "page", "signed", "text", "short")


def format_money(value, style: str = "wire") -> str:
    """The one money formatter. `value` is a Decimal, an int or the API's money string.

    - "wire":   "1234.50", "-5.00": the API's amounts, JSON payloads, the bank, notification data;
    - "page":   "RM 1,234.50", "\u2212RM 5.00": every amount a person reads: pages, messages,
                e-mails, notifications, ledger descriptions, admin;
    - "signed": "+RM 50.00", "\u2212RM 5.00", "RM 0.00": ledger rows, the sign says which way it moved;
    - "text":   the same as "page" (the name older callers use for messages and e-mails);
    - "short":  "RM 10", "RM 5000": only the API contract's fixed withdrawal-limit messages.
    """
    amount = quantize(value if isinstance(value, Decimal) else Decimal(str(value)))
    if style == "wire":
        return f"{amount:f}"
    if style == "short":
        return f"RM {amount:f}".removesuffix(".00")
    grouped = f"RM {abs(amount):,.2f}"
    if style in ("page", "text"):
        return f"{MINUS}{grouped}" if amount < 0 else grouped
    if style == "signed":
        return grouped if amount == 0 else f"{'+' if amount > 0 else MINUS}{grouped}"
    raise ValueError(f"Unknown money style {style!r}; one of {', '.join(MONEY_STYLES)}.")


def money_field(**kwargs) -> models.DecimalField:
    """The one column type for money: NUMERIC(12, 2)."""
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


# The contract's input rule: ASCII digits, at most two decimals; no sign, space, exponent or
# other script's digits. A JSON number must be spelled the same way.
AMOUNT_PATTERN = r"^[0-9]+(\.[0-9]{1,2})?$"
OUTPUT_PATTERN = r"^-?[0-9]+\.[0-9]{2}$"
_AMOUNT = re.compile(AMOUNT_PATTERN)
_TOO_PRECISE = re.compile(r"^[0-9]+\.[0-9]{3,}$")
INPUT_HELP = 'MYR: "10", "10.5", "10.50" or the same digits as a JSON number (no sign, exponent or spaces).'


class JSONNumber(Decimal):
    """A JSON number with a fractional part or exponent, exact, keeping how it was spelled."""

    source: str

    def __new__(cls, text: str):
        number = super().__new__(cls, text)
        number.source = text
        return number


class AmountError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def parse_amount(data) -> Decimal:
    """`AMOUNT_PATTERN`'s digits (a string, an int, or a JSON number) -> Decimal; AmountError else."""
    if isinstance(data, bool):
        raise AmountError("invalid")
    if isinstance(data, JSONNumber):
        text = data.source
    elif isinstance(data, float):
        text = repr(data)  # the shortest exact spelling: 100.5 stays "100.5"
    elif isinstance(data, (int, str, Decimal)):
        text = str(data)  # a Decimal with an exponent prints it ("1E+3"), and is refused
    else:
        raise AmountError("invalid")
    if _TOO_PRECISE.match(text):
        raise AmountError("precision")
    if not _AMOUNT.match(text):
        raise AmountError("invalid")
    amount = Decimal(text)
    if amount > MAX_AMOUNT:
        raise AmountError("too_large")
    return amount


class MoneyField(serializers.Field):
    """Accepts "100.50", "100.5", "100" or the number 100.5; refuses more than two places, signs,
    exponents, spaces, NaN, infinity, non-ASCII digits and (by default) zero."""

    default_error_messages = {
        "invalid": _('Enter an amount such as "100.50": digits with at most two decimals, no sign or exponent.'),
        "precision": _("Use at most two decimal places."),
        "not_positive": _("The amount must be greater than zero."),
        "too_large": _("The amount is too large."),
        "min_value": _("The amount must be at least {limit}."),
        "max_value": _("The amount must be at most {limit}."),
    }

    def __init__(self, *, positive: bool = True, min_value=None, max_value=None, **kwargs):
        self.positive = positive
        self.min_value = Decimal(min_value) if min_value is not None else None
        self.max_value = Decimal(max_value) if max_value is not None else None
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> Decimal:
        try:
            amount = parse_amount(data)
        except AmountError as exc:
            self.fail(exc.code)
        if self.positive and amount <= 0:
            self.fail("not_positive")
        if self.min_value is not None and amount < self.min_value:
            self.fail("min_value", limit=format_money(self.min_value))
        if self.max_value is not None and amount > self.max_value:
            self.fail("max_value", limit=format_money(self.max_value))
        return quantize(amount)

    def to_representation(self, value) -> str:
        return format_money(value)


class MoneyFormField(forms.DecimalField):
    """The page-form counterpart of `MoneyField`: the same strict digits, then DecimalField's bounds."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise ValidationError(
                self.error_messages["max_decimal_places" if exc.code == "precision" else "invalid"],
                code="max_decimal_places" if exc.code == "precision" else "invalid",
                params={"max": self.decimal_places},
            ) from None
