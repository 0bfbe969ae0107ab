from django.core.management.base import BaseCommand, CommandError

from wallet.reconciliation import wallet_reconcile_and_alert


class Command(BaseCommand):
    help = (
        "Prove the books: the ledger sums to zero, every wallet equals its legs, the outside-world "
        "accounts agree with Stripe and bank records, finished events' escrow is empty. "
        "Exits non-zero (and alerts staff) on any difference."
    )

    def handle(self, *args, **options):
        report = wallet_reconcile_and_alert()
        self.stdout.write(f"Wallets checked: {report.wallets_checked}")
        self.stdout.write(f"Money held in wallets: {report.held}")
        self.stdout.write(f"Ledger total (must be 0): {report.ledger_total}")
        self.stdout.write(
            f"Stripe in {report.stripe_in}, bank out {report.bank_out}, card refunds {report.card_refunds}, "
            f"adjustments {report.adjustments}"
        )
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(str(problem)))
        if not report.ok:
            raise CommandError(f"{len(report.problems)} difference(s) found")
        self.stdout.write(self.style.SUCCESS("Reconciled: every balance is explained by the ledger."))
