"""Staff screens for money: the ledger's read-only screens and the withdrawal desk."""

from wallet.admin import ledger, withdrawals  # noqa: F401 (registers the screens)
