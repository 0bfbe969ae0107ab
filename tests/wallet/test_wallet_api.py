"""GET /wallet and GET /wallet/transactions, per the contract."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from driftwood.core import versioned_cache
from tests.conftest import bearer_client
from tests.factories import UserFactory, funded_wallet, wallet_receive, wallet_spend
from wallet.cache import wallet_cache_key, wallet_summary_cached
from wallet.models import LedgerEntry
from wallet.services.balances import (
    wallet_get_or_create,
    wallet_hold,
)

pytestmark = pytest.mark.django_db
Type = LedgerEntry.Type


def test_wallet_is_created_on_first_use_with_zero_balances(jwt_client, user):
    response = jwt_client.get("/api/v1/wallet")

    assert response.status_code == 200
    assert response.json() == {
        "currency": "MYR",
        "current_balance": "0.00",
        "usable_balance": "0.00",
        "pending_balance": "0.00",
        "has_bank_account": False,
        "bank_name": None,
        "bank_last4": None,
        "account_holder_name": None,
    }
    assert wallet_get_or_create(user=user).reference == f"user:{user.pk}"


def test_wallet_requires_authentication(api_client):
    response = api_client.get("/api/v1/wallet")

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db(transaction=True)  # publishing happens on commit
def test_balance_is_never_stale_after_a_write(jwt_client, user):
    wallet = funded_wallet(user, "100.00")
    assert jwt_client.get("/api/v1/wallet").json()["usable_balance"] == "100.00"  # now cached

    wallet_hold(wallet=wallet, amount=Decimal("40.00"), description="Withdrawal")
    after_hold = jwt_client.get("/api/v1/wallet/").json()
    wallet_spend(wallet, "10.00", description="Fee")
    after_debit = jwt_client.get("/api/v1/wallet").json()

    assert (after_hold["current_balance"], after_hold["usable_balance"], after_hold["pending_balance"]) == (
        "100.00",
        "60.00",
        "40.00",
    )
    assert (after_debit["current_balance"], after_debit["usable_balance"]) == ("90.00", "50.00")


@pytest.mark.django_db(transaction=True)
def test_a_slow_reader_cannot_put_an_older_balance_back_into_the_cache(jwt_client, user):
    # given a reader that loaded the wallet before a write committed
    wallet = funded_wallet(user, "100.00")
    stale_copy = wallet_get_or_create(user=user)
    wallet_spend(wallet, "25.00", description="Fee")

    # when it fills the cache with what it read, after the writer published
    wallet_summary_cached(stale_copy)

    # then the cache and the API still show the newer balance
    assert versioned_cache.get(wallet_cache_key(user.pk))["usable_balance"] == "75.00"
    assert jwt_client.get("/api/v1/wallet").json()["usable_balance"] == "75.00"


def test_transactions_are_the_callers_own_newest_first_with_signed_amounts(jwt_client, user):
    wallet = funded_wallet(user, "50.00")
    wallet_spend(wallet, "12.50", description="Fee for Cup")
    funded_wallet(UserFactory(), "999.00")

    response = jwt_client.get("/api/v1/wallet/transactions")

    assert response.status_code == 200
    body = response.json()
    assert body["has_more"] is False and body["page"] == 1
    assert [(row["transaction_type"], row["amount"], row["balance_after"]) for row in body["results"]] == [
        ("entry_fee", "-12.50", "37.50"),
        ("adjustment", "50.00", "50.00"),
    ]
    assert body["results"][0]["description"] == "Fee for Cup"
    assert set(body["results"][0]) == {"id", "transaction_type", "amount", "balance_after", "description", "created_at"}


def test_transactions_filter_by_type_and_paginate(jwt_client, user):
    wallet = funded_wallet(user, "100.00")
    for _ in range(5):
        wallet_receive(wallet, "1.00", transaction_type=Type.PRIZE, description="Prize")

    first = jwt_client.get("/api/v1/wallet/transactions?type=prize&limit=3").json()
    second = jwt_client.get("/api/v1/wallet/transactions?type=prize&limit=3&page=2").json()

    assert (len(first["results"]), first["has_more"]) == (3, True)
    assert (len(second["results"]), second["has_more"], second["page"]) == (2, False, 2)
    assert {row["transaction_type"] for row in first["results"] + second["results"]} == {"prize"}
    assert len({row["id"] for row in first["results"] + second["results"]}) == 5


def test_transactions_filter_by_date_range_inclusive(jwt_client, user):
    wallet = funded_wallet(user, "100.00")
    today = timezone.now().date()  # the API works in UTC days

    in_range = jwt_client.get(f"/api/v1/wallet/transactions?start_date={today}&end_date={today}").json()
    before = jwt_client.get(f"/api/v1/wallet/transactions?end_date={today - timedelta(days=1)}").json()

    assert len(in_range["results"]) == LedgerEntry.objects.filter(wallet=wallet).count() == 1
    assert before["results"] == []


@pytest.mark.parametrize(
    "query",
    ["start_date=2026-13-01", "end_date=yesterday", "start_date=2026-11-20&end_date=2026-11-19", "type=bonus"],
)
def test_bad_filters_are_400_with_field_errors(jwt_client, query):
    response = jwt_client.get(f"/api/v1/wallet/transactions?{query}")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert response.json()["errors"]


def test_transaction_list_query_count_does_not_grow_with_rows(django_assert_max_num_queries, user):
    wallet = funded_wallet(user, "100.00")
    for _ in range(30):
        wallet_receive(wallet, "1.00", transaction_type=Type.PRIZE, description="Prize")
    client = bearer_client(user)

    with django_assert_max_num_queries(3):
        response = client.get("/api/v1/wallet/transactions?limit=100")

    assert len(response.json()["results"]) == 31
