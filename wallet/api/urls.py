"""/api/v1/ routes of the wallet ("Wallet and payments" in the contract)."""

from driftwood.core.urls import api_path
from wallet.api import topups as topup_views
from wallet.api import wallet as wallet_views

urlpatterns = [
    *api_path("wallet", wallet_views.WalletDetailApi.as_view(), name="wallet-detail"),
    *api_path("wallet/transactions", wallet_views.TransactionListApi.as_view(), name="wallet-transactions"),
    *api_path("wallet/topups", topup_views.TopUpCreateApi.as_view(), name="wallet-topups"),
    *api_path("payments/stripe/webhook", topup_views.StripeWebhookApi.as_view(), name="stripe-webhook"),
]
