"""The confirmation e-mail gives the start in Malaysia time, as the pages do."""

from decimal import Decimal

import pytest
from django.core import mail

from driftwood.core.times import malaysia_time
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.usefixtures("commit_hooks_run", "eager_mail")


def test_the_confirmation_gives_the_start_in_malaysia_time(db):
    event = EventFactory(entry_fee=Decimal("5.00"))
    player = UserFactory()
    funded_wallet(player, "5.00")

    registration_join(event_id=event.pk, user=player, payment_method="wallet")

    (message,) = [message for message in mail.outbox if message.to == [player.email]]
    assert f"It starts {malaysia_time(event.starts_at)}." in message.body
    assert "UTC" not in message.body
