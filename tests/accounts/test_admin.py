"""Staff manage players in Django admin."""

import pytest

from driftwood.accounts.models import User
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

CHANGELIST_URL = "/admin/accounts/user/"


def test_superuser_sees_players_in_the_changelist(admin_client):
    UserFactory(username="mei_ling", display_name="Mei Ling", subscription_tier=User.SubscriptionTier.PREMIUM)

    response = admin_client.get(CHANGELIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "mei_ling" in page
    assert "Mei Ling" in page
    assert "Premium" in page


def test_changelist_searches_by_display_name(admin_client):
    UserFactory(username="mei_ling", display_name="Harimau Malaya")
    UserFactory(username="aiman", display_name="Aiman")

    response = admin_client.get(CHANGELIST_URL, {"q": "harimau"})

    assert response.status_code == 200
    assert [user.username for user in response.context["cl"].result_list] == ["mei_ling"]


def test_superuser_edits_display_name_and_tier_on_the_change_page(admin_client):
    player = UserFactory(username="mei_ling", display_name="Mei Ling")
    change_url = f"{CHANGELIST_URL}{player.pk}/change/"

    page = admin_client.get(change_url)
    saved = admin_client.post(
        change_url,
        {
            "username": "mei_ling",
            "email": player.email,
            "display_name": "Mei the Great",
            "subscription_tier": "premium",
            "is_active": "on",
            "date_joined_0": "2025-01-01",
            "date_joined_1": "09:00:00",
        },
    )

    assert page.status_code == 200
    assert 'name="subscription_tier"' in page.content.decode()
    assert saved.status_code == 302
    player.refresh_from_db()
    assert player.display_name == "Mei the Great"
    assert player.subscription_tier == "premium"


def test_add_form_asks_for_an_email(admin_client):
    data = {
        "username": "new_player",
        "usable_password": "true",
        "password1": "Zx9!kq-ringgit",
        "password2": "Zx9!kq-ringgit",
    }

    without_email = admin_client.post(f"{CHANGELIST_URL}add/", data)
    with_email = admin_client.post(f"{CHANGELIST_URL}add/", {**data, "email": "new@example.com"})

    assert without_email.status_code == 200
    assert "email" in without_email.context["adminform"].form.errors
    assert with_email.status_code == 302
    assert User.objects.get(username="new_player").email == "new@example.com"


def test_add_form_refuses_an_email_taken_in_another_case(admin_client):
    UserFactory(email="mei@example.com")
    data = {
        "username": "new_player",
        "email": "MEI@example.com",
        "usable_password": "true",
        "password1": "Zx9!kq-ringgit",
        "password2": "Zx9!kq-ringgit",
    }

    response = admin_client.post(f"{CHANGELIST_URL}add/", data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["email"] == ["An account with that e-mail already exists."]
    assert not User.objects.filter(username="new_player").exists()


def test_non_staff_is_sent_to_the_admin_login(client, user):
    client.force_login(user)

    response = client.get(CHANGELIST_URL)

    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={CHANGELIST_URL}"
