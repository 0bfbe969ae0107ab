"""`manage.py seed_demo` builds a usable demo through the services, and re-running it changes nothing."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from driftwood.accounts.models import User
from tournaments.models import Event, Game, ParticipantPayment, Registration, Team, TeamMember
from wallet.models import LedgerEntry, Wallet
from wallet.reconciliation import wallet_reconcile

pytestmark = pytest.mark.django_db


def snapshot() -> dict:
    return {
        "users": User.objects.count(),
        "games": Game.objects.count(),
        "teams": Team.objects.count(),
        "members": TeamMember.objects.count(),
        "events": sorted(Event.objects.values_list("name", "status")),
        "registrations": Registration.objects.count(),
        "payments": ParticipantPayment.objects.count(),
        "ledger": LedgerEntry.objects.count(),
        "balances": sorted(Wallet.objects.values_list("reference", "current_balance")),
    }


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_creates_games_funds_teams_and_events_through_the_services():
    output = seed()

    assert Game.objects.filter(name__in=["Mobile Legends: Bang Bang", "Valorant", "Tekken 8"]).count() == 3
    # one adjustment per player, each from the adjustments account: nothing credited out of thin air
    adjustments = LedgerEntry.objects.filter(transaction_type=LedgerEntry.Type.ADJUSTMENT, wallet__kind="player")
    assert adjustments.count() == 6
    assert (
        LedgerEntry.objects.filter(transaction_type="adjustment", wallet__reference="platform:adjustments").count() == 6
    )
    statuses = dict(Event.objects.values_list("name", "status"))
    assert statuses["Dota 2 Community League"] == Event.Status.DRAFT
    assert statuses["Valorant Aim Duel"] == Event.Status.REGISTRATION_OPEN
    assert Event.objects.get(name="Tekken 8 Friday Night Brawl").entry_fee == Decimal("0.00")
    team_entry = Registration.objects.get(event__name="PUBG Mobile Duo Rumble")
    assert (team_entry.team.name, team_entry.status) == ("Harimau Esports", Registration.Status.CONFIRMED)
    assert Registration.objects.filter(event__name="Valorant Aim Duel", status="confirmed").count() == 3
    # the organizer's prize pools (300 + 500 + 100) are held; the draft's is not
    assert Wallet.objects.get(owner__username="aiman").usable_balance == Decimal("2100.00")
    assert Wallet.objects.get(owner__username="mei_ling").usable_balance == Decimal("265.00")
    # one event is live: five entries, the top three seeds on byes, the only first-round match reported
    live = Event.objects.get(name="Mobile Legends 1v1 Showdown")
    assert live.status == Event.Status.ONGOING
    assert list(live.matches.filter(round=1).values_list("status", flat=True)) == ["completed"]
    assert wallet_reconcile().ok
    assert "driftwood-demo-2026" in output


def test_seed_is_idempotent():
    seed()
    first = snapshot()

    output = seed()

    assert snapshot() == first
    assert "events created now: 0 of 6" in output
