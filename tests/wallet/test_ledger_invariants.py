"""Hypothesis drives random sequences of every primitive; after each step the invariants hold."""

from decimal import Decimal

import pytest
from django.db.models import OuterRef, Subquery, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from tests.factories import UserFactory
from wallet.exceptions import InsufficientBalance
from wallet.models import LedgerEntry, Wallet
from wallet.services import balances

Type = LedgerEntry.Type
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("500.00"), places=2)


class WalletMachine(RuleBasedStateMachine):
    """Two players and an escrow; a Python model of what each balance must be."""

    def __init__(self):
        super().__init__()
        self.wallets = [
            balances.wallet_get_or_create(user=UserFactory()),
            balances.wallet_get_or_create(user=UserFactory()),
            Wallet.objects.create(kind=Wallet.Kind.ESCROW, reference=f"event:test-{UserFactory().pk}"),
        ]
        self.model = {wallet.pk: [Decimal("0.00"), Decimal("0.00")] for wallet in self.wallets}
        self.clearing = balances.system_account(balances.STRIPE_CLEARING)
        self.bank = balances.system_account(balances.BANK_PAYOUTS)

    def _apply(self, operation, expected: dict[int, tuple[Decimal, Decimal]], **kwargs) -> None:
        """Run a primitive; the model changes only if the real one succeeded, and they must agree."""
        would_fail = any(self.model[pk][0] + du < 0 or self.model[pk][1] + dp < 0 for pk, (du, dp) in expected.items())
        try:
            operation(**kwargs)
        except InsufficientBalance:
            assert would_fail, "refused a change the balances allowed"
            return
        assert not would_fail, "allowed a change that overdraws"
        for pk, (du, dp) in expected.items():
            self.model[pk][0] += du
            self.model[pk][1] += dp

    @rule(index=st.integers(0, 2), amount=amounts)
    def credit(self, index, amount):
        wallet = self.wallets[index]
        self._apply(
            balances.wallet_credit,
            {wallet.pk: (amount, 0)},
            wallet=wallet,
            amount=amount,
            source=self.clearing,
            transaction_type=Type.TOPUP,
            description="credit",
        )

    @rule(index=st.integers(0, 2), amount=amounts)
    def debit(self, index, amount):
        wallet = self.wallets[index]
        self._apply(
            balances.wallet_debit,
            {wallet.pk: (-amount, 0)},
            wallet=wallet,
            amount=amount,
            destination=self.clearing,
            transaction_type=Type.ENTRY_FEE,
            description="debit",
        )

    @rule(index=st.integers(0, 2), amount=amounts)
    def hold(self, index, amount):
        wallet = self.wallets[index]
        self._apply(balances.wallet_hold, {wallet.pk: (-amount, amount)}, wallet=wallet, amount=amount, description="h")

    @rule(index=st.integers(0, 2), amount=amounts)
    def release(self, index, amount):
        wallet = self.wallets[index]
        self._apply(
            balances.wallet_release, {wallet.pk: (amount, -amount)}, wallet=wallet, amount=amount, description="r"
        )

    @rule(index=st.integers(0, 2), amount=amounts)
    def capture(self, index, amount):
        wallet = self.wallets[index]
        self._apply(
            balances.wallet_transfer,
            {wallet.pk: (0, -amount)},
            source=wallet,
            destination=self.bank,
            amount=amount,
            transaction_type=Type.WITHDRAWAL,
            description="c",
            from_pending=True,
        )

    @rule(source=st.integers(0, 2), offset=st.integers(1, 2), amount=amounts, from_pending=st.booleans())
    def transfer(self, source, offset, amount, from_pending):
        src, dst = self.wallets[source], self.wallets[(source + offset) % 3]
        out = (0, -amount) if from_pending else (-amount, 0)
        self._apply(
            balances.wallet_transfer,
            {src.pk: out, dst.pk: (amount, 0)},
            source=src,
            destination=dst,
            amount=amount,
            transaction_type=Type.REFUND,
            description="t",
            from_pending=from_pending,
        )

    @invariant()
    def every_transaction_and_the_whole_ledger_sum_to_zero(self):
        assert (
            not LedgerEntry.objects.values("ledger_transaction")
            .annotate(total=Sum("amount") + Sum("pending_amount"))
            .exclude(total=0)
            .exists()
        )
        totals = LedgerEntry.objects.aggregate(usable=Sum("amount"), pending=Sum("pending_amount"))
        assert (totals["usable"] or 0) + (totals["pending"] or 0) == 0

    @invariant()
    def balances_match_the_model_and_the_ledger(self):
        # One query for the three wallets: each with its own ledger's sums and its last row.
        legs = LedgerEntry.objects.filter(wallet=OuterRef("pk"))
        last = legs.order_by("-id")
        wallets = Wallet.objects.filter(pk__in=self.model).annotate(
            ledger_usable=Subquery(legs.order_by().values("wallet").annotate(s=Sum("amount")).values("s")),
            ledger_pending=Subquery(legs.order_by().values("wallet").annotate(s=Sum("pending_amount")).values("s")),
            last_id=Subquery(last.values("id")[:1]),
            last_usable_after=Subquery(last.values("usable_after")[:1]),
            last_pending_after=Subquery(last.values("pending_after")[:1]),
        )
        for wallet in wallets:
            usable, pending = self.model[wallet.pk]
            assert (wallet.usable_balance, wallet.pending_balance) == (usable, pending)
            assert wallet.current_balance == usable + pending
            assert usable >= 0 and pending >= 0
            assert (wallet.ledger_usable or 0, wallet.ledger_pending or 0) == (usable, pending)
            if wallet.last_id is not None:
                assert (wallet.last_usable_after, wallet.last_pending_after) == (usable, pending)


@pytest.mark.django_db
def test_random_sequences_of_money_movements_keep_every_invariant():
    run_state_machine_as_test(
        WalletMachine,
        settings=settings(
            max_examples=40,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
