"""What players hear about their withdrawals, written in the caller's transaction through `notify`
(which e-mails them too): held for review, paid out, rejected or failed. One per happening."""

from django.urls import reverse

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
    amount = format_money(withdrawal.amount, style="text")
    _tell(
        withdrawal,
        kind="withdrawal_review",
        title=f"Your withdrawal of {amount} is being reviewed",
        body=(
            f"Withdrawal #{withdrawal.pk} to {_account(withdrawal)} needs a check by our staff before it is paid out, "
            "usually within one working day. The amount stays on hold meanwhile."
        ),
    )


def withdrawal_outcome(withdrawal: Withdrawal) -> None:
    """The final outcome: paid out, or rejected/failed with the money back in the usable balance."""
    amount, total = format_money(withdrawal.amount, style="text"), format_money(withdrawal.total, style="text")
    if withdrawal.status == Status.COMPLETED:
        _tell(
            withdrawal,
            kind="withdrawal_completed",
            title=f"Your withdrawal of {amount} has been paid out",
            body=(
                f"{amount} from withdrawal #{withdrawal.pk} has been sent to {_account(withdrawal)}. "
                f"A fee of {format_money(withdrawal.fee, style='text')} was charged. "
                "It usually arrives within one working day."
            ),
        )
        return
    verb = "was rejected" if withdrawal.status == Status.REJECTED else "could not be paid out"
    _tell(
        withdrawal,
        kind="withdrawal_failed",
        title=f"Your withdrawal of {amount} {verb}",
        body=(
            f"Withdrawal #{withdrawal.pk} to {_account(withdrawal)} {verb}: {withdrawal.failure_reason}\n\n"
            f"{total} (the amount and the fee) is back in your usable balance."
        ),
    )
