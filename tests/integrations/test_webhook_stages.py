"""The organizer's webhooks hear a two-stage event's playoff being drawn: `stage.completed` once, signed,
with the group tables and the playoff's seeds, then the playoff's first `match.ready` events."""

import json

import pytest

from tests.factories import UserFactory
from tests.integrations.receiver import readme_verify
from tests.integrations.support import endpoint_for, prize_event
from tournaments.brackets.services.matches import match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Match, Stage
from tournaments.services.registrations import registration_join

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("local_webhooks", "plain_static_storage"),
]


def test_the_receiver_hears_the_group_stage_end_once_then_the_playoffs_ready_matches(receiver):
    # given an organizer with an endpoint for stage and match-ready events, and 8 players in 2 groups
    event = prize_event(format="round_robin", groups=2, playoff_format="double_elimination", max_participants=8)
    _endpoint, secret = endpoint_for(event.organizer, receiver.url, ["stage.completed", "match.ready"])
    for player in UserFactory.create_batch(8):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    receiver.requests.clear()

    # when every group match is played
    for match in Match.objects.filter(event=event, stage__number=1).select_related("entry_a", "entry_b"):
        a_wins = match.entry_a.seed < match.entry_b.seed
        match_report(match_id=match.pk, actor=event.organizer, score_a=int(a_wins), score_b=int(not a_wins))

    # then the receiver heard stage.completed once, signed, then the playoff's two semifinals
    assert [request.event_type for request in receiver.requests] == ["stage.completed", *["match.ready"] * 2]
    stage_request = receiver.requests[0]
    assert readme_verify(secret, stage_request.body, stage_request.headers["driftwood-signature"])
    data = json.loads(stage_request.body)["data"]
    playoff = Stage.objects.get(event=event, number=2)
    assert data["stage"] == {"number": 1, "format": "round_robin"}
    assert [[entry["id"] for entry in group["entries"]] for group in data["groups"]] == playoff.options["groups"]
    assert data["next_stage"]["format"] == "double_elimination" and data["next_stage"]["advance"] == 2
    assert [entry["id"] for entry in data["next_stage"]["seeds"]] == playoff.options["seeds"]
    ready = {json.loads(request.body)["data"]["match"]["id"] for request in receiver.requests[1:]}
    assert ready == set(Match.objects.filter(stage=playoff, status=Match.Status.READY).values_list("pk", flat=True))
