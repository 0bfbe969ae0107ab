"""`/metrics`: who may read it, and the series it exposes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from prometheus_client import REGISTRY

from tests.core.dashboard_support import finish, free_event, joined
from tests.factories import UserFactory, funded_wallet
from tests.observability.support import METRICS_TOKEN, families, samples, scrape, value
from tournaments.models import PrizePayout
from wallet.models import CardRefund, TopUp, Withdrawal
from wallet.reconciliation import wallet_reconcile_and_alert
from wallet.services.balances import wallet_get_or_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN
    settings.METRICS_CACHE_SECONDS = 0
    return METRICS_TOKEN


def test_with_a_token_set_anonymous_and_wrong_callers_are_refused(client, metrics_token):
    anonymous = client.get("/metrics")
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token")
    basic = client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {metrics_token}")

    assert anonymous.status_code == wrong.status_code == basic.status_code == 401
    assert anonymous["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"driftwood_" not in anonymous.content + wrong.content + basic.content


def test_with_the_token_the_page_is_prometheus_text(client, metrics_token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_without_a_token_production_serves_nothing(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = False

    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything")

    assert response.status_code == 404
    assert b"driftwood_" not in response.content


def test_without_a_token_development_serves_everyone(client, settings):
    settings.METRICS_TOKEN = ""
    settings.DEBUG = True

    response = client.get("/metrics")

    assert response.status_code == 200
    assert b"driftwood_http_request_duration_seconds" in response.content


def test_requests_are_counted_by_route_method_and_status_with_their_queries(client, metrics_token, user):
    before = samples(scrape(client))
    client.force_login(user)

    client.get("/healthz")
    client.get("/healthz")
    client.get("/no/such/page")

    page = samples(scrape(client))
    labels = {"route": "/healthz", "method": "GET", "status": "200"}
    count = "driftwood_http_request_duration_seconds_count"
    assert value(page, count, **labels) - (value(before, count, **labels) or 0) == 2
    unmatched = {"route": "<unmatched>", "method": "GET", "status": "404"}
    assert value(page, count, **unmatched) - (value(before, count, **unmatched) or 0) == 1
    # /healthz reads the database once (SELECT 1) and the session once
    queries = "driftwood_http_request_db_queries_sum"
    added = value(page, queries, route="/healthz", method="GET") - (
        value(before, queries, route="/healthz", method="GET") or 0
    )
    assert added >= 2 * 1
    assert value(page, "driftwood_http_request_db_queries_count", route="/healthz", method="GET") >= 2


def _cache_gets() -> tuple[float, float]:
    return tuple(REGISTRY.get_sample_value("driftwood_cache_gets_total", {"result": r}) or 0 for r in ("hit", "miss"))


def test_cache_reads_are_counted_as_hits_and_misses(client, metrics_token):
    cache.set("observability-test", 1)
    hits, misses = _cache_gets()

    cache.get("observability-test")
    cache.get("observability-absent")
    cache.get_many(["observability-test", "observability-absent", "observability-absent-2"])

    assert _cache_gets() == (hits + 2, misses + 3)
    page = samples(scrape(client))
    assert value(page, "driftwood_cache_gets_total", result="hit") >= hits + 2


def test_the_named_series_are_all_on_the_page(client, metrics_token):
    page = families(scrape(client))

    assert {
        "driftwood_http_request_duration_seconds",
        "driftwood_http_request_db_queries",
        "driftwood_cache_gets",
        "driftwood_websocket_connections",
        "driftwood_websocket_connections_opened",
        "driftwood_websocket_messages",
        "driftwood_celery_tasks",
        "driftwood_celery_task_duration_seconds",
        "driftwood_celery_queue_length",
        "driftwood_topups",
        "driftwood_topups_amount_myr",
        "driftwood_joins",
        "driftwood_card_refunds",
        "driftwood_withdrawals",
        "driftwood_withdrawals_amount_myr",
        "driftwood_withdrawal_processing_oldest_seconds",
        "driftwood_prizes_paid",
        "driftwood_prizes_paid_amount_myr",
        "driftwood_metrics_scrape_errors",
    } <= page


def _topup(user, amount: str, status: str, *, age=timedelta(0)) -> TopUp:
    return TopUp.objects.create(
        user=user,
        wallet=wallet_get_or_create(user=user),
        amount=Decimal(amount),
        status=status,
        created_at=timezone.now() - age,
    )


def _withdrawal(user, amount: str, status: str, *, age=timedelta(0), processing_for=None) -> Withdrawal:
    now = timezone.now()
    return Withdrawal.objects.create(
        user=user,
        wallet=wallet_get_or_create(user=user),
        amount=Decimal(amount),
        fee=Decimal("1.00"),
        total=Decimal(amount) + 1,
        status=status,
        bank_name="Maybank",
        bank_last4="7890",
        created_at=now - age,
        processing_since=now - processing_for if processing_for is not None else None,
    )


def _refund(amount: str, state: str, *, age=timedelta(0)) -> CardRefund:
    return CardRefund.objects.create(
        payment_intent_id="pi_test",
        amount=Decimal(amount),
        idempotency_key=f"refund-{CardRefund.objects.count()}-{state}",
        state=state,
        description="test",
        confirmed_at=timezone.now() if state == "succeeded" else None,
        created_at=timezone.now() - age,
    )


def test_business_figures_equal_what_the_rows_say(client, metrics_token):
    # given top-ups, withdrawals and card refunds of today and of last week
    player = UserFactory()
    _topup(player, "50.00", "succeeded")
    _topup(player, "25.50", "succeeded")
    _topup(player, "10.00", "pending")
    _topup(player, "99.00", "succeeded", age=timedelta(days=3))  # outside the day
    _withdrawal(player, "40.00", "processing", age=timedelta(days=2), processing_for=timedelta(hours=2))
    _withdrawal(player, "30.00", "processing", processing_for=timedelta(minutes=5))
    _withdrawal(player, "20.00", "review", age=timedelta(days=9))  # open: counted whatever its age
    _withdrawal(player, "15.00", "completed")
    _withdrawal(player, "70.00", "completed", age=timedelta(days=5))  # finished long ago: not counted
    _refund("12.00", "failed", age=timedelta(days=4))
    _refund("8.00", "succeeded")
    _refund("9.00", "succeeded", age=timedelta(days=4))
    # and joins and prizes of today
    event = free_event(max_participants=4)
    winner, runner_up = joined(event, UserFactory(), UserFactory())
    entries = finish(event, [1, 2], ago=timedelta(hours=1))
    PrizePayout.objects.create(event=event, entry=entries[0], user=winner, place=1, amount=Decimal("60.00"))
    PrizePayout.objects.create(event=event, entry=entries[1], user=runner_up, place=2, amount=Decimal("30.00"))

    page = samples(scrape(client))

    assert value(page, "driftwood_topups", status="succeeded") == 2
    assert value(page, "driftwood_topups_amount_myr", status="succeeded") == 75.5
    assert value(page, "driftwood_topups", status="pending") == 1
    assert value(page, "driftwood_withdrawals", status="processing") == 2
    assert value(page, "driftwood_withdrawals_amount_myr", status="processing") == 70.0
    assert value(page, "driftwood_withdrawals", status="review") == 1
    assert value(page, "driftwood_withdrawals", status="completed") == 1
    assert 2 * 3600 <= value(page, "driftwood_withdrawal_processing_oldest_seconds") < 2 * 3600 + 60
    assert value(page, "driftwood_card_refunds", state="failed") == 1
    assert value(page, "driftwood_card_refunds", state="succeeded") == 1
    assert value(page, "driftwood_card_refunds_amount_myr", state="succeeded") == 8.0
    assert value(page, "driftwood_joins", status="confirmed") == 2
    assert value(page, "driftwood_prizes_paid") == 2
    assert value(page, "driftwood_prizes_paid_amount_myr") == 90.0


def test_the_reconcile_difference_is_the_last_runs_and_zero_when_the_books_balance(client, metrics_token):
    funded_wallet(UserFactory(), "25.00")
    assert value(samples(scrape(client)), "driftwood_reconcile_difference_myr") is None  # never ran yet

    wallet_reconcile_and_alert()

    page = samples(scrape(client))
    assert value(page, "driftwood_reconcile_difference_myr") == 0
    assert value(page, "driftwood_reconcile_problems") == 0
    assert abs(value(page, "driftwood_reconcile_last_run_timestamp_seconds") - timezone.now().timestamp()) < 60


def test_a_reconcile_that_finds_money_missing_shows_the_difference(client, metrics_token):
    # given a top-up recorded as captured by Stripe that the ledger never booked
    topup = _topup(UserFactory(), "42.00", "succeeded")
    TopUp.objects.filter(pk=topup.pk).update(succeeded_at=timezone.now())

    wallet_reconcile_and_alert()

    page = samples(scrape(client))
    assert value(page, "driftwood_reconcile_difference_myr") == 42.0
    assert value(page, "driftwood_reconcile_problems") >= 1


def test_queue_depths_come_from_the_broker(client, metrics_token):
    from driftwood.celery import app

    with app.connection_for_write() as connection:
        for _ in range(3):
            app.send_task("driftwood.core.tasks.purge_expired_idempotency_keys", queue="low", connection=connection)

    page = samples(scrape(client))

    assert value(page, "driftwood_celery_queue_length", queue="low") == 3
    assert value(page, "driftwood_celery_queue_length", queue="high") == 0
