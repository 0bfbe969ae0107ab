"""The balance primitives: each movement is one balanced ledger transaction, one row per wallet,
and balances never go wrong."""

from decimal import Decimal

import pytest
from django.db.models import Sum

from tests.factories import UserFactory, funded_wallet
from wallet.exceptions import InsufficientBalance, InvalidAmount
from wallet.models import LedgerEntry, LedgerTransaction, Wallet
from wallet.services.balances import (
    ADJUSTMENTS,
    BANK_PAYOUTS,
    STRIPE_CLEARING,
    Leg,
    ledger_post,
    platform_wallet_get_or_create,
    system_account,
    wallet_credit,
    wallet_debit,
    wallet_get_or_create,
    wallet_hold,
    wallet_release,
    wallet_transfer,
)

pytestmark = pytest.mark.django_db
Type = LedgerEntry.Type


def balances(wallet: Wallet) -> tuple[Decimal, Decimal, Decimal]:
    wallet.refresh_from_db()
    return wallet.current_balance, wallet.usable_balance, wallet.pending_balance


def ledger_sums(wallet: Wallet) -> tuple[Decimal, Decimal]:
    sums = LedgerEntry.objects.filter(wallet=wallet).aggregate(usable=Sum("amount"), pending=Sum("pending_amount"))
    return sums["usable"] or Decimal(0), sums["pending"] or Decimal(0)


def test_wallet_is_created_once_per_user(user):
    first = wallet_get_or_create(user=user)
    second = wallet_get_or_create(user=user)

    assert first.pk == second.pk
    assert balances(first) == (Decimal("0.00"),) * 3
    assert first.reference == f"user:{user.pk}"


def legs_of(entry: LedgerEntry) -> dict[str, Decimal]:
    return {
        leg.wallet.reference: leg.amount + leg.pending_amount
        for leg in LedgerEntry.objects.filter(ledger_transaction=entry.ledger_transaction_id).select_related("wallet")
    }


def test_credit_and_debit_write_one_row_each_with_balances_after(user):
    wallet = wallet_get_or_create(user=user)
    clearing = system_account(STRIPE_CLEARING)

    credit = wallet_credit(
        wallet=wallet,
        amount=Decimal("100.00"),
        source=clearing,
        transaction_type=Type.TOPUP,
        description="Card",
    )
    debit = wallet_debit(
        wallet=wallet,
        amount=Decimal("30.50"),
        destination=system_account(ADJUSTMENTS),
        transaction_type=Type.ADJUSTMENT,
        description="Correction",
    )

    assert (credit.amount, credit.usable_after) == (Decimal("100.00"), Decimal("100.00"))
    assert (debit.amount, debit.usable_after) == (Decimal("-30.50"), Decimal("69.50"))
    assert balances(wallet) == (Decimal("69.50"), Decimal("69.50"), Decimal("0.00"))
    assert LedgerEntry.objects.filter(wallet=wallet).count() == 2
    # Each is one transaction whose other leg is on the outside-world account.
    assert legs_of(credit) == {wallet.reference: Decimal("100.00"), STRIPE_CLEARING: Decimal("-100.00")}
    assert legs_of(debit) == {wallet.reference: Decimal("-30.50"), ADJUSTMENTS: Decimal("30.50")}


def test_outside_world_accounts_keep_no_balance_on_their_row(user):
    wallet = wallet_get_or_create(user=user)
    clearing = system_account(STRIPE_CLEARING)

    wallet_credit(
        wallet=wallet,
        amount=Decimal("5.00"),
        source=clearing,
        transaction_type=Type.TOPUP,
        description="x",
    )

    assert balances(clearing) == (Decimal("0.00"),) * 3
    leg = LedgerEntry.objects.get(wallet=clearing)
    assert (leg.amount, leg.usable_after, leg.pending_after) == (Decimal("-5.00"), None, None)


def test_a_three_leg_movement_is_one_transaction(user):
    wallet = wallet_get_or_create(user=user)
    fees = platform_wallet_get_or_create(reference="platform:fees")

    posting = ledger_post(
        legs=[
            Leg(system_account(STRIPE_CLEARING), usable=Decimal("-10.00")),
            Leg(fees, usable=Decimal("0.50")),
            Leg(wallet, usable=Decimal("9.50")),
        ],
        transaction_type=Type.TOPUP,
        description="Top-up less a fee",
    )

    assert LedgerTransaction.objects.get().pk == posting.ledger_transaction_id
    assert LedgerEntry.objects.filter(ledger_transaction=posting.ledger_transaction_id).count() == 3
    assert balances(wallet)[1] == Decimal("9.50")
    assert balances(fees)[1] == Decimal("0.50")


@pytest.mark.parametrize(
    "legs",
    [
        [("player", "10.00"), ("clearing", "-9.99")],  # does not sum to zero
        [("player", "10.00")],  # one leg
        [("player", "10.00"), ("player", "-10.00")],  # the same wallet twice
    ],
)
def test_unbalanced_movements_are_refused_before_reaching_the_database(user, legs):
    accounts = {"player": wallet_get_or_create(user=user), "clearing": system_account(STRIPE_CLEARING)}

    with pytest.raises(InvalidAmount):
        ledger_post(
            legs=[Leg(accounts[name], usable=Decimal(amount)) for name, amount in legs],
            transaction_type=Type.ADJUSTMENT,
            description="x",
        )

    assert LedgerTransaction.objects.count() == LedgerEntry.objects.count() == 0


def test_debit_beyond_usable_is_refused_and_changes_nothing(user):
    wallet = funded_wallet(user, "10.00")

    transactions = LedgerTransaction.objects.count()

    with pytest.raises(InsufficientBalance):
        wallet_debit(
            wallet=wallet,
            amount=Decimal("10.01"),
            destination=system_account(ADJUSTMENTS),
            transaction_type=Type.ADJUSTMENT,
            description="Fee",
        )

    assert balances(wallet) == (Decimal("10.00"), Decimal("10.00"), Decimal("0.00"))
    assert LedgerEntry.objects.filter(wallet=wallet).count() == 1
    assert LedgerTransaction.objects.count() == transactions  # no orphan header


def test_hold_release_and_payout_move_money_through_pending(user):
    wallet = funded_wallet(user, "100.00")

    wallet_hold(wallet=wallet, amount=Decimal("41.00"), description="Withdrawal #1")
    assert balances(wallet) == (Decimal("100.00"), Decimal("59.00"), Decimal("41.00"))

    wallet_release(wallet=wallet, amount=Decimal("11.00"), description="Part released")
    assert balances(wallet) == (Decimal("100.00"), Decimal("70.00"), Decimal("30.00"))

    capture, _bank = wallet_transfer(
        source=wallet,
        destination=system_account(BANK_PAYOUTS),
        amount=Decimal("30.00"),
        transaction_type=Type.WITHDRAWAL,
        description="Paid out",
        from_pending=True,
    )
    assert (capture.amount, capture.pending_amount) == (Decimal("0.00"), Decimal("-30.00"))
    assert legs_of(capture) == {wallet.reference: Decimal("-30.00"), BANK_PAYOUTS: Decimal("30.00")}
    assert balances(wallet) == (Decimal("70.00"), Decimal("70.00"), Decimal("0.00"))
    assert ledger_sums(wallet) == (Decimal("70.00"), Decimal("0.00"))


def test_hold_beyond_usable_and_release_beyond_pending_are_refused(user):
    wallet = funded_wallet(user, "20.00")
    wallet_hold(wallet=wallet, amount=Decimal("5.00"), description="Hold")

    with pytest.raises(InsufficientBalance):
        wallet_hold(wallet=wallet, amount=Decimal("15.01"), description="Too much")
    with pytest.raises(InsufficientBalance):
        wallet_release(wallet=wallet, amount=Decimal("5.01"), description="Too much")
    with pytest.raises(InsufficientBalance):
        wallet_transfer(
            source=wallet,
            destination=system_account(BANK_PAYOUTS),
            amount=Decimal("5.01"),
            transaction_type=Type.WITHDRAWAL,
            description="x",
            from_pending=True,
        )

    assert balances(wallet) == (Decimal("20.00"), Decimal("15.00"), Decimal("5.00"))


def test_transfer_moves_money_as_one_transaction_of_two_legs(user):
    player = funded_wallet(user, "50.00")
    escrow = platform_wallet_get_or_create(reference="event:1", kind=Wallet.Kind.ESCROW)

    outgoing, incoming = wallet_transfer(
        source=player, destination=escrow, amount=Decimal("20.00"), transaction_type=Type.ENTRY_FEE, description="Fee"
    )

    assert balances(player) == (Decimal("30.00"), Decimal("30.00"), Decimal("0.00"))
    assert balances(escrow) == (Decimal("20.00"), Decimal("20.00"), Decimal("0.00"))
    assert outgoing.ledger_transaction_id == incoming.ledger_transaction_id
    assert legs_of(outgoing) == {player.reference: Decimal("-20.00"), escrow.reference: Decimal("20.00")}


def test_transfer_from_pending_takes_held_money(user):
    player = funded_wallet(user, "50.00")
    fees = platform_wallet_get_or_create(reference="platform:fees")
    wallet_hold(wallet=player, amount=Decimal("11.00"), description="Withdrawal")

    wallet_transfer(
        source=player,
        destination=fees,
        amount=Decimal("1.00"),
        transaction_type=Type.WITHDRAWAL_FEE,
        description="Fee",
        from_pending=True,
    )

    assert balances(player) == (Decimal("49.00"), Decimal("39.00"), Decimal("10.00"))
    assert balances(fees) == (Decimal("1.00"), Decimal("1.00"), Decimal("0.00"))


def test_transfer_short_of_funds_changes_neither_wallet(user):
    player = funded_wallet(user, "5.00")
    other = wallet_get_or_create(user=UserFactory())

    with pytest.raises(InsufficientBalance):
        wallet_transfer(
            source=player, destination=other, amount=Decimal("5.01"), transaction_type=Type.REFUND, description="x"
        )

    assert balances(player)[0] == Decimal("5.00")
    assert balances(other)[0] == Decimal("0.00")
    assert LedgerEntry.objects.filter(wallet=other).count() == 0
    assert LedgerEntry.objects.filter(wallet=player).count() == 1


def test_transfer_to_the_same_wallet_is_refused(user):
    wallet = funded_wallet(user, "5.00")

    with pytest.raises(InvalidAmount):
        wallet_transfer(
            source=wallet, destination=wallet, amount=Decimal("1.00"), transaction_type=Type.REFUND, description="x"
        )


@pytest.mark.parametrize(
    "amount", [Decimal("0"), Decimal("-1.00"), Decimal("1.001"), Decimal("NaN"), Decimal("Inf"), 5]
)
def test_amounts_must_be_positive_decimals_with_two_places(user, amount):
    wallet = funded_wallet(user, "10.00")

    with pytest.raises(InvalidAmount):
        wallet_credit(
            wallet=wallet,
            amount=amount,
            source=system_account(ADJUSTMENTS),
            transaction_type=Type.ADJUSTMENT,
            description="x",
        )

    assert balances(wallet)[0] == Decimal("10.00")


def test_every_change_bumps_the_version(user):
    wallet = funded_wallet(user, "10.00")
    before = wallet.version

    wallet_hold(wallet=wallet, amount=Decimal("1.00"), description="Hold")
    wallet_release(wallet=wallet, amount=Decimal("1.00"), description="Release")

    wallet.refresh_from_db()
    assert wallet.version == before + 2
