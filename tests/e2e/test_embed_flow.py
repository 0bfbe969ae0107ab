"""The embeddable bracket in a real browser (issue 19): an organizer's own site, served here by a tiny
HTTP server on one port, frames the live bracket; a site on another port, which the organizer did
not list, is refused by the browser itself (frame-ancestors)."""

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import elsewhere
from tests.factories import UserFactory
from tests.local_http import LocalHttpServer, QuietHandler
from tests.tournaments.test_bracket_pages import started_event
from tournaments.brackets.services.matches import match_report
from tournaments.models import Event, Match

pytestmark = pytest.mark.browser


class HostSite:
    """A page on http://127.0.0.1:<port>/ that frames `frame_url` and marks its body once the frame loaded."""

    def __init__(self, frame_url: str) -> None:
        page = (
            "<!doctype html><html><head><title>Kedai Esports</title></head><body>"
            "<h1>Kedai Esports: tonight's bracket</h1>"
            f'<iframe id="bracket-frame" src="{frame_url}" width="1000" height="600" '
            "onload=\"document.body.dataset.frameLoaded = 'yes'\"></iframe>"
            "</body></html>"
        ).encode()

        class Handler(QuietHandler):
            def do_GET(self):  # noqa: N802 - http.server's names
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

        self.server = LocalHttpServer(Handler)
        self.origin = self.server.url

    def close(self) -> None:
        self.server.close()


@pytest.fixture
def host_sites():
    opened: list[HostSite] = []

    def open_site(frame_url: str) -> HostSite:
        opened.append(HostSite(frame_url))
        return opened[-1]

    yield open_site
    for site in opened:
        site.close()


@pytest.mark.django_db(transaction=True)
def test_the_embed_shows_live_on_a_listed_site_and_is_refused_on_another(
    asgi_server, browser_context, browser_page, csp_watch, host_sites
):
    # given a started event whose organizer lists one site for the embed
    event, _ = started_event(4, organizer=UserFactory(), name="Kedai Esports Friday")
    embed_url = f"{asgi_server}/embed/events/{event.pk}/bracket"
    listed, unlisted = host_sites(embed_url), host_sites(embed_url)
    Event.objects.filter(pk=event.pk).update(embed_origins=[listed.origin])

    # when a visitor opens the listed site
    page = browser_page
    page.goto(f"{listed.origin}/")

    # then the bracket shows inside its frame and goes live
    frame = page.frame_locator("#bracket-frame")
    expect(frame.locator("#bracket-body")).to_be_visible()
    expect(frame.locator("[data-connection]")).to_have_attribute("data-state", "live")
    opener = Match.objects.select_related("entry_a__registration__user").get(event=event, key="W1-1")
    card = frame.locator('[data-match-key="W1-1"]')
    expect(card).to_contain_text(opener.entry_a.name)

    # and a result entered meanwhile appears in the frame without a reload
    elsewhere(lambda: match_report(match_id=opener.pk, actor=event.organizer, score_a=2, score_b=0))
    expect(card.locator(".bk-side.is-winner")).to_contain_text(opener.entry_a.name)
    expect(card).to_have_attribute("data-match-status", "completed")
    assert csp_watch.take() == []

    # when the same visitor opens a site the organizer did not list
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(f"{unlisted.origin}/")
    expect(page.locator("body")).to_have_attribute("data-frame-loaded", "yes")

    # then the browser refused to show the bracket there, naming the one site that may
    expect(page.frame_locator("#bracket-frame").locator("#bracket-body")).to_have_count(0)
    refusals = csp_watch.take()
    assert refusals and all("frame-ancestors" in refusal for refusal in refusals), refusals
    assert any(listed.origin in refusal for refusal in refusals), refusals
