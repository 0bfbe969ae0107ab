"""The embeddable bracket: the bracket without the site around it, frameable only by the origins the
organizer lists (frame-ancestors; X-Frame-Options never says otherwise), set on the manage page."""

import pytest

from tests.core.test_i18n import _english_with_malay, check_page, malay_client
from tests.factories import EventFactory, UserFactory
from tests.tournaments.test_bracket_pages import client_for, started_event
from tournaments.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]


def frame_ancestors(response) -> str:
    directives = dict(
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";") if " " in part.strip()
    )
    return directives["frame-ancestors"]


def test_by_default_no_site_may_frame_the_embed(client):
    event, _ = started_event(4)

    response = client.get(f"/embed/events/{event.pk}/bracket")

    assert response.status_code == 200
    assert frame_ancestors(response) == "'none'"
    assert response["X-Frame-Options"] == "DENY"


def test_only_the_listed_origins_may_frame_it_and_x_frame_options_steps_aside(client):
    event, _ = started_event(4)
    Event.objects.filter(pk=event.pk).update(embed_origins=["https://piala.example.my", "http://localhost:8080"])

    response = client.get(f"/embed/events/{event.pk}/bracket")

    assert frame_ancestors(response) == "https://piala.example.my http://localhost:8080"
    assert "X-Frame-Options" not in response
    # and the rest of the site still refuses every frame
    bracket_page = client.get(f"/events/{event.pk}/bracket/")
    assert frame_ancestors(bracket_page) == "'none'" and bracket_page["X-Frame-Options"] == "DENY"


def test_the_embed_is_the_live_bracket_without_the_site_around_it(client):
    event, players = started_event(4)

    html = client.get(f"/embed/events/{event.pk}/bracket").content.decode()

    assert 'id="bracket-body"' in html and players[0].public_name in html
    assert f'data-socket-path="/ws/events/{event.pk}/"' in html
    assert f'data-fragment-url="/events/{event.pk}/bracket/fragment/"' in html
    assert "js/bracket.js" in html and '<base target="_blank">' in html
    assert 'class="site-header"' not in html and 'class="site-footer"' not in html


def test_a_draft_has_no_embed(client):
    draft = EventFactory(status="draft", published_at=None)

    assert client.get(f"/embed/events/{draft.pk}/bracket").status_code == 404
    assert client_for(draft.organizer).get(f"/embed/events/{draft.pk}/bracket").status_code == 404


def test_the_organizer_lists_origins_in_any_reasonable_spelling_and_they_are_stored_as_origins():
    event, _ = started_event(4)
    organizer = client_for(event.organizer)

    saved = organizer.post(
        f"/events/{event.pk}/embed/",
        {"origins": "https://Piala.Example.MY/\nhttps://piala.example.my:443\n\nhttp://127.0.0.1:8080"},
    )

    assert saved.status_code == 302 and saved["Location"] == f"/events/{event.pk}/manage/#embed"
    event.refresh_from_db()
    assert event.embed_origins == ["https://piala.example.my", "http://127.0.0.1:8080"]
    manage = organizer.get(f"/events/{event.pk}/manage/").content.decode()
    assert f"/embed/events/{event.pk}/bracket" in manage and "http://127.0.0.1:8080" in manage


@pytest.mark.parametrize(
    "origin",
    [
        "https://example.com/path",
        "example.com",
        "*.example.com",
        "https://*.example.com",
        "javascript:alert(1)",
        "https://example.com; script-src *",
        "https://example.com?x=1",
        "https://user@example.com",
        "ftp://example.com",
    ],
)
def test_anything_but_an_origin_is_refused_and_nothing_changes(origin):
    event, _ = started_event(2)
    Event.objects.filter(pk=event.pk).update(embed_origins=["https://kept.example"])

    refused = client_for(event.organizer).post(f"/events/{event.pk}/embed/", {"origins": origin})

    assert refused.status_code == 400
    assert "is not a site origin" in refused.content.decode()
    event.refresh_from_db()
    assert event.embed_origins == ["https://kept.example"]


def test_an_empty_list_makes_it_unframeable_again(client):
    event, _ = started_event(2)
    Event.objects.filter(pk=event.pk).update(embed_origins=["https://kept.example"])

    client_for(event.organizer).post(f"/events/{event.pk}/embed/", {"origins": ""})

    assert frame_ancestors(client.get(f"/embed/events/{event.pk}/bracket")) == "'none'"


def test_only_the_organizer_sets_the_origins():
    event, _ = started_event(2)

    response = client_for(UserFactory()).post(f"/events/{event.pk}/embed/", {"origins": "https://evil.example"})

    assert response.status_code == 302
    event.refresh_from_db()
    assert event.embed_origins == []


def test_the_embed_and_its_card_are_in_malay():
    english = _english_with_malay()
    event, _ = started_event(4, organizer=UserFactory(language="ms"))

    check_page(malay_client(), f"/embed/events/{event.pk}/bracket", english)
    check_page(malay_client(event.organizer), f"/events/{event.pk}/manage/", english)
