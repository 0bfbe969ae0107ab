"""The one text rule (driftwood.core.text) on everything a person writes: REST fields and page forms.

(The chat socket's side is in tests/chat/test_hostile_frames.py.)
"""

import json
from urllib.parse import quote

import pytest

from driftwood.accounts.models import User
from driftwood.core.text import text_problem
from social.models import Report
from tests.factories import GameFactory, UserFactory
from tournaments.models import Event, Team

BAD = {
    "nul": "a\u0000b",
    "bell": "a\u0007b",
    "escape": "a\u001b[31mb",
    "delete": "a\u007fb",
    "c1_next_line": "a\u0085b",
    "lone_high_surrogate": "a\ud800b",
    "lone_low_surrogate": "a\udc00b",
    "right_to_left_override": "abc\u202egnp.exe",
    "left_to_right_embedding": "a\u202ab",
    "first_strong_isolate": "a\u2068b",
    "right_to_left_mark": "a\u200fb",
    "zero_width_space": "ad\u200bmin",
    "zero_width_joiner_in_latin": "ad\u200dmin",
    "zero_width_non_joiner_in_latin": "ad\u200cmin",
    "word_joiner": "ad\u2060min",
    "byte_order_mark": "\ufeffadmin",
    "soft_hyphen": "ad\u00admin",
    "hangul_filler": "\u3164",
    "line_separator": "a\u2028b",
    "noncharacter": "a\uffffb",
    "lone_tag": "a\U000e0041b",
    "replacement_character": "a\ufffdb",
}
GOOD = {
    "plain": "Kuala Lumpur Kings",
    "accents": "Équipe Élan",
    "chinese": "吉隆坡之王",
    "tamil": "தமிழ் அணி",
    "jawi_with_non_joiner": "\u0643\u200c\u0627",
    "emoji": "GG 🎮🔥",
    "family_emoji_with_joiners": "\U0001f468\u200d\U0001f469\u200d\U0001f467 squad",
    "rainbow_flag": "\U0001f3f3\ufe0f\u200d\U0001f308",
    "scotland_flag_tags": "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_the_rule_refuses_control_invisible_and_direction_characters(text):
    assert text_problem(text) is not None
    assert text_problem(text, multiline=True) is not None


@pytest.mark.parametrize("text", GOOD.values(), ids=GOOD.keys())
def test_the_rule_keeps_real_text_in_any_script(text):
    assert text_problem(text) is None


def test_line_breaks_and_tabs_only_in_multi_line_text():
    assert text_problem("line one\nline two\twith a tab\r\nand CRLF", multiline=True) is None
    assert text_problem("line one\nline two") is not None
    assert text_problem("a\tb") is not None
    assert text_problem("a lone\rcarriage return", multiline=True) is not None


def test_the_message_names_the_character():
    assert "U+202E" in text_problem("abc\u202edef")


# --- REST: 400 `invalid` with the field's error, and nothing stored


def post_json(client, path: str, body: dict):
    """JSON as a client writes it: a lone surrogate travels as its escape ("\\ud800")."""
    return client.post(path, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", [BAD["nul"], BAD["lone_high_surrogate"], BAD["right_to_left_override"], BAD["zero_width_space"]]
)
def test_a_team_name_with_a_bad_character_is_400_and_no_team_exists(jwt_client, name):
    response = post_json(jwt_client, "/api/v1/teams", {"name": name})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "name" in response.json()["errors"]
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_a_team_name_in_any_script_with_emoji_is_kept(jwt_client):
    response = jwt_client.post("/api/v1/teams", {"name": GOOD["family_emoji_with_joiners"]})

    assert response.status_code == 201
    assert Team.objects.get().name == GOOD["family_emoji_with_joiners"]


@pytest.mark.django_db
@pytest.mark.parametrize("value", [42, 4.2, True, ["x"], {"x": 1}])
def test_a_name_that_is_not_a_string_is_400_not_coerced(jwt_client, value):
    response = jwt_client.post("/api/v1/teams", {"name": value}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"]["name"]
    assert not Team.objects.exists()


def _event_body(**overrides) -> dict:
    return {
        "name": "Friday Cup",
        "game": GameFactory().pk,
        "starts_at": "2030-01-10T10:00:00Z",
        "registration_closes_at": "2030-01-09T10:00:00Z",
        **overrides,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "description"], ids=["single-line name", "multi-line description"])
@pytest.mark.parametrize("bad", ["nul", "right_to_left_override", "zero_width_joiner_in_latin", "lone_low_surrogate"])
def test_event_name_and_description_refuse_bad_characters(jwt_client, field, bad):
    response = post_json(jwt_client, "/api/v1/events", _event_body(**{field: f"Rules {BAD[bad]}"}))

    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_an_event_description_keeps_its_lines_and_tabs_and_a_name_may_not_have_them(jwt_client):
    description = "Best of 3.\r\n\tFinals best of 5."

    created = jwt_client.post("/api/v1/events", _event_body(description=description))
    refused = jwt_client.post("/api/v1/events", _event_body(name="Friday\nCup"))

    assert created.status_code == 201, created.content
    assert Event.objects.get().description == "Best of 3.\n\tFinals best of 5."
    assert refused.status_code == 400 and "name" in refused.json()["errors"]


@pytest.mark.django_db
def test_a_report_description_with_a_nul_is_400_and_no_report_exists(jwt_client):
    target = UserFactory()

    response = jwt_client.post(f"/api/v1/users/{target.pk}/report", {"reason": "spam", "description": "x\u0000y"})

    assert response.status_code == 400
    assert "description" in response.json()["errors"]
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_sign_up_refuses_a_username_with_invisible_characters(api_client):
    body = {"username": "ad\u200bmin", "email": "a@example.com", "password": "a-long-password-1"}

    response = api_client.post("/api/v1/auth/register", body)

    assert response.status_code == 400
    assert "username" in response.json()["errors"]
    assert not User.objects.exists()


# --- Pages: a form error, and nothing stored


@pytest.mark.django_db
@pytest.mark.parametrize("bad", ["nul", "right_to_left_override", "zero_width_space", "lone_high_surrogate"])
def test_the_profile_page_refuses_a_spoofing_display_name(player_client, user, bad):
    # (A form has no way to carry a lone surrogate but its UTF-8-like bytes, which arrive as U+FFFD.)
    value = "Ali%ED%A0%80" if bad == "lone_high_surrogate" else quote(f"Ali{BAD[bad]}")
    body = f"display_name={value}"

    response = player_client.post("/accounts/profile/", body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    assert response.context["form"].errors["display_name"]
    user.refresh_from_db()
    assert user.display_name.isascii()


@pytest.mark.django_db
def test_the_sign_up_page_refuses_a_display_name_with_a_direction_override(client):
    form = {
        "username": "new_player",
        "email": "new@example.com",
        "display_name": "\u202enimda",
        "password": "a-long-password-1",
        "password_confirm": "a-long-password-1",
    }

    response = client.post("/accounts/signup/", form)

    assert response.context["form"].errors["display_name"]
    assert not User.objects.filter(username="new_player").exists()


@pytest.mark.django_db
def test_the_team_page_refuses_a_zero_width_name(player_client):
    response = player_client.post("/events/teams/", {"name": "Team\u200bOne"})

    assert response.context["form"].errors["name"]
    assert not Team.objects.exists()


@pytest.mark.django_db
def test_the_event_form_refuses_a_bidi_isolate_in_the_description(player_client):
    form = {
        "name": "Friday Cup",
        "game": GameFactory().pk,
        "description": "Rules \u2066hidden\u2069",
        "tier": "community",
        "event_type": "online",
        "format": "single_elimination",
        "is_solo": "true",
        "team_size": 1,
        "max_participants": 8,
        "entry_fee": "0",
        "prize_pool": "0",
        "starts_at": "2030-01-10T10:00",
        "registration_closes_at": "2030-01-09T10:00",
    }

    response = player_client.post("/events/new/", form)

    assert response.context["form"].errors["description"]
    assert not Event.objects.exists()


@pytest.mark.django_db
def test_the_report_page_refuses_a_control_character(player_client):
    target = UserFactory()

    response = player_client.post(f"/players/{target.pk}/report/", {"reason": "spam", "description": "bad\u0007bell"})

    assert response.status_code == 400
    assert response.context["form"].errors["description"]
    assert not Report.objects.exists()
