from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TournamentsConfig(AppConfig):
    name = "tournaments"
    verbose_name = _("Tournaments")

    def ready(self) -> None:
        from tournaments.payments import (
            RegistrationPaymentHandler,
            card_entry_fees_captured,
            finished_event_escrow_problems,
        )
        from tournaments.services.entry_payments import PAYMENT_KIND
        from wallet.services import payment_handlers
        from wallet.services.reconcile_hooks import card_income_source_register, reconcile_check_register

        payment_handlers.register(PAYMENT_KIND, RegistrationPaymentHandler())
        card_income_source_register(card_entry_fees_captured)
        reconcile_check_register(finished_event_escrow_problems)
