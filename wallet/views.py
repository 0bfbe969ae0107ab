"""The wallet page (session auth). Forms validate, services write, views only connect them.

Top-ups run in the browser: the page's script calls the top-up API. A card is confirmed with
Stripe.js, then the page polls `GET /api/v1/wallet` until the webhook has credited the wallet
(static/js/wallet.js). FPX and GrabPay send the player to their bank's or GrabPay's page, which
sends them back to the top-up's return page; it polls `GET /api/v1/wallet/topups/<id>` until the
webhook has settled it (static/js/topup-return.js).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_POST

from driftwood.core.exceptions import DomainError
from driftwood.core.money import format_money
from driftwood.core.network import client_ip
from driftwood.core.paging import paginate
from driftwood.core.throttles import page_budget_spent
from wallet import selectors
from wallet.forms import BankAccountForm, HistoryFilterForm, TopUpForm, WithdrawalForm
from wallet.models import TopUp
from wallet.services.bank_accounts import bank_account_set
from wallet.services.payment_methods import paid_with
from wallet.services.withdrawals import withdrawal_request

HISTORY_PAGE_SIZE = 20
RECENT_WITHDRAWALS = 10


def _history(request) -> dict:
    """One page of the filtered ledger; one row beyond it tells whether another page exists."""
    filters = HistoryFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    entries = selectors.ledger_entries(
        user=request.user,
        transaction_type=data.get("type") or None,
        start_date=data.get("start_date"),
        end_date=data.get("end_date"),
    )
    page = paginate(request, entries, HISTORY_PAGE_SIZE)
    return {
        "filter_form": filters,
        "filtered": bool(data.get("type") or data.get("start_date") or data.get("end_date")),
        "entries": page.items,
        "page": page,
    }


def _render_wallet(request, *, bank_form=None, withdrawal_form=None, status: int = 200):
    context = {
        "summary": selectors.wallet_summary(user=request.user),
        "topup_form": TopUpForm(),
        "bank_form": bank_form or BankAccountForm(),
        "withdrawal_form": withdrawal_form or WithdrawalForm(),
        "withdrawals": selectors.withdrawals_of(user=request.user)[:RECENT_WITHDRAWALS],
        "rules": {"min": settings.WITHDRAWAL_MIN, "max": settings.WITHDRAWAL_MAX, "fee": settings.WITHDRAWAL_FEE},
        "wallet_api_url": reverse("wallet-detail"),
        "topups_url": reverse("wallet-topups"),
        "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        **_history(request),
    }
    return render(request, "wallet/wallet.html", context, status=status)


@login_required
@never_cache
@require_GET
def home(request):
    return _render_wallet(request)


@login_required
@never_cache
@require_GET
def topup_return(request, topup_id: int):
    """Where the bank's or GrabPay's page sends the player back (Stripe adds `payment_intent`,
    `payment_intent_client_secret` and `redirect_status`, which are only hints: the top-up row,
    settled by the webhook, is what the page shows)."""
    topup = selectors.topup_of(user=request.user, topup_id=topup_id)
    if topup is None:
        raise Http404
    context = {
        "topup": topup,
        "pending": topup.status == TopUp.Status.PENDING,
        "paid": topup.status == TopUp.Status.SUCCEEDED,
        # Only a payment that did not go through is worth trying again (not a refunded one).
        "can_retry": topup.status in (TopUp.Status.FAILED, TopUp.Status.CANCELLED),
        "message": selectors.topup_status_message(topup),
        "paid_with": paid_with(topup.payment_method, topup.fpx_bank),
        "summary": selectors.wallet_summary(user=request.user),
        "topup_api_url": reverse("wallet-topup-detail", args=[topup.pk]),
    }
    return render(request, "wallet/topup_return.html", context)


@sensitive_post_parameters("account_number")
@login_required
@never_cache
@require_POST
def bank_account(request):
    form = BankAccountForm(request.POST)
    if not form.is_valid():
        return _render_wallet(request, bank_form=form)
    data = form.cleaned_data
    try:
        bank_account_set(
            user=request.user,
            bank_name=data["bank_name"],
            account_number=data["account_number"],
            account_holder_name=data["account_holder_name"],
        )
    except DomainError as exc:
        for field, errors in (exc.errors or {None: [exc.message]}).items():
            form.add_error(field if field in form.fields else None, errors)
        return _render_wallet(request, bank_form=form)
    messages.success(
        request,
        _("Bank account %(bank_name)s •••• %(account_number)s linked.")
        % {"bank_name": data["bank_name"], "account_number": data["account_number"][-4:]},
    )
    return redirect("wallet:home")


@login_required
@never_cache
@require_POST
def withdraw(request):
    form = WithdrawalForm(request.POST)
    # The same per-user budget as the money-moving API endpoints.
    spent = page_budget_spent(request, "money")
    if spent:
        form.add_error(None, _("Too many requests. Try again in a minute."))
        response = _render_wallet(request, withdrawal_form=form, status=429)
        response["Retry-After"] = str(spent.retry_after)
        return response
    if not form.is_valid():
        return _render_wallet(request, withdrawal_form=form)
    try:
        withdrawal = withdrawal_request(
            user=request.user,
            amount=form.cleaned_data["amount"],
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("wallet:home")
    amount, total = format_money(withdrawal.amount, style="page"), format_money(withdrawal.total, style="page")
    if withdrawal.status == withdrawal.Status.REVIEW:
        messages.warning(
            request,
            _("Withdrawal of %(amount)s requested. It needs a manual review; %(total)s is on hold until then.")
            % {"amount": amount, "total": total},
        )
    else:
        messages.success(
            request,
            _("Withdrawal of %(amount)s requested. %(total)s is on hold until it is paid out.")
            % {"amount": amount, "total": total},
        )
    return redirect("wallet:home")
