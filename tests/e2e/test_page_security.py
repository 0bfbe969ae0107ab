"""The page script policy and evidence files, in a real browser (issue 13).

Every page family is opened under the enforced Content-Security-Policy and shown to work: its
scripts run (the nonced inline one, the static ones, Stripe.js's stand-in, the WebSocket pages
go live, Django admin's and Swagger UI's scripts), and the browser reports no violation (the
e2e harness fails any test that has one; this test also asserts it directly).

Then the finding itself: evidence uploaded before the byte check (an HTML page, an SVG with a
script, an image that is also an HTML page), opened by the organizer from the match page,
runs no script: it is not served, or only as a sandboxed download.
"""

import contextlib
import struct
import zlib
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from chat.services import dm_open, dm_room_id
from social.services import friend_request_send
from tests.e2e.helpers import elsewhere, log_in
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Event, Match
from tournaments.services.registrations import registration_join

pytestmark = pytest.mark.browser


def png_1x1() -> bytes:
    """A real one-pixel PNG (the browser must be able to draw it)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x20\xc0\x80\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


PNG = png_1x1()
# What an attacker's evidence does when it runs: mark the window, retitle the page, call home.
PAYLOAD = "window.top.__pwned = true; top.document.title = 'pwned'; fetch('/pwned-beacon/');"
HTML = f"<!doctype html><html><body><script>{PAYLOAD}</script></body></html>".encode()
SVG = (
    f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PAYLOAD}"><script>{PAYLOAD}</script>'
    '<rect width="10" height="10"/></svg>'
).encode()


@pytest.fixture
def media_server(asgi_server, e2e_servers, settings):
    """The e2e server, reading uploads from the same MEDIA_ROOT the test writes to."""
    settings.MEDIA_ROOT = e2e_servers.media_root
    return asgi_server


def disputed_match() -> tuple[Event, Match]:
    """A free four-player event, started; W1-1 reported 2-0 by side A. Returns (event, W1-1)."""
    organizer = UserFactory(username="organizer_ong", display_name="Ong the Organizer")
    event = EventFactory(
        name="Subang Smash Night",
        organizer=organizer,
        entry_fee=Decimal("0.00"),
        check_in_minutes=0,
        max_participants=4,
    )
    players = [UserFactory(username=f"player_{number}") for number in range(4)]

    def start_and_report():
        for player in players:
            registration_join(event_id=event.pk, user=player)
        event_start(event_id=event.pk, actor=organizer)
        first = Match.objects.select_related("entry_a__registration").get(event=event, key="W1-1")
        match_report(match_id=first.pk, actor=first.entry_a.registration.user, score_a=2, score_b=0)

    elsewhere(start_and_report)
    current = Match.objects.select_related("entry_a__registration", "entry_b__registration").get(
        event=event, key="W1-1"
    )
    return event, current


def legacy_evidence(
    current: Match, opener, name: str, content: bytes, *, evidence_type: str = "", status=Dispute.Status.RESOLVED
) -> Dispute:
    """A dispute whose file went straight to storage, as uploads did before the byte check (closed,
    unless `status` says otherwise, so that the match can take another)."""
    holder = {}

    def open_dispute():
        holder["dispute"] = dispute_open(match_id=current.pk, actor=opener, reason=f"Proof in {name}.")

    elsewhere(open_dispute)
    path = default_storage.save(f"disputes/{current.event_id}/{current.pk}/{name}", ContentFile(content))
    Dispute.objects.filter(pk=holder["dispute"].pk).update(evidence=path, evidence_type=evidence_type, status=status)
    return Dispute.objects.get(pk=holder["dispute"].pk)


def open_page(page, url: str, *, nonced: bool = True):
    """Open a page and check its policy: nothing inline or eval'd runs, except what carries this
    response's nonce (on the pages that have an inline script; Django admin has none)."""
    response = page.goto(url)
    assert response is not None and response.ok, (url, response and response.status)
    policy = response.headers["content-security-policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src "))
    assert "unsafe-inline" not in script_src and "unsafe-eval" not in script_src, (url, policy)
    assert ("'nonce-" in script_src) is nonced, (url, policy)
    return response


def drawn_width(image) -> int:
    """The image's natural width once it has loaded or failed (0 when the browser could not draw it)."""
    return image.evaluate(
        """image => image.complete ? image.naturalWidth : new Promise((resolve) => {
          image.addEventListener("load", () => resolve(image.naturalWidth));
          image.addEventListener("error", () => resolve(0));
        })"""
    )


def assert_base_scripts_ran(page) -> None:
    assert page.evaluate("document.documentElement.classList.contains('js')") is True, page.url


@pytest.mark.django_db(transaction=True)
def test_every_page_family_works_under_the_policy_with_no_violation(
    media_server, browser_context, browser_page, csp_watch
):
    server = media_server
    # given an event under way with a disputed match, friends who chat, and a staff member
    event, current = disputed_match()
    player_a, player_b = current.entry_a.registration.user, current.entry_b.registration.user
    dispute = legacy_evidence(
        current, player_b, "screenshot.png", PNG, evidence_type="image/png", status=Dispute.Status.OPEN
    )
    paid_event = EventFactory(name="Paid Cup", entry_fee=Decimal("5.00"), max_participants=8)
    funded_wallet(player_a, "20.00")

    def befriend_and_open_a_chat():
        friend_request_send(requester=player_a, target_id=player_b.pk)
        friend_request_send(requester=player_b, target_id=player_a.pk)
        dm_open(user=player_a, other_id=player_b.pk)

    elsewhere(befriend_and_open_a_chat)
    staff = UserFactory(username="staff_sara", is_staff=True, is_superuser=True)
    page = browser_page

    # logged out: home, the event list, sign-up and log-in
    for path in ("/", "/events/", "/accounts/signup/", "/accounts/login/"):
        open_page(page, f"{server}{path}")
        assert_base_scripts_ran(page)

    # a player: event pages (live), the bracket (live), the match page with its evidence image
    log_in(page, server, player_a, "/")
    open_page(page, f"{server}/events/{event.pk}/")
    assert_base_scripts_ran(page)
    open_page(page, f"{server}/events/{event.pk}/bracket/")
    expect(page.locator("[data-connection]")).to_have_attribute("data-state", "live")
    open_page(page, f"{server}/events/matches/{current.pk}/")
    evidence_image = page.locator(".dispute-evidence img")
    expect(evidence_image).to_have_count(1)
    assert drawn_width(evidence_image) == 1

    # the paid event and the wallet load Stripe.js (localstripe's stand-in here) and mount the card
    open_page(page, f"{server}/events/{paid_event.pk}/")
    assert page.evaluate("typeof window.Stripe") == "function"
    open_page(page, f"{server}/wallet/")
    expect(page.get_by_role("group", name="Card details").get_by_placeholder("number")).to_be_visible()

    # chat goes live over the WebSocket; social and account pages
    open_page(page, f"{server}/chat/")
    open_page(page, f"{server}/chat/{dm_room_id(player_a.pk, player_b.pk)}/")
    expect(page.locator("[data-connection]")).to_have_text("Live updates on")
    for path in (
        "/friends/",
        "/players/",
        f"/players/{player_b.pk}/",
        "/accounts/profile/",
        "/notifications/",
        "/events/mine/",
        "/events/teams/",
    ):
        open_page(page, f"{server}{path}")
        assert_base_scripts_ran(page)

    # staff: Django admin's own scripts work (the action counter), the dispute resolve page, the API docs
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")  # her cookie is gone before his comes
    log_in(page, server, staff, "/")
    open_page(page, f"{server}/admin/", nonced=False)
    open_page(page, f"{server}/admin/tournaments/event/", nonced=False)
    page.locator("#action-toggle").check()
    expect(page.locator(".action-counter")).to_contain_text("2 of 2 selected")
    open_page(page, f"{server}/admin/tournaments/dispute/", nonced=False)
    open_page(page, f"{server}/admin/tournaments/dispute/{dispute.pk}/change/", nonced=False)
    open_page(page, f"{server}/admin/tournaments/dispute/{dispute.pk}/resolve/", nonced=False)
    open_page(page, f"{server}/admin/tournaments/event/{event.pk}/change/", nonced=False)
    open_page(page, f"{server}/admin/accounts/user/{player_a.pk}/change/", nonced=False)
    open_page(page, f"{server}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Driftwood API")

    # then nothing was refused along the way
    assert csp_watch.take() == []


@pytest.mark.django_db(transaction=True)
def test_the_policy_is_enforced_and_the_harness_sees_a_violation(media_server, browser_page, csp_watch):
    page = browser_page
    open_page(page, f"{media_server}/")

    # when something injects an inline script without the nonce
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__injected = true";
          document.head.append(script);
        }"""
    )

    # then it does not run, and the harness reports it
    assert page.evaluate("window.__injected === undefined") is True
    violations = csp_watch.take()
    assert any("script-src" in violation for violation in violations), violations


@pytest.mark.django_db(transaction=True)
def test_evidence_stored_before_the_fix_runs_no_script_for_the_organizer(media_server, browser_context, browser_page):
    server = media_server
    beacons = []
    browser_context.on("request", lambda request: beacons.append(request.url) if "pwned" in request.url else None)
    # given evidence stored before the byte check: an HTML page, an SVG with a script (recorded as an
    # image, as if the file had been swapped on disk), and a PNG that is also an HTML page
    event, current = disputed_match()
    player_b = current.entry_b.registration.user
    html = legacy_evidence(current, player_b, "x.html", HTML)
    svg = legacy_evidence(current, player_b, "proof.svg", SVG, evidence_type="image/png")
    polyglot = legacy_evidence(current, player_b, "y.html", PNG + HTML)

    # when the organizer opens the match page
    page = browser_page
    log_in(page, server, event.organizer, f"/events/matches/{current.pk}/")
    title = page.title()
    # the SVG is only ever an <img> (where no script runs), and the server refuses to serve it anyway
    svg_image = page.locator(f'img[src="/events/disputes/{svg.pk}/evidence/"]')
    expect(svg_image).to_have_count(1)
    assert drawn_width(svg_image) == 0

    # and opens each file: the HTML and the SVG are not served (404), the polyglot only as a PNG download
    for dispute in (html, svg):
        response = page.goto(f"{server}/events/disputes/{dispute.pk}/evidence/")
        assert response.status == 404
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert page.evaluate("window.__pwned === undefined") is True
    page.goto(f"{server}/events/matches/{current.pk}/")
    polyglot_url = f"/events/disputes/{polyglot.pk}/evidence/"
    with page.expect_download() as from_the_link:
        page.locator(f'a[href="{polyglot_url}"]').click()
    assert from_the_link.value.suggested_filename == f"dispute-{polyglot.pk}-evidence.png"
    with page.expect_download() as typed_in, contextlib.suppress(PlaywrightError):
        page.goto(f"{server}{polyglot_url}")  # a download, not a page: the navigation is aborted
    assert typed_in.value.suggested_filename == f"dispute-{polyglot.pk}-evidence.png"

    # then no script of theirs ran: the page is untouched and nothing called home
    page.goto(f"{server}/events/matches/{current.pk}/")
    assert page.title() == title != "pwned"
    assert page.evaluate("window.__pwned === undefined") is True
    assert beacons == []
