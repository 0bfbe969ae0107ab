"""A whole single-elimination night in real browsers against a real ASGI server (daphne, Redis
channel layer).

The organizer funds a RM 100 prize pool, eight players register and check in, and the organizer
starts the event from the manage page. Every player reports their own scores from their match
pages, each side in its own browser; a spectator's bracket page in another browser fills in the
results as they happen, without a reload. With no dispute window the prize is paid when the final
completes, and the champion finds it in their wallet.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.helpers import elsewhere, give_session, log_in, new_context
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.models import Entry, Event, Match, PrizePayout
from tournaments.services.checkin import entry_check_in
from tournaments.services.events import event_publish
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = pytest.mark.browser

PLAYERS = [
    ("siti_nur", "Siti the Sniper"),
    ("aiman", "Aiman the Ace"),
    ("jun_wei", "Jun Wei"),
    ("kavitha", "Kavitha K"),
    ("hafiz", "Hafiz Hook"),
    ("mei_ling", "Mei Ling"),
    ("arjun", "Arjun Rush"),
    ("nurul", "Nurul Nova"),
]


def report(page, server: str, match: Match, score_a: int, score_b: int, *, expected: str) -> None:
    """Report a score from the match page the way a player does."""
    page.goto(f"{server}/events/matches/{match.pk}/")
    form = page.locator("#report-form")
    form.get_by_label(match.entry_a.name, exact=True).fill(str(score_a))
    form.get_by_label(match.entry_b.name, exact=True).fill(str(score_b))
    form.get_by_role("button", name="Report score").click()
    expect(page.get_by_role("status")).to_contain_text(expected)
    # Leave the page: a player between matches holds no live socket, so each result re-renders
    # only the pages still watching (the spectator's, the organizer's), as in real life.
    page.goto("about:blank")


@pytest.mark.django_db(transaction=True)
def test_a_single_elimination_night_from_start_to_prize(asgi_server, browser_context, browser_page, settings):
    # (the e2e server has no dispute window either: it pays the prizes the moment the final completes)
    server = asgi_server
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    # given an organizer with a published RM 100 prize pool (70/30), starting in half an hour, check-in open
    organizer = UserFactory(username="organizer_ong", display_name="Ong the Organizer")
    funded_wallet(organizer, "100.00")
    event = EventFactory(
        name="Sunway Street Fighter Night",
        organizer=organizer,
        status=Event.Status.DRAFT,
        published_at=None,
        entry_fee=Decimal("5.00"),
        prize_pool=Decimal("100.00"),
        prize_distribution=[70, 30],
        max_participants=8,
        check_in_minutes=60,
        starts_at=timezone.now() + timedelta(minutes=30),
        registration_closes_at=timezone.now() + timedelta(minutes=20),
    )
    players = [UserFactory(username=username, display_name=name) for username, name in PLAYERS]
    for player in players:
        funded_wallet(player, "20.00")

    def publish_register_check_in():
        event_publish(event_id=event.pk, actor=organizer)
        for player in players:
            registration_join(event_id=event.pk, user=player)
        for player in players[1:]:
            entry_check_in(event_id=event.pk, actor=player)

    elsewhere(publish_register_check_in)

    # and the eighth player checks in from the event page
    contexts = {}

    def page_of(player):
        """The player's page, in a browser of their own where they are logged in."""
        if player.pk not in contexts:
            context = new_context(browser_context)
            give_session(context, server, player)
            contexts[player.pk] = (context, context.new_page())
        return contexts[player.pk][1]

    siti = page_of(players[0])
    siti.goto(f"{server}/events/{event.pk}/")
    siti.get_by_role("button", name="Check in").click()
    expect(siti.get_by_role("status")).to_contain_text("You're checked in.")

    # when the organizer sees everyone checked in and starts the event
    organizer_page = browser_page
    log_in(organizer_page, server, organizer, f"/events/{event.pk}/manage/")
    expect(organizer_page.locator("#checkin-summary")).to_contain_text("8 of 8 checked in.")
    organizer_page.get_by_role("button", name="Start event").click()

    # then the bracket is drawn: four quarterfinals, seeds by registration order
    expect(organizer_page.get_by_role("status")).to_contain_text("has started: 7 matches drawn")
    expect(organizer_page.locator("[data-match-key]")).to_have_count(7)
    expect(organizer_page.locator('[data-match-key="W3-1"]')).to_contain_text("Winner of W2-1")

    # and a spectator in another browser watches the bracket, live
    spectator_context = new_context(browser_context)
    spectator = spectator_context.new_page()
    spectator.goto(f"{server}/events/{event.pk}/bracket/")
    expect(spectator.locator("[data-connection]")).to_have_attribute("data-state", "live")
    spectator.evaluate("window.__sameDocument = true")
    quarterfinal = spectator.locator('[data-match-key="W1-1"]')
    expect(quarterfinal).to_contain_text("Siti the Sniper")
    expect(quarterfinal.locator(".is-winner")).to_have_count(0)

    # when both sides of every match report the same score from their match pages (the better seed wins 2-0... 1-0)
    for key in ("W1-1", "W1-2", "W1-3", "W1-4", "W2-1", "W2-2", "W3-1"):
        match = Match.objects.select_related("entry_a__registration__user", "entry_b__registration__user").get(
            event=event, key=key
        )
        a_wins = match.entry_a.seed < match.entry_b.seed
        score = (1, 0) if a_wins else (0, 1)
        report(page_of(match.entry_a.registration.user), server, match, *score, expected="Score reported.")
        report(page_of(match.entry_b.registration.user), server, match, *score, expected="The result is in")
        winner = match.entry_a if a_wins else match.entry_b

        # then the spectator's bracket shows the winner and the score without a reload
        card = spectator.locator(f'[data-match-key="{key}"]')
        expect(card.locator(".bk-side.is-winner")).to_contain_text(winner.name)
        expect(card.locator(".bk-side.is-winner .bk-score")).to_have_text("1")
        expect(card).to_have_attribute("data-match-status", "completed")

    # then the event is over on the spectator's page: Siti (seed 1) first, Aiman (seed 2) second
    standings = spectator.get_by_role("region", name="Final standings")
    expect(standings).to_contain_text("1 Siti the Sniper")
    expect(standings).to_contain_text("2 Aiman the Ace")
    assert spectator.evaluate("window.__sameDocument") is True

    # and the champion finds the prize in the wallet: 20 - 5 entry fee + 70
    siti.goto(f"{server}/events/{event.pk}/")
    siti.get_by_role("navigation", name="Main").get_by_role("link", name="Wallet").click()
    history = siti.get_by_role("region", name="Transaction history")
    expect(
        history.get_by_role("row").filter(has_text="Prize for place 1 in Sunway Street Fighter Night")
    ).to_contain_text("+RM 70.00")
    expect(siti.locator('.balance-amount[data-balance="usable_balance"]')).to_have_text("RM 85.00")

    for context, _page in contexts.values():
        context.close()
    spectator_context.close()

    event.refresh_from_db()
    assert event.status == Event.Status.COMPLETED
    assert event.prizes_paid_at is not None
    assert sorted(PrizePayout.objects.filter(event=event).values_list("user__username", "amount")) == [
        ("aiman", Decimal("30.00")),
        ("siti_nur", Decimal("70.00")),
    ]
    assert Entry.objects.get(event=event, registration__user=players[0]).placement == 1
    assert Wallet.objects.get(owner=players[1]).usable_balance == Decimal("45.00")
