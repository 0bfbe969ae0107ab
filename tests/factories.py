from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from driftwood.accounts.models import User

TEST_PASSWORD = "correct-horse-battery-staple"
ONE_DAY, ONE_WEEK = timedelta(days=1), timedelta(days=7)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"player{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    display_name = factory.LazyAttribute(lambda user: user.username.title())
    password = factory.django.Password(TEST_PASSWORD)
    # Most tests are about something else than confirming the address (sign-ups start unconfirmed).
    email_verified_at = factory.LazyFunction(timezone.now)


def wallet_receive(wallet, amount: str, *, transaction_type: str = "adjustment", description: str = "Test funds"):
    """`amount` arrives in the wallet from the adjustments account (one balanced movement)."""
    from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit

    return wallet_credit(
        wallet=wallet,
        amount=Decimal(amount),
        source=system_account(ADJUSTMENTS),
        transaction_type=transaction_type,
        description=description,
    )


def wallet_spend(wallet, amount: str, *, description: str = "Fee"):
    """`amount` leaves the wallet for the adjustments account, as an entry fee paid elsewhere would."""
    from wallet.services.balances import ADJUSTMENTS, system_account, wallet_debit

    return wallet_debit(
        wallet=wallet,
        amount=Decimal(amount),
        destination=system_account(ADJUSTMENTS),
        transaction_type="entry_fee",
        description=description,
    )


def funded_wallet(user, amount: str):
    """The user's wallet with `amount` credited through the service (one `adjustment` row)."""
    from wallet.services.balances import wallet_get_or_create

    wallet = wallet_get_or_create(user=user)
    wallet_receive(wallet, amount)
    wallet.refresh_from_db()
    return wallet


class GameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tournaments.Game"
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Game {n}")
    slug = factory.LazyAttribute(lambda game: game.name.lower().replace(" ", "-"))


class EventFactory(factory.django.DjangoModelFactory):
    """A solo event with registration open, starting in a week."""

    class Meta:
        model = "tournaments.Event"

    name = factory.Sequence(lambda n: f"Kopitiam Cup {n}")
    slug = factory.Sequence(lambda n: f"kopitiam-cup-{n}")
    game = factory.SubFactory(GameFactory)
    organizer = factory.SubFactory(UserFactory)
    status = "registration_open"
    max_participants = 8
    entry_fee = Decimal("10.00")
    starts_at = factory.LazyFunction(lambda: timezone.now() + ONE_WEEK)
    registration_closes_at = factory.LazyAttribute(lambda event: event.starts_at - ONE_DAY)
    published_at = factory.LazyFunction(timezone.now)


def team_with_members(captain, size: int):
    """A team captained by `captain` with `size` members in all."""
    from tournaments.services.teams import team_create, team_member_add

    team = team_create(captain=captain, name=f"Team {captain.username}")
    for _ in range(size - 1):
        team_member_add(team_id=team.pk, user=UserFactory())
    return team


def players_joined(event, count: int) -> list:
    """`count` new players registered for a solo event, each paying the fee from a wallet funded for it."""
    from tournaments.services.registrations import registration_join

    players = []
    for _ in range(count):
        player = UserFactory()
        if event.entry_fee:
            funded_wallet(player, str(event.entry_fee))
        registration_join(event_id=event.pk, user=player, payment_method="wallet")
        players.append(player)
    return players
