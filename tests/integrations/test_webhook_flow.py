"""Signed webhooks end to end (issue 19): a real receiver on a local port hears every happening of an
event once, signed; a 500 is retried and the log shows both tries; a replay sends the same event id.

Transactional tests: deliveries are sent after commit, never inside a transaction, and the sender
refuses to run inside one (which a test wrapped in a transaction would be)."""

import json
import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from integrations.models import WebhookAttempt, WebhookDelivery
from integrations.services.endpoints import webhook_delivery_replay, webhook_endpoint_update
from integrations.services.sending import retry_delay, webhook_delivery_send
from integrations.services.signing import signature_verify
from integrations.tasks import webhooks_sweep
from tests.factories import UserFactory
from tests.integrations.receiver import readme_verify
from tests.integrations.support import endpoint_for, prize_event
from tests.tournaments.test_match_engine import match, player_of
from tournaments.brackets.services.matches import match_report, match_resolve
from tournaments.brackets.services.start import event_start
from tournaments.services.registrations import registration_join, registration_leave

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("local_webhooks", "plain_static_storage"),
]
Status = WebhookDelivery.Status


def four_player_final(settings, receiver, *, event_types=None):
    """An organizer with an endpoint at `receiver`, and a four-player event played to its payout."""
    settings.RESULTS_DISPUTE_WINDOW = timedelta(0)
    event = prize_event()
    endpoint, secret = endpoint_for(event.organizer, receiver.url, event_types)
    players = UserFactory.create_batch(5)
    for player in players:
        registration_join(event_id=event.pk, user=player)
    registration_leave(event_id=event.pk, user=players[4])
    event_start(event_id=event.pk, actor=event.organizer)
    first, second = match(event, "W1-1"), match(event, "W1-2")
    match_report(match_id=first.pk, actor=player_of(first.entry_a), score_a=2, score_b=0)
    match_report(match_id=first.pk, actor=player_of(first.entry_b), score_a=2, score_b=0)
    match_report(match_id=second.pk, actor=player_of(second.entry_a), score_a=2, score_b=0)
    match_report(match_id=second.pk, actor=player_of(second.entry_b), score_a=0, score_b=2)
    match_resolve(match_id=second.pk, actor=event.organizer, score_a=2, score_b=0)
    final = match(event, "W2-1")
    match_report(match_id=final.pk, actor=event.organizer, score_a=2, score_b=1)
    return event, endpoint, secret


def test_the_receiver_hears_every_happening_once_in_order_and_signed(settings, receiver):
    # given an organizer with an endpoint for every event type, when their event is played to the payout
    event, endpoint, secret = four_player_final(settings, receiver)

    # then the receiver heard each happening once, in the order it happened
    assert [request.event_type for request in receiver.requests] == [
        *["registration.confirmed"] * 5,
        "registration.withdrawn",
        "match.ready",
        "match.ready",
        "match.result_reported",
        "match.completed",
        "match.result_reported",
        "match.disputed",
        "match.completed",
        "match.ready",
        "match.completed",
        "event.completed",
        "event.prizes_paid",
    ]
    ids = [request.event_id for request in receiver.requests]
    assert len(set(ids)) == len(ids)
    # each signed with the endpoint's secret: the README's check and the platform's agree
    for request in receiver.requests:
        header = request.headers["driftwood-signature"]
        assert readme_verify(secret, request.body, header), request.event_type
        assert signature_verify(secret=secret, body=request.body, header=header)
        body = json.loads(request.body)
        assert (body["id"], body["type"]) == (request.event_id, request.event_type)
        assert body["data"]["event"]["id"] == event.pk
        assert request.headers["content-type"] == "application/json"
        assert request.path == "/hooks/driftwood"
    # and the payloads carry what happened
    bodies = [json.loads(request.body) for request in receiver.requests]
    final = bodies[-3]["data"]
    assert final["match"]["key"] == "W2-1"
    assert final["result"] == {"score_a": 2, "score_b": 1, "winner_entry_id": final["match"]["entry_a"]["id"]}
    assert bodies[-2]["data"]["placements"][0]["place"] == 1
    paid = bodies[-1]["data"]
    assert paid["prize_pool"] == "20.00"
    assert [(payout["place"], payout["amount"]) for payout in paid["payouts"]] == [(1, "20.00")]
    withdrawn = bodies[5]["data"]["registration"]
    assert withdrawn["status"] == "withdrawn"
    # and every delivery is recorded as sent after one attempt
    deliveries = WebhookDelivery.objects.filter(endpoint=endpoint)
    assert deliveries.count() == 17
    assert set(deliveries.values_list("status", "attempts", "last_response_code")) == {(Status.SENT, 1, 200)}


def test_an_endpoint_hears_only_the_events_it_subscribed_to(settings, receiver):
    # given an endpoint for results only
    four_player_final(settings, receiver, event_types=["match.completed", "event.completed"])

    # then the receiver heard those and nothing else
    assert [request.event_type for request in receiver.requests] == [
        "match.completed",
        "match.completed",
        "match.completed",
        "event.completed",
    ]


def joined(receiver, *, answers=()):
    """An organizer's endpoint at `receiver` for confirmed entries; one player joins; the receiver
    answers `answers` first."""
    event = prize_event()
    endpoint, _ = endpoint_for(event.organizer, receiver.url, ["registration.confirmed"])
    receiver.answer(*answers)
    registration_join(event_id=event.pk, user=UserFactory())
    return endpoint, WebhookDelivery.objects.get(endpoint=endpoint)


def test_a_500_is_retried_after_the_backoff_and_the_log_shows_both_attempts(receiver):
    # given a receiver that fails the first delivery with a 500
    endpoint, delivery = joined(receiver, answers=[500])

    # then the delivery waits for its retry, 30 seconds on
    assert delivery.status == Status.PENDING
    assert (delivery.attempts, delivery.failures, delivery.last_response_code) == (1, 1, 500)
    assert delivery.next_attempt_at - delivery.updated_at == retry_delay(1) == timedelta(seconds=30)
    # and it is not sent again before then
    assert webhook_delivery_send(delivery_id=delivery.pk) is None

    # when the backoff has passed
    retried = webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    # then the second attempt delivered it, with the same event id and body
    assert (retried.status, retried.attempts, retried.last_response_code) == (Status.SENT, 2, 200)
    first, second = receiver.requests
    assert (first.answered, second.answered) == (500, 200)
    assert first.event_id == second.event_id and first.body == second.body
    log = WebhookAttempt.objects.filter(delivery=delivery).order_by("number")
    assert list(log.values_list("response_code", "outcome")) == [(500, "retry"), (200, "sent")]
    # and the organizer's delivery log shows both attempts with their answers
    browser = Client()
    browser.force_login(endpoint.owner)
    page = browser.get(f"/organizer/webhooks/{endpoint.pk}/").content.decode()
    rows = re.findall(r'<tr data-attempt="(\d)">.*?<td class="num">(\d{3})</td>\s*<td>([^<]+)<', page, re.S)
    assert rows == [("1", "500", "Will retry"), ("2", "200", "Delivered")]
    # and a later attempt finds nothing left to do
    assert webhook_delivery_send(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=1)) is None
    assert len(receiver.requests) == 2


def test_a_slow_receiver_times_out_and_is_retried(settings, receiver):
    # given a receiver slower than the sender waits
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.hold()
    _, delivery = joined(receiver)
    receiver.release()

    # then the attempt counts as a failure to retry (the answer never came)
    assert (delivery.status, delivery.failures, delivery.last_response_code) == (Status.PENDING, 1, None)
    assert delivery.last_error == "Timed out."


def test_429_and_503_are_retried_while_a_4xx_refusal_is_final(receiver):
    _, delivery = joined(receiver, answers=[429, 503, 410])
    assert (delivery.status, delivery.last_response_code) == (Status.PENDING, 429)

    delivery = webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert (delivery.status, delivery.failures, delivery.last_response_code) == (Status.PENDING, 2, 503)
    assert delivery.next_attempt_at - delivery.updated_at == timedelta(minutes=1)

    delivery = webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)
    assert (delivery.status, delivery.last_response_code, delivery.next_attempt_at) == (Status.FAILED, 410, None)
    assert webhook_delivery_send(delivery_id=delivery.pk, now=timezone.now() + timedelta(days=1)) is None
    assert [request.answered for request in receiver.requests] == [429, 503, 410]


def test_a_delivery_gives_up_after_the_most_attempts(settings, receiver):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    _, delivery = joined(receiver, answers=[500, 500, 500])
    for _ in range(2):
        delivery = webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    assert (delivery.status, delivery.attempts, delivery.next_attempt_at) == (Status.FAILED, 3, None)
    assert "Gave up after 3 failed attempts." in delivery.last_error


def test_a_replay_sends_the_same_event_again_and_logs_it(receiver):
    # given a delivered event
    endpoint, delivery = joined(receiver)
    assert delivery.status == Status.SENT

    # when its owner sends it again
    webhook_delivery_replay(delivery_id=delivery.pk, actor=endpoint.owner)

    # then the receiver got the same event id and body a second time, and the log shows both
    first, again = receiver.requests
    assert again.event_id == first.event_id and again.body == first.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 2)
    assert delivery.attempt_log.count() == 2


def test_a_failed_delivery_replayed_gets_a_fresh_set_of_retries(settings, receiver):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    endpoint, delivery = joined(receiver, answers=[500])
    assert delivery.status == Status.FAILED

    webhook_delivery_replay(delivery_id=delivery.pk, actor=endpoint.owner)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.failures) == (Status.SENT, 2, 0)


def test_a_lost_task_only_delays_the_delivery_the_sweep_sends_it(settings, receiver):
    # given deliveries written while no task ran (the broker lost them)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _, delivery = joined(receiver)
    assert receiver.requests == [] and delivery.status == Status.PENDING

    # when the beat's sweep runs
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert webhooks_sweep() == 1

    # then it went out once
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert len(receiver.requests) == 1


def test_a_paused_endpoint_keeps_its_deliveries_until_resumed(receiver):
    # given a paused endpoint
    event = prize_event()
    endpoint, _ = endpoint_for(event.organizer, receiver.url, ["registration.confirmed"])
    webhook_endpoint_update(endpoint_id=endpoint.pk, actor=event.organizer, active=False)

    # when a player joins, nothing is written for it; and once resumed the next one is sent
    registration_join(event_id=event.pk, user=UserFactory())
    assert not WebhookDelivery.objects.exists()
    webhook_endpoint_update(endpoint_id=endpoint.pk, actor=event.organizer, active=True)
    registration_join(event_id=event.pk, user=UserFactory())
    assert len(receiver.requests) == 1


def test_the_receiver_is_never_called_inside_a_transaction(receiver):
    _, delivery = joined(receiver, answers=[500])

    with pytest.raises(RuntimeError, match="never sent inside a database transaction"), transaction.atomic():
        webhook_delivery_send(delivery_id=delivery.pk, now=delivery.next_attempt_at)

    assert len(receiver.requests) == 1


def test_an_entry_promoted_from_the_waitlist_is_announced_as_confirmed(receiver, settings):
    # given a full event of two with a third player waiting
    event = prize_event(max_participants=2)
    endpoint_for(event.organizer, receiver.url, ["registration.confirmed", "registration.withdrawn"])
    first, second, waiting = UserFactory.create_batch(3)
    registration_join(event_id=event.pk, user=first)
    registration_join(event_id=event.pk, user=second)
    registration_join(event_id=event.pk, user=waiting, waitlist=True)

    # when a confirmed player leaves
    registration_leave(event_id=event.pk, user=first)

    # then the receiver heard the two entries, the one leaving, and the waiting one taking the seat
    # (the seat changes hands in one transaction: the two last come in either order)
    heard = [
        (request.event_type, json.loads(request.body)["data"]["registration"]["user_id"])
        for request in receiver.requests
    ]
    assert heard[:2] == [("registration.confirmed", first.pk), ("registration.confirmed", second.pk)]
    assert sorted(heard[2:]) == [("registration.confirmed", waiting.pk), ("registration.withdrawn", first.pk)]
