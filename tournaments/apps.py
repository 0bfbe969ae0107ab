from django.apps import AppConfig


class TournamentsConfig(AppConfig):
    name = "tournaments"

    def ready(self) -> None:
        from tournaments.payments import (
            RegistrationPaymentHandler,
            card_entry_fee_flows,
            finished_event_escrow_problems,
        )
        from tournaments.services.registrations import PAYMENT_KIND
        from wallet.reconciliation import card_flow_source_register, reconcile_check_register
        from wallet.services import payment_handlers

        payment_handlers.register(PAYMENT_KIND, RegistrationPaymentHandler())
        card_flow_source_register(card_entry_fee_flows)
        reconcile_check_register(finished_event_escrow_problems)
