"""What players hear about their withdrawals, written in the caller's transaction through `notify`
(which e-mails them too): held for review, paid out, rejected or failed. One per happening, in the
player's own language (`lazy_text`)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from driftwood.core.i18n import lazy_text
from driftwood.core.money import format_money
from driftwood.notifications.services import notify
from wallet.models import Withdrawal

Status = Withdrawal.Status


def _account(withdrawal: Withdrawal) -> str:
    return f"{withdrawal.bank_name} •••• {withdrawal.bank_last4}"


def _tell(withdrawal: Withdrawal, *, kind: str, title: str, body: str) -> None:
    notify(
        users=[withdrawal.user_id],
        kind=kind,
        title=title,
        body=body,
        url=reverse("wallet:home"),
        data={"withdrawal_id": withdrawal.pk, "status": withdrawal.status},
        key=f"{kind}:{withdrawal.pk}",
    )


def withdrawal_held_for_review(withdrawal: Withdrawal) -> None:
    amount, account = format_money(withdrawal.amount, style="page"), _account(withdrawal)
    names = {"amount": amount, "id": withdrawal.pk, "account": account}
    _tell(
        withdrawal,
        kind="withdrawal_review",
        title=lazy_text(lambda: _("Your withdrawal of %(amount)s is being reviewed") % names),
        body=lazy_text(
            lambda: (
                _(
                    "Withdrawal #%(id)s to %(account)s needs a check by our staff before it is paid out, "
                    "usually within one working day. The amount stays on hold meanwhile."
                )
                % names
            )
        ),
    )


def withdrawal_outcome(withdrawal: Withdrawal) -> None:
    """The final outcome: paid out, or rejected/failed with the money back in the usable balance."""
    names = {
        "amount": format_money(withdrawal.amount, style="text"),
        "total": format_money(withdrawal.total, style="text"),
        "fee": format_money(withdrawal.fee, style="text"),
        "id": withdrawal.pk,
        "account": _account(withdrawal),
    }
    if withdrawal.status == Status.COMPLETED:
        _tell(
            withdrawal,
            kind="withdrawal_completed",
            title=lazy_text(lambda: _("Your withdrawal of %(amount)s has been paid out") % names),
            body=lazy_text(
                lambda: (
                    _(
                        "%(amount)s from withdrawal #%(id)s has been sent to %(account)s. A fee of %(fee)s was "
                        "charged. It usually arrives within one working day."
                    )
                    % names
                )
            ),
        )
        return
    # A reason Driftwood wrote (wallet.services.payouts) reads in the player's language; staff's or
    # the bank's as they gave it.
    names["reason"] = lazy_text(lambda: _(withdrawal.failure_reason))
    back = lazy_text(lambda: _("%(total)s (the amount and the fee) is back in your usable balance.") % names)
    if withdrawal.status == Status.REJECTED:
        title = lazy_text(lambda: _("Your withdrawal of %(amount)s was rejected") % names)
        said = lazy_text(lambda: _("Withdrawal #%(id)s to %(account)s was rejected: %(reason)s") % names)
    else:
        title = lazy_text(lambda: _("Your withdrawal of %(amount)s could not be paid out") % names)
        said = lazy_text(lambda: _("Withdrawal #%(id)s to %(account)s could not be paid out: %(reason)s") % names)
    _tell(withdrawal, kind="withdrawal_failed", title=title, body=lazy_text(lambda: f"{said}\n\n{back}"))
