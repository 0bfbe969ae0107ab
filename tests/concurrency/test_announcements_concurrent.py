"""Eight announcements posted at once for one event, each on its own thread and database connection:
the hourly cap holds exactly (it is counted under the event's row lock), and each one that went out
has its pinned chat message."""

from decimal import Decimal

import pytest

from chat.models import ChatMessage
from driftwood.core.exceptions import RateLimited
from tests.concurrency.helpers import run_in_threads
from tests.factories import EventFactory, players_joined
from tournaments.models import Announcement
from tournaments.services.announcements import PER_HOUR, announcement_post

pytestmark = pytest.mark.django_db(transaction=True)
ATTEMPTS = 8


def test_the_hourly_cap_holds_under_concurrent_posts():
    event = EventFactory(entry_fee=Decimal("0.00"))
    players_joined(event, 2)

    outcomes = run_in_threads(
        ATTEMPTS,
        lambda index: announcement_post(
            event_id=event.pk, actor=event.organizer, title=f"Update {index}", body="Details."
        ),
    )

    sent = [outcome for outcome in outcomes if isinstance(outcome, Announcement)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, RateLimited)]
    assert (len(sent), len(refused)) == (PER_HOUR, ATTEMPTS - PER_HOUR), outcomes
    assert Announcement.objects.filter(event=event).count() == PER_HOUR
    assert set(ChatMessage.objects.filter(pinned=True).values_list("pk", flat=True)) == {
        announcement.chat_message_id for announcement in sent
    }
