"""Card entry fees reach the tournaments app through the wallet's one Stripe webhook."""

from tournaments.services import registrations
from wallet.services.payment_handlers import PaymentHandler


class RegistrationPaymentHandler(PaymentHandler):
    def payment_succeeded(self, *, payment_intent: dict, event) -> None:
        registrations.card_payment_succeeded(payment_intent_id=payment_intent["id"])

    def payment_failed(self, *, payment_intent: dict, event) -> None:
        registrations.card_payment_failed(payment_intent_id=payment_intent["id"])
