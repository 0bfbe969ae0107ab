from django.apps import AppConfig


class TournamentsConfig(AppConfig):
    name = "tournaments"

    def ready(self) -> None:
        from tournaments.payments import RegistrationPaymentHandler
        from tournaments.services.registrations import PAYMENT_KIND
        from wallet.services import payment_handlers

        payment_handlers.register(PAYMENT_KIND, RegistrationPaymentHandler())
