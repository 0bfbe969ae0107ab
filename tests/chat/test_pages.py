"""Chat pages: the inbox with unread badges, a room, "message this player", and the chat links elsewhere."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from chat.models import ChatMessage, ChatRoom
from chat.services import dm_open, message_post, room_for
from tests.factories import EventFactory, UserFactory, team_with_members
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]
INBOX = "/chat/"


@pytest.fixture
def browser(user):
    """A logged-in browser that must send the CSRF token, like a real one."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def csrf_token(browser) -> str:
    assert browser.get(INBOX).status_code == 200
    return browser.cookies["csrftoken"].value


def open_dm(a, b) -> ChatRoom:
    b.allow_messages_from_anyone = True
    b.save(update_fields=["allow_messages_from_anyone"])
    return dm_open(user=a, other_id=b.pk)[0]


def badges(page: str) -> dict[str, int]:
    """room id -> the unread badge's count, for the inbox rows that show one."""
    found = {}
    for row in page.split('<li class="card chat-room-row')[1:]:
        row = row.split("</li>", 1)[0]
        count = re.search(r'data-unread-count="(\d+)"', row)
        if count:
            found[re.search(r'data-room-id="([^"]+)"', row).group(1)] = int(count.group(1))
    return found


def test_pages_need_a_login(client):
    for path in (INBOX, "/chat/dm_1_2/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_inbox_lists_rooms_newest_first_with_unread_badges(user, browser):
    # given a DM with two unread messages, a read DM, and a team room where only the player wrote
    siti = UserFactory(display_name="Siti the Sniper")
    unread = open_dm(user, siti)
    message_post(room=unread, sender=siti, text="One")
    message_post(room=unread, sender=siti, text="Ready for tonight?")
    aiman = UserFactory(display_name="Aiman")
    read = open_dm(user, aiman)
    message_post(room=read, sender=user, text="See you")
    team = team_with_members(user, 2)
    team_room = room_for(user_id=user.pk, room_id=f"team_{team.pk}")
    message_post(room=team_room, sender=user, text="Scrim at 9")
    open_dm(UserFactory(display_name="Someone Else"), UserFactory())

    # when the player opens the inbox
    response = browser.get(INBOX)

    # then their rooms are listed, most recent first, with a badge only where something is unread
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(team.name) < page.index("Aiman") < page.index("Siti the Sniper")
    assert "Ready for tonight?" in page and "Someone Else" not in page
    assert badges(page) == {unread.room_id: 2}
    assert '<a href="/chat/' + unread.room_id + '/">Siti the Sniper</a>' in page


def test_inbox_without_rooms_explains_how_to_start(browser):
    page = browser.get(INBOX).content.decode()

    assert "No chats yet." in page


def test_room_page_shows_history_oldest_first_and_wires_the_socket(user, browser):
    siti = UserFactory(display_name="Siti the Sniper")
    room = open_dm(user, siti)
    message_post(room=room, sender=siti, text="First <b>bold</b>")
    message_post(room=room, sender=user, text="Second")

    response = browser.get(f"/chat/{room.room_id}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Siti the Sniper</h1>" in page
    assert page.index("First &lt;b&gt;bold&lt;/b&gt;") < page.index("Second")
    assert f'data-socket-path="/ws/chat/{room.room_id}"' in page
    assert f'data-history-api="/api/v1/chat/{room.room_id}/history"' in page
    assert 'data-has-more="false"' in page
    assert "js/chat.js" in page
    assert page.count('class="chat-message is-mine"') == 1


def test_room_page_renders_the_newest_50_and_a_cursor_for_older(user, browser):
    room = open_dm(user, UserFactory())
    ChatMessage.objects.bulk_create(ChatMessage(room=room, sender=user, text=f"m{n:03d}") for n in range(60))

    page = browser.get(f"/chat/{room.room_id}/").content.decode()

    assert page.count("data-message-id=") == 50
    assert "m059" in page and "m009" not in page
    assert 'data-has-more="true"' in page
    assert re.search(r'data-next-before="[A-Za-z0-9_=-]+"', page)


def test_event_room_lists_its_players(user, browser):
    event = EventFactory(name="Merdeka Open", entry_fee=Decimal("0.00"), organizer=UserFactory(display_name="Org"))
    registration_join(event_id=event.pk, user=user)

    response = browser.get(f"/chat/event_{event.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Merdeka Open</h1>" in page
    assert f'data-person="{event.organizer_id}"' in page and f'data-person="{user.pk}"' in page
    # the viewer is looking at the room, so online; the organizer, with no socket, is not
    assert re.search(rf'data-person="{user.pk}"[^>]*data-online="true"', page)
    assert re.search(rf'data-person="{event.organizer_id}"[^>]*data-online="false"', page)


@pytest.mark.parametrize("room_id", ["dm_1_1", "lobby", "event_abc"])
def test_malformed_rooms_are_404(browser, room_id):
    assert browser.get(f"/chat/{room_id}/").status_code == 404


def test_someone_elses_room_is_404(browser):
    room = open_dm(UserFactory(), UserFactory())
    team = team_with_members(UserFactory(), 2)

    assert browser.get(f"/chat/{room.room_id}/").status_code == 404
    assert browser.get(f"/chat/team_{team.pk}/").status_code == 404


def test_message_this_player_opens_the_dm_and_goes_there(user, browser):
    other = UserFactory(allow_messages_from_anyone=True)
    low, high = sorted((user.pk, other.pk))

    response = browser.post(f"/chat/dm/{other.pk}/", {"csrfmiddlewaretoken": csrf_token(browser)})

    assert response.status_code == 302
    assert response["Location"] == f"/chat/dm_{low}_{high}/"
    assert ChatRoom.objects.filter(room_id=f"dm_{low}_{high}").exists()
    assert browser.get(response["Location"]).status_code == 200


def test_message_a_stranger_goes_back_with_the_reason(browser):
    stranger = UserFactory()

    response = browser.post(
        f"/chat/dm/{stranger.pk}/",
        {"csrfmiddlewaretoken": csrf_token(browser), "next": "/events/"},
        follow=True,
    )

    assert response.redirect_chain == [("/events/", 302)]
    assert "You can message this player once you are friends." in response.content.decode()
    assert not ChatRoom.objects.exists()


def test_message_yourself_or_an_offsite_next_falls_back_to_the_inbox(user, browser):
    response = browser.post(
        f"/chat/dm/{user.pk}/",
        {"csrfmiddlewaretoken": csrf_token(browser), "next": "https://evil.example/"},
        follow=True,
    )

    assert response.redirect_chain == [(INBOX, 302)]
    assert "You cannot message yourself." in response.content.decode()


def test_message_an_unknown_player_is_404(browser):
    token = csrf_token(browser)

    assert browser.post("/chat/dm/999999999/", {"csrfmiddlewaretoken": token}).status_code == 404
    assert browser.post(f"/chat/dm/{2**70}/", {"csrfmiddlewaretoken": token}).status_code == 404


def test_message_this_player_needs_the_csrf_token_and_a_post(browser):
    other = UserFactory(allow_messages_from_anyone=True)

    assert browser.post(f"/chat/dm/{other.pk}/").status_code == 403
    assert browser.get(f"/chat/dm/{other.pk}/").status_code == 405
    assert not ChatRoom.objects.exists()


def test_event_page_links_its_chat_for_players_and_the_organizer_only(user, browser):
    event = EventFactory(entry_fee=Decimal("0.00"))
    chat_link = f'href="/chat/event_{event.pk}/"'

    assert chat_link not in browser.get(f"/events/{event.pk}/").content.decode()
    registration_join(event_id=event.pk, user=user)
    assert chat_link in browser.get(f"/events/{event.pk}/").content.decode()
    organizer = Client()
    organizer.force_login(event.organizer)
    assert chat_link in organizer.get(f"/events/{event.pk}/").content.decode()


def test_team_page_links_its_chat_for_members_only(user, browser):
    team = team_with_members(user, 2)
    chat_link = f'href="/chat/team_{team.pk}/"'
    outsider = Client()
    outsider.force_login(UserFactory())

    assert chat_link in browser.get(f"/events/teams/{team.pk}/").content.decode()
    assert chat_link not in outsider.get(f"/events/teams/{team.pk}/").content.decode()


def test_inbox_query_count_does_not_grow_with_rooms(user, browser):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert browser.get(INBOX).status_code == 200
        return len(captured)

    for _ in range(2):
        message_post(room=open_dm(user, UserFactory()), sender=user, text="hi")
    few = queries()
    for _ in range(10):
        other = UserFactory()
        message_post(room=open_dm(user, other), sender=other, text="hello")

    assert queries() == few


def menu_badge(page: str) -> int | None:
    """The Chat menu badge's count, or None when the menu shows none."""
    found = re.search(r'id="nav-chat"[^>]*>[^<]*<span class="nav-badge" data-unread-count="(\d+)"', page)
    return int(found.group(1)) if found else None


def test_the_chat_menu_badge_counts_the_rooms_with_something_unread_of_every_kind(user, browser):
    # given unread messages in a DM, in the player's team room and in the room of an event they entered
    siti = UserFactory()
    message_post(room=open_dm(user, siti), sender=siti, text="Ready?")
    team = team_with_members(user, 2)
    teammate = team.memberships.exclude(user=user).get().user
    message_post(room=room_for(user_id=teammate.pk, room_id=f"team_{team.pk}"), sender=teammate, text="Scrim at 9")
    event = EventFactory(entry_fee=Decimal("0.00"))
    registration_join(event_id=event.pk, user=user)
    event_room = room_for(user_id=event.organizer_id, room_id=f"event_{event.pk}")
    message_post(room=event_room, sender=event.organizer, text="Check-in opens at 8")
    # and none where only the player wrote, nor in rooms of others
    message_post(room=open_dm(user, UserFactory()), sender=user, text="See you")
    outsider = UserFactory()
    message_post(room=open_dm(outsider, UserFactory()), sender=outsider, text="Not for you")

    # when the player opens any page, the menu counts the three rooms; a player with nothing unread sees no badge
    assert menu_badge(browser.get("/events/").content.decode()) == 3
    siti_browser = Client()
    siti_browser.force_login(siti)
    assert menu_badge(siti_browser.get("/events/").content.decode()) is None
