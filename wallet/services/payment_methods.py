"""How money comes in through Stripe: the methods Driftwood offers and Stripe's FPX bank list.

- `card`: the browser confirms the PaymentIntent with Stripe.js (3-D Secure in a frame).
- `fpx` (Malaysian online banking) and `grabpay` (the e-wallet): redirect methods, ringgit
  only. The server creates and confirms the PaymentIntent with the method and a `return_url`;
  Stripe answers `next_action.redirect_to_url.url`, the bank's or GrabPay's page, which sends
  the player back to `return_url` when they approve, decline or cancel. Either way the outcome
  arrives through the signed webhook (`payment_intent.succeeded`, `payment_intent.payment_failed`,
  `payment_intent.canceled`).

This module is the one home of the FPX bank list: the API, the pages and the forms validate
against `FPX_BANKS`.
"""

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from driftwood.core.money import CURRENCY
from wallet.exceptions import InvalidPaymentMethod


class Method(models.TextChoices):
    CARD = "card", _("Card")
    FPX = "fpx", _("FPX online banking")
    GRABPAY = "grabpay", _("GrabPay")


# The player leaves for the bank's or the e-wallet's page and comes back to `return_url`.
REDIRECT_METHODS = frozenset({Method.FPX, Method.GRABPAY})
# Stripe takes FPX and GrabPay in ringgit only (and the wallet holds nothing else).
METHOD_CURRENCIES = {Method.CARD: {CURRENCY}, Method.FPX: {"MYR"}, Method.GRABPAY: {"MYR"}}

# Stripe's FPX banks for personal (B2C) accounts: the `payment_method_data[fpx][bank]` values
# (the stripe SDK's PaymentIntentCreateParamsPaymentMethodDataFpx.bank lists every one;
# tests/wallet/test_payment_methods.py keeps this list inside it). The business-only banks
# (bnp_paribas, citibank, deutsche_bank, maybank2e, pb_enterprise) are left out: players pay
# from their own accounts. Names are the banks' own, as their customers know them.
FPX_BANKS: dict[str, str] = {
    "affin_bank": "Affin Bank",
    "agrobank": "AGRONet",
    "alliance_bank": "Alliance Bank",
    "ambank": "AmBank",
    "bank_islam": "Bank Islam",
    "bank_muamalat": "Bank Muamalat",
    "bank_of_china": "Bank of China",
    "bank_rakyat": "Bank Rakyat",
    "bsn": "BSN",
    "cimb": "CIMB Clicks",
    "hong_leong_bank": "Hong Leong Bank",
    "hsbc": "HSBC Bank",
    "kfh": "KFH",
    "maybank2u": "Maybank2u",
    "mbsb_bank": "MBSB Bank",
    "ocbc": "OCBC Bank",
    "public_bank": "Public Bank",
    "rhb": "RHB Bank",
    "standard_chartered": "Standard Chartered",
    "uob": "UOB Bank",
}
FPX_BANK_CHOICES = sorted(FPX_BANKS.items(), key=lambda item: item[1].lower())


def is_redirect(method: str) -> bool:
    return method in REDIRECT_METHODS


def fpx_bank_name(code: str) -> str:
    return FPX_BANKS.get(code, code)


def paid_with(method: str, fpx_bank: str = "") -> str:
    """ "Paid by card", "Paid with FPX online banking (Maybank2u)", "Paid with GrabPay": one whole
    sentence per method, so that each language words (and capitalises) the method in it."""
    if method == Method.FPX and fpx_bank:
        return gettext("Paid with FPX online banking (%(bank)s)") % {"bank": fpx_bank_name(fpx_bank)}
    if method == Method.FPX:
        return gettext("Paid with FPX online banking")
    if method == Method.GRABPAY:
        return gettext("Paid with GrabPay")
    return gettext("Paid by card")


def payment_method_check(*, payment_method: str, fpx_bank: str) -> None:
    """InvalidPaymentMethod unless `payment_method` is one we offer and `fpx_bank` fits it."""
    if payment_method not in Method.values:
        message = gettext("Choose card, FPX or GrabPay.")
        raise InvalidPaymentMethod(message, errors={"payment_method": [message]})
    if payment_method == Method.FPX and fpx_bank not in FPX_BANKS:
        message = gettext("Choose your bank from the FPX list.") if fpx_bank else gettext("Choose your bank for FPX.")
        raise InvalidPaymentMethod(message, errors={"fpx_bank": [message]})
    if payment_method != Method.FPX and fpx_bank:
        message = gettext("A bank is chosen only for FPX.")
        raise InvalidPaymentMethod(message, errors={"fpx_bank": [message]})
