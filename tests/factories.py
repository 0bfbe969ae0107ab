import factory

from driftwood.accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"player{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.LazyAttribute(lambda user: user.username.title())
    password = factory.django.Password(TEST_PASSWORD)


def funded_wallet(user, amount: str):
    """The user's wallet with `amount` credited through the service (one `adjustment` row)."""
    from decimal import Decimal

    from wallet.models import LedgerEntry
    from wallet.services.balances import wallet_credit, wallet_get_or_create

    wallet = wallet_get_or_create(user=user)
    wallet_credit(
        wallet=wallet, amount=Decimal(amount), transaction_type=LedgerEntry.Type.ADJUSTMENT, description="Test funds"
    )
    wallet.refresh_from_db()
    return wallet
