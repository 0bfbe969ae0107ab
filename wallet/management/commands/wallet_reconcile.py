from django.core.management.base import BaseCommand, CommandError

from wallet.reconciliation import wallet_reconcile


class Command(BaseCommand):
    help = (
        "Check every wallet against its ledger and all money against Stripe and bank flows; "
        "exits non-zero on any difference."
    )

    def handle(self, *args, **options):
        report = wallet_reconcile()
        self.stdout.write(f"Wallets checked: {report.wallets_checked}")
        self.stdout.write(f"Money held in wallets: {report.held}")
        self.stdout.write(
            f"Stripe in {report.stripe_in} - bank out {report.bank_out} - card refunds {report.card_refunds}"
            f" + adjustments {report.adjustments} = {report.expected}"
        )
        for problem in report.problems:
            self.stderr.write(self.style.ERROR(problem))
        if not report.ok:
            raise CommandError(f"{len(report.problems)} difference(s) found")
        self.stdout.write(self.style.SUCCESS("Reconciled: every balance is explained by the ledger."))
