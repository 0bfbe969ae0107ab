"""Browser forms for the wallet page. They check input; the services enforce the rules again."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from driftwood.core.i18n import lazy_format
from driftwood.core.money import MoneyFormField, format_money
from driftwood.core.text import FormTextField
from wallet.models import LedgerEntry
from wallet.services.payment_methods import FPX_BANK_CHOICES, Method

ACCOUNT_NUMBER_HELP = _("10 to 18 digits. We store it encrypted and only ever show the last 4.")
HOLDER_HELP = _("As printed on your bank statement: letters and spaces only.")
MINIMUM = {"top-up": _("Minimum top-up %(amount)s"), "withdrawal": _("Minimum withdrawal %(amount)s")}
MAXIMUM = {"top-up": _("Maximum top-up %(amount)s"), "withdrawal": _("Maximum withdrawal %(amount)s")}


class AmountField(MoneyFormField):
    """Ringgit with at most two decimal places, typed on a phone's decimal keypad."""

    def __init__(self, *, min_value, max_value, label: str, noun: str, **kwargs):
        super().__init__(
            label=label,
            max_digits=12,
            decimal_places=2,
            min_value=min_value,
            max_value=max_value,
            error_messages={
                "required": _("Enter an amount."),
                "invalid": _('Enter an amount such as "50.00".'),
                "min_value": lazy_format(MINIMUM[noun], amount=format_money(min_value, style="page")),
                "max_value": lazy_format(MAXIMUM[noun], amount=format_money(max_value, style="page")),
                "max_decimal_places": _("Use at most two decimal places."),
            },
            widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "autocomplete": "off"}),
            **kwargs,
        )


class WalletPageForm(forms.Form):
    """The wallet page holds several forms with an `amount` field: ids need a per-form prefix."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class TopUpForm(WalletPageForm):
    """Only rendered: the page's script sends the amount, the method and the FPX bank to the top-up API."""

    id_prefix = "topup"

    amount = AmountField(
        min_value=settings.TOPUP_MIN,
        max_value=settings.TOPUP_MAX,
        label=_("Amount (RM)"),
        noun="top-up",
        help_text=lazy_format(
            _("%(min)s to %(max)s, paid by card, FPX online banking or GrabPay."),
            min=format_money(settings.TOPUP_MIN, style="page"),
            max=format_money(settings.TOPUP_MAX, style="page"),
        ),
    )
    payment_method = forms.ChoiceField(
        label=_("Pay with"),
        choices=Method.choices,
        initial=Method.CARD,
        widget=forms.RadioSelect,
    )
    fpx_bank = forms.ChoiceField(
        label=_("Your bank"),
        required=False,
        choices=[("", _("Choose your bank")), *FPX_BANK_CHOICES],
        help_text=_("You approve the payment in your bank's online banking, then come back here."),
    )


class WithdrawalForm(WalletPageForm):
    id_prefix = "withdrawal"
    amount = AmountField(
        min_value=settings.WITHDRAWAL_MIN,
        max_value=settings.WITHDRAWAL_MAX,
        label=_("Amount to withdraw (RM)"),
        noun="withdrawal",
        help_text=lazy_format(
            _("%(min)s to %(max)s. A %(fee)s fee is added; your usable balance must cover both."),
            min=format_money(settings.WITHDRAWAL_MIN, style="page"),
            max=format_money(settings.WITHDRAWAL_MAX, style="page"),
            fee=format_money(settings.WITHDRAWAL_FEE, style="page"),
        ),
    )


class UnrenderedTextInput(forms.TextInput):
    """A text box that never writes its value back into the page (for the account number)."""

    def format_value(self, value):
        return None


class AccountNumberField(forms.RegexField):
    """Digits only; people copy numbers with spaces or dashes from their banking app."""

    def to_python(self, value):
        return super().to_python(value).replace(" ", "").replace("-", "")


class BankAccountForm(WalletPageForm):
    id_prefix = "bank"
    bank_name = FormTextField(
        label=_("Bank"),
        max_length=255,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": _("e.g. Maybank")}),
    )
    account_number = AccountNumberField(
        label=_("Account number"),
        regex=r"^[0-9]{10,18}$",
        max_length=40,
        help_text=ACCOUNT_NUMBER_HELP,
        error_messages={"invalid": _("Enter 10 to 18 digits."), "required": _("Enter your account number.")},
        widget=UnrenderedTextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    account_holder_name = forms.RegexField(
        label=_("Account holder name"),
        regex=r"^[A-Za-z ]+$",
        max_length=255,
        help_text=HOLDER_HELP,
        error_messages={"invalid": HOLDER_HELP},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class HistoryFilterForm(WalletPageForm):
    id_prefix = "history"
    type = forms.ChoiceField(
        label=_("Type"),
        required=False,
        choices=[("", _("All types")), *LedgerEntry.Type.choices],
    )
    start_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and start > end:
            self.add_error("end_date", _("The end date must not be before the start date."))
        return cleaned
