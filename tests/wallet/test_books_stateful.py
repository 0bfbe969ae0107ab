"""Hypothesis plays players, organizers, Stripe and the bank in random order through the real
services; after every step the books balance and agree with the outside world.

Steps: card top-ups (Stripe's signed webhook), card refunds of top-ups, events published with a
prize pool, joins by wallet or card, leaves, cancellations with a penalty, finished events paid
out after the dispute window, and withdrawals approved (fake bank) or rejected. After each step:
every deferred ledger check fires (as at commit), and `wallet_reconcile` is clean: the ledger
sums to zero per transaction and in total, every wallet equals its legs, Stripe clearing, card
refunds and bank payouts equal their records, and every finished event's escrow is empty.
"""

import contextlib
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from driftwood.core.exceptions import DomainError
from tests.factories import EventFactory, UserFactory, funded_wallet
from tests.tournaments.test_results_payout import finish
from tests.wallet.bank_support import ready_to_withdraw
from tests.wallet.stripe_support import charge, event, payment_intent, sign
from tournaments.models import Event, ParticipantPayment, Registration
from tournaments.services.card_entries import card_payment_succeeded
from tournaments.services.events import event_cancel, event_publish
from tournaments.services.registrations import registration_join, registration_leave
from tournaments.services.results import results_process_due
from wallet.models import TopUp, Wallet
from wallet.reconciliation import wallet_reconcile
from wallet.services.topups import stripe_event_process, topup_create
from wallet.services.withdrawals import withdrawal_approve, withdrawal_reject, withdrawal_request

PLAYERS = 4
money = st.integers(min_value=1, max_value=150).map(lambda ringgit: Decimal(ringgit).quantize(Decimal("0.01")))


def webhook(event_type: str, obj: dict) -> None:
    body = event(event_type, obj)
    stripe_event_process(payload=body, signature=sign(body))


class Books(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.players = [UserFactory() for _ in range(PLAYERS)]
        for player in self.players:
            ready_to_withdraw(player, "50.00")
        self.staff = UserFactory(is_staff=True)
        self.events: list[Event] = []
        self.topups: list[int] = []  # this run's own: other runs' rows stay in the same test database

    def usable(self, player) -> Decimal:
        return Wallet.objects.get(owner=player).usable_balance

    @rule(who=st.integers(0, PLAYERS - 1), amount=money)
    def top_up_by_card(self, who, amount):
        topup = topup_create(user=self.players[who], amount=amount)
        TopUp.objects.filter(pk=topup.pk).update(payment_intent_id=f"pi_topup_{topup.pk}")
        topup.refresh_from_db()
        webhook("payment_intent.succeeded", payment_intent(topup))
        self.topups.append(topup.pk)

    @rule(data=st.data())
    def stripe_refunds_part_of_a_top_up(self, data):
        if not self.topups:
            return
        topup = TopUp.objects.select_related("wallet").get(pk=data.draw(st.sampled_from(self.topups)))
        room = min(topup.amount - topup.refunded_amount, topup.wallet.usable_balance)
        if room <= 0:
            return  # a refund the wallet cannot cover is a real loss for staff, not a bookkeeping step
        part = data.draw(st.integers(1, int(room * 100))) / Decimal(100)
        webhook("charge.refunded", charge(topup, amount_refunded=str(topup.refunded_amount + part)))

    @rule(fee=st.sampled_from(["0.00", "5.00", "12.50"]), pool=st.sampled_from(["0.00", "30.00", "100.00"]))
    def organizer_publishes_an_event(self, fee, pool):
        organizer = UserFactory()
        if Decimal(pool):
            funded_wallet(organizer, pool)
        starts_at = timezone.now() + timedelta(hours=2)
        draft = EventFactory(
            status=Event.Status.DRAFT,
            published_at=None,
            organizer=organizer,
            entry_fee=Decimal(fee),
            prize_pool=Decimal(pool),
            prize_distribution=[70, 30],
            max_participants=3,
            starts_at=starts_at,
            registration_closes_at=starts_at - timedelta(hours=1),
        )
        event_publish(event_id=draft.pk, actor=organizer)
        self.events.append(draft)

    @precondition(lambda self: self.events)
    @rule(data=st.data(), who=st.integers(0, PLAYERS - 1), by_card=st.booleans())
    def player_joins(self, data, who, by_card):
        draft = data.draw(st.sampled_from(self.events))
        try:
            result = registration_join(
                event_id=draft.pk, user=self.players[who], payment_method="stripe" if by_card else "wallet"
            )
        except DomainError:
            return
        if result.payment is not None and by_card:
            # Stripe.js paid the intent opened after commit; Stripe's webhook reports it.
            intent_id = f"pi_join_{result.payment.pk}"
            ParticipantPayment.objects.filter(pk=result.payment.pk).update(payment_intent_id=intent_id)
            with transaction.atomic():
                card_payment_succeeded(payment_intent_id=intent_id, amount_sen=int(draft.entry_fee * 100))

    @precondition(lambda self: self.events)
    @rule(data=st.data(), who=st.integers(0, PLAYERS - 1))
    def player_leaves(self, data, who):
        with contextlib.suppress(DomainError):
            registration_leave(event_id=data.draw(st.sampled_from(self.events)).pk, user=self.players[who])

    @precondition(lambda self: self.events)
    @rule(data=st.data(), penalty=st.sampled_from([Decimal(0), Decimal(20), Decimal(100)]))
    def organizer_cancels(self, data, penalty):
        draft = data.draw(st.sampled_from(self.events))
        with contextlib.suppress(DomainError):
            event_cancel(event_id=draft.pk, actor=draft.organizer, penalty_percent=penalty)

    @precondition(lambda self: self.events)
    @rule(data=st.data())
    def event_finishes_and_pays_out(self, data):
        draft = Event.objects.get(pk=data.draw(st.sampled_from(self.events)).pk)
        confirmed = Registration.objects.filter(event=draft, status=Registration.Status.CONFIRMED).count()
        if draft.status != Event.Status.REGISTRATION_OPEN or confirmed < 2:
            return
        finish(draft, list(range(1, confirmed + 1)))
        assert results_process_due() >= 1

    @rule(who=st.integers(0, PLAYERS - 1), amount=st.integers(10, 60), approve=st.booleans())
    def player_withdraws(self, who, amount, approve):
        try:
            withdrawal = withdrawal_request(
                user=self.players[who], amount=Decimal(amount), ip="203.0.113.9", user_agent="hypothesis"
            )
        except DomainError:
            return
        if approve:
            withdrawal_approve(withdrawal_id=withdrawal.pk, staff=self.staff, override_reason="stateful test")
        else:
            withdrawal_reject(withdrawal_id=withdrawal.pk, staff=self.staff, reason="stateful test")

    @invariant()
    def the_books_balance_and_agree_with_the_outside_world(self):
        with connection.cursor() as cursor:
            # What every commit would check; then back to checking at the (test's) end.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        report = wallet_reconcile()
        assert report.ok, report.problems
        assert report.ledger_total == 0


@pytest.mark.django_db
def test_random_money_flows_keep_the_books_balanced(fake_bank):
    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    # and the bank paid exactly what the books say left for it
    paid = sum((Decimal(payout["amount"]) for payout in fake_bank.payouts()), Decimal("0.00"))
    assert paid == wallet_reconcile().bank_out
