"""/api/v1/ routes of the wallet ("Wallet and payments" in the contract)."""

from driftwood.core.urls import api_path
from wallet.api import bank_accounts as bank_account_views
from wallet.api import topups as topup_views
from wallet.api import wallet as wallet_views
from wallet.api import withdrawals as withdrawal_views

urlpatterns = [
    *api_path("wallet", wallet_views.WalletDetailApi.as_view(), name="wallet-detail"),
    *api_path("wallet/transactions", wallet_views.TransactionListApi.as_view(), name="wallet-transactions"),
    *api_path("wallet/topups", topup_views.TopUpCreateApi.as_view(), name="wallet-topups"),
    *api_path("wallet/topups/<int:topup_id>", topup_views.TopUpDetailApi.as_view(), name="wallet-topup-detail"),
    *api_path("payments/stripe/webhook", topup_views.StripeWebhookApi.as_view(), name="stripe-webhook"),
    *api_path("wallet/bank-account", bank_account_views.BankAccountSetApi.as_view(), name="wallet-bank-account"),
    *api_path("wallet/withdrawal", withdrawal_views.WithdrawalRequestApi.as_view(), name="wallet-withdrawal"),
    *api_path("admin/withdrawals", withdrawal_views.WithdrawalStaffListApi.as_view(), name="admin-withdrawals"),
    *api_path(
        "admin/withdrawals/<int:withdrawal_id>/approve",
        withdrawal_views.WithdrawalApproveApi.as_view(),
        name="admin-withdrawal-approve",
    ),
    *api_path(
        "admin/withdrawals/<int:withdrawal_id>/reject",
        withdrawal_views.WithdrawalRejectApi.as_view(),
        name="admin-withdrawal-reject",
    ),
]
