"""Staff screens for money: the ledger's read-only screens, the withdrawal desk and the money dashboard."""

from wallet.admin import dashboard, ledger, withdrawals  # noqa: F401 (registers the screens)
