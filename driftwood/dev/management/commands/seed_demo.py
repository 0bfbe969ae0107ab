"""Demo data for a fresh platform: staff, players with wallet funds, games, teams and events (safe to re-run).

Everything goes through the services, so the demo's money is ledgered like real money:
funds arrive as one `adjustment` per player, prize pools are held in escrow when an event
is published, and entry fees move from the players' wallets when they join.
"""

from datetime import datetime, timedelta
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from driftwood.accounts.models import User
from driftwood.accounts.services import user_create
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Event, Game, Match, Team, TeamMember
from tournaments.services.events import event_create, event_publish
from tournaments.services.registrations import registration_join
from tournaments.services.teams import team_create, team_member_add
from wallet.models import LedgerEntry
from wallet.services.balances import ADJUSTMENTS, system_account, wallet_credit, wallet_get_or_create

DEMO_PASSWORD = "driftwood-demo-2026"
STAFF = ("admin", "Driftwood Staff")
PLAYERS = (
    ("aiman", "Aiman the Ace"),
    ("mei_ling", "Mei Ling"),
    ("ravi", "Ravi R."),
    ("siti", "Siti Nurhaliza"),
    ("jun_wei", "Jun Wei"),
    ("farah", "Farah K."),
)
ORGANIZER = "aiman"
# The organizer funds prize pools; the others pay entry fees.
FUNDS = {ORGANIZER: Decimal("3000.00")}
PLAYER_FUNDS = Decimal("300.00")
FUNDS_MARKER = "demo_funds"

GAMES = (
    ("Mobile Legends: Bang Bang", "mobile-legends", "⚔️"),
    ("Valorant", "valorant", "🎯"),
    ("PUBG Mobile", "pubg-mobile", "🪂"),
    ("EA Sports FC", "ea-fc", "⚽"),
    ("Dota 2", "dota-2", "🛡️"),
    ("Tekken 8", "tekken-8", "🥊"),
)

# (name, captain, other members)
TEAMS = (
    ("Harimau Esports", "mei_ling", ("ravi",)),
    ("Kuching Kites", "siti", ("jun_wei",)),
)

# Each event once, found again by its organizer and name. `entrants` join (solo) or register
# their team (team events) right after publishing.
EVENTS = (
    {
        "name": "Valorant Aim Duel",
        "game": "valorant",
        "in_days": 7,
        "fields": {
            "description": "1v1 on custom maps, first to 15 kills. Best of 3 from the semi-finals.",
            "format": Event.Format.SINGLE_ELIMINATION,
            "max_participants": 16,
            "entry_fee": Decimal("10.00"),
            "prize_pool": Decimal("300.00"),
            "prize_distribution": [60, 30, 10],
        },
        "publish": True,
        "entrants": ("mei_ling", "ravi", "farah"),
    },
    {
        "name": "PUBG Mobile Duo Rumble",
        "game": "pubg-mobile",
        "in_days": 10,
        "fields": {
            "description": "Duos, Erangel and Miramar, 4 matches. Placement and kill points.",
            "format": Event.Format.ROUND_ROBIN,
            "is_solo": False,
            "team_size": 2,
            "max_participants": 16,
            "entry_fee": Decimal("20.00"),
            "prize_pool": Decimal("500.00"),
            "prize_distribution": [50, 30, 20],
        },
        "publish": True,
        "teams": ("Harimau Esports",),
    },
    {
        "name": "Tekken 8 Friday Night Brawl",
        "game": "tekken-8",
        "in_days": 3,
        "fields": {
            "description": "Free for all. Best of 3, grand final best of 5. Bring your own stick.",
            "format": Event.Format.DOUBLE_ELIMINATION,
            "event_type": Event.EventType.LAN,
            "max_participants": 32,
        },
        "publish": True,
        "entrants": ("jun_wei", "siti"),
    },
    {
        "name": "EA Sports FC Kopitiam League",
        "game": "ea-fc",
        "in_days": 14,
        "fields": {
            "description": "Swiss, 5 rounds, 6-minute halves. Any club, no custom tactics.",
            "format": Event.Format.SWISS,
            "max_participants": 24,
            "entry_fee": Decimal("5.00"),
        },
        "publish": True,
        "entrants": ("farah",),
    },
    {
        # Live on `make run`: started at once (no check-in), five players so the top seeds get byes,
        # and the first match already reported so the bracket shows a result.
        "name": "Mobile Legends 1v1 Showdown",
        "game": "mobile-legends",
        "starts_in": timedelta(hours=1),
        "fields": {
            "description": "Mid lane 1v1, first blood or first tower. Best of 3.",
            "format": Event.Format.SINGLE_ELIMINATION,
            "max_participants": 8,
            "best_of": 3,
            "third_place_match": True,
            "check_in_minutes": 0,
            "entry_fee": Decimal("5.00"),
            "prize_pool": Decimal("100.00"),
            "prize_distribution": [60, 30, 10],
        },
        "publish": True,
        "entrants": ("mei_ling", "ravi", "siti", "jun_wei", "farah"),
        "start": True,
    },
    {
        "name": "Dota 2 Community League",
        "game": "dota-2",
        "in_days": 30,
        "fields": {
            "description": "Captains mode, best of 2 group stage, best of 3 playoffs.",
            "tier": Event.Tier.AMATEUR,
            "is_solo": False,
            "team_size": 5,
            "max_participants": 8,
            "entry_fee": Decimal("50.00"),
            "prize_pool": Decimal("1000.00"),
            "prize_distribution": [70, 30],
        },
        "publish": False,
    },
)


def evening_in(days: int) -> datetime:
    """8 pm Malaysia time, `days` from today."""
    day = timezone.localdate() + timedelta(days=days)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 20, 0))


class Command(BaseCommand):
    help = "Create demo accounts, wallet funds, games, teams and events, and print the credentials."

    def _ensure_user(self, username: str, display_name: str, *, staff: bool = False) -> User:
        user = User.objects.filter(username__iexact=username).first()
        if user is None:
            user = user_create(
                username=username,
                email=f"{username}@demo.driftwood.my",
                password=DEMO_PASSWORD,
                display_name=display_name,
                email_verified=True,  # made-up addresses: nothing to confirm
            )
        if staff and not (user.is_staff and user.is_superuser):
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        return user

    def _ensure_funds(self, user: User, amount: Decimal) -> None:
        wallet = wallet_get_or_create(user=user)
        funded = LedgerEntry.objects.filter(
            wallet=wallet, transaction_type=LedgerEntry.Type.ADJUSTMENT, metadata__seed=FUNDS_MARKER
        )
        if not funded.exists():
            wallet_credit(
                wallet=wallet,
                amount=amount,
                source=system_account(ADJUSTMENTS),
                transaction_type=LedgerEntry.Type.ADJUSTMENT,
                description="Demo funds",
                metadata={"seed": FUNDS_MARKER},
            )

    def _ensure_team(self, name: str, captain: User, members: list[User]) -> Team:
        team = Team.objects.filter(name__iexact=name).first() or team_create(captain=captain, name=name)
        present = set(TeamMember.objects.filter(team=team).values_list("user_id", flat=True))
        for member in members:
            if member.pk not in present:
                team_member_add(team_id=team.pk, user=member)
        return team

    def _ensure_event(self, spec: dict, organizer: User, users: dict[str, User], teams: dict[str, Team]) -> bool:
        """Create (and publish, and fill) the event unless it exists; True when it was created."""
        if Event.objects.filter(organizer=organizer, name=spec["name"]).exists():
            return False
        starts_at = timezone.now() + spec["starts_in"] if "starts_in" in spec else evening_in(spec["in_days"])
        event = event_create(
            organizer=organizer,
            game=Game.objects.get(slug=spec["game"]),
            name=spec["name"],
            starts_at=starts_at,
            registration_closes_at=starts_at - timedelta(minutes=30),
            **spec["fields"],
        )
        if spec["publish"]:
            event_publish(event_id=event.pk, actor=organizer)
            for username in spec.get("entrants", ()):
                registration_join(event_id=event.pk, user=users[username])
            for team_name in spec.get("teams", ()):
                team = teams[team_name]
                registration_join(event_id=event.pk, user=team.captain, team_id=team.pk)
        if spec.get("start"):
            event_start(event_id=event.pk, actor=organizer)
            first = Match.objects.filter(event=event, status=Match.Status.READY).order_by("round", "position").first()
            match_report(match_id=first.pk, actor=organizer, score_a=2, score_b=1)
        return True

    @transaction.atomic
    def handle(self, *args, **options):
        self._ensure_user(*STAFF, staff=True)
        users = {username: self._ensure_user(username, display_name) for username, display_name in PLAYERS}
        for username, user in users.items():
            self._ensure_funds(user, FUNDS.get(username, PLAYER_FUNDS))
        for name, slug, icon in GAMES:
            Game.objects.get_or_create(slug=slug, defaults={"name": name, "icon": icon})
        teams = {
            name: self._ensure_team(name, users[captain], [users[member] for member in members])
            for name, captain, members in TEAMS
        }
        organizer = users[ORGANIZER]
        created = sum(self._ensure_event(spec, organizer, users, teams) for spec in EVENTS)

        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD})"))
        self.stdout.write(f"  staff:   {STAFF[0]}  (Django admin at /admin/)")
        self.stdout.write("  players: " + ", ".join(username for username, _ in PLAYERS))
        self.stdout.write(f"  organizer of the demo events: {ORGANIZER} (one draft: {EVENTS[-1]['name']})")
        self.stdout.write(f"  games: {len(GAMES)}, teams: {len(TEAMS)}, events created now: {created} of {len(EVENTS)}")
