"""Match reporting over the REST API when things go wrong: disagreements, the organizer's word,
reopened matches, disputes with evidence, and who may do what.

The events are set up through the services (free, no check-in, started); everything under
test goes through /api/v1/matches/... as a mobile client would.
"""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from driftwood.notifications.models import Notification
from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory, funded_wallet
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Entry, Event, Match, MatchReport, PrizePayout
from tournaments.services.events import escrow_wallet, event_publish
from tournaments.services.registrations import registration_join
from wallet.models import Wallet

pytestmark = pytest.mark.django_db
MATCHES = "/api/v1/matches"


def started_event(entrants: int = 4, *, prize_pool: str = "0.00", distribution=(), **options) -> Event:
    """A free event with `entrants` players seeded in registration order, published and started."""
    organizer = UserFactory()
    if Decimal(prize_pool):
        funded_wallet(organizer, prize_pool)
    event = EventFactory(
        organizer=organizer,
        status="draft",
        published_at=None,
        entry_fee=Decimal("0.00"),
        prize_pool=Decimal(prize_pool),
        prize_distribution=list(distribution),
        check_in_minutes=0,
        max_participants=16,
        **options,
    )
    event_publish(event_id=event.pk, actor=organizer)
    for _ in range(entrants):
        registration_join(event_id=event.pk, user=UserFactory())
    event_start(event_id=event.pk, actor=organizer)
    event.refresh_from_db()
    return event


def match(event: Event, key: str) -> Match:
    return Match.objects.select_related("entry_a__registration__user", "entry_b__registration__user").get(
        event=event, key=key
    )


def side(entry: Entry):
    return bearer_client(entry.registration.user)


def report(client, current: Match, score_a: int, score_b: int):
    return client.post(f"{MATCHES}/{current.pk}/report", {"score_a": score_a, "score_b": score_b}, format="json")


def play(event: Event, key: str, score_a: int, score_b: int) -> Match:
    """Both sides report the same score through the API."""
    current = match(event, key)
    for entry in (current.entry_a, current.entry_b):
        response = report(side(entry), current, score_a, score_b)
        assert response.status_code == 200, response.json()
    return match(event, key)


def assert_error(response, status: int, code: str) -> None:
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code, response.json()


class TestReporting:
    def test_conflicting_reports_make_the_dispute_opened_and_keep_both_versions(self):
        event = started_event()
        current = match(event, "W1-1")

        first = report(side(current.entry_a), current, 2, 0)
        second = report(side(current.entry_b), current, 0, 2)

        assert (first.status_code, first.json()["status"]) == (200, "reported")
        assert second.status_code == 200, second.json()
        body = second.json()
        assert (body["status"], body["winner"], body["score_a"], body["score_b"]) == ("disputed", None, None, None)
        assert list(MatchReport.objects.filter(match=current).values_list("side", "score_a", "score_b")) == [
            ("a", 2, 0),
            ("b", 0, 2),
        ]
        assert match(event, "W2-1").entry_a is None
        assert Notification.objects.filter(user=event.organizer, kind="dispute_opened").exists()

        # when side a gives in, its new version agrees with b and the match completes
        conceded = report(side(current.entry_a), current, 0, 2)

        assert conceded.json()["status"] == "completed"
        assert conceded.json()["winner"]["id"] == current.entry_b_id
        versions = MatchReport.objects.filter(match=current, side="a").order_by("version")
        assert [(row.version, row.score_a, row.score_b) for row in versions] == [(1, 2, 0), (2, 0, 2)]

    def test_the_organizer_resolves_a_dispute_and_the_winner_advances(self):
        event = started_event()
        current = match(event, "W1-1")
        report(side(current.entry_a), current, 2, 0)
        report(side(current.entry_b), current, 0, 2)
        organizer = bearer_client(event.organizer)

        refused = side(current.entry_a).post(f"{MATCHES}/{current.pk}/resolve", {"score_a": 2, "score_b": 0})
        response = organizer.post(
            f"{MATCHES}/{current.pk}/resolve", {"score_a": 2, "score_b": 1, "resolution": "Checked the VOD."}
        )

        assert_error(refused, 403, "permission_denied")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["status"], body["score_a"], body["score_b"]) == ("completed", 2, 1)
        assert body["winner"]["id"] == current.entry_a_id
        assert match(event, "W2-1").entry_a_id == current.entry_a_id
        assert MatchReport.objects.filter(match=current, side="organizer").count() == 1

    def test_the_organizers_report_completes_a_match_alone(self):
        event = started_event()
        current = match(event, "W1-2")

        response = report(bearer_client(event.organizer), current, 0, 1)

        assert response.status_code == 200, response.json()
        assert response.json()["status"] == "completed"
        assert response.json()["winner"]["id"] == current.entry_b_id
        final = match(event, "W2-1")
        assert (final.entry_b_id, final.status) == (current.entry_b_id, Match.Status.PENDING)

    def test_only_the_matchs_players_and_the_organizer_may_report(self):
        event = started_event()
        current, other = match(event, "W1-1"), match(event, "W1-2")

        from_other_match = report(side(other.entry_a), current, 1, 0)
        from_stranger = report(bearer_client(UserFactory()), current, 1, 0)
        from_anonymous = report(APIClient(), current, 1, 0)

        assert_error(from_other_match, 403, "permission_denied")
        assert_error(from_stranger, 403, "permission_denied")
        assert from_anonymous.status_code == 401
        assert not MatchReport.objects.exists()
        assert match(event, "W1-1").status == Match.Status.READY

    def test_a_draw_in_elimination_is_an_invalid_score(self):
        event = started_event()
        current = match(event, "W1-1")

        response = report(side(current.entry_a), current, 1, 1)

        assert_error(response, 400, "invalid_score")
        assert not MatchReport.objects.exists()

    def test_a_match_still_waiting_for_players_cannot_be_reported(self):
        event = started_event()
        final = match(event, "W2-1")

        response = report(bearer_client(event.organizer), final, 1, 0)

        assert final.status == Match.Status.PENDING
        assert_error(response, 409, "match_not_playable")
        assert not MatchReport.objects.exists()

    def test_unknown_matches_and_others_drafts_are_not_found(self):
        draft = EventFactory(status="draft", published_at=None)
        stranger = bearer_client(UserFactory())

        assert_error(stranger.get(f"{MATCHES}/999999"), 404, "not_found")
        assert_error(report(stranger, Match(pk=999999), 1, 0), 404, "not_found")
        assert_error(bearer_client(draft.organizer).post(f"{MATCHES}/999999/reopen"), 404, "not_found")
        assert_error(stranger.get(f"/api/v1/events/{draft.pk}/matches"), 404, "not_found")
        own = bearer_client(draft.organizer).get(f"/api/v1/events/{draft.pk}/matches")
        assert own.status_code == 200
        assert own.json()["results"] == []

    def test_the_matches_of_an_event_the_caller_cannot_see_are_not_listed(self):
        # given an event with matches that is a draft again (written directly, past the services' rules)
        event = started_event()
        Event.objects.filter(pk=event.pk).update(status=Event.Status.DRAFT)
        stranger, organizer = bearer_client(UserFactory()), bearer_client(event.organizer)
        path = f"/api/v1/events/{event.pk}/matches"

        # when a stranger lists them (also with a bad page or cursor), and the organizer does
        listed = [stranger.get(path), stranger.get(f"{path}?page=0"), stranger.get(f"{path}?cursor=forged")]
        own = organizer.get(path)

        # then the stranger is told the event does not exist, before any complaint about the paging
        for response in listed:
            assert_error(response, 404, "not_found")
        assert [row["id"] for row in own.json()["results"]] == list(
            Match.objects.filter(event=event).order_by("round", "position").values_list("pk", flat=True)
        )


class TestReopen:
    def test_reopening_rolls_the_winner_back_and_a_new_result_advances_the_new_winner(self):
        event = started_event()
        first = play(event, "W1-1", 2, 0)
        play(event, "W1-2", 2, 1)
        assert match(event, "W2-1").status == Match.Status.READY
        organizer = bearer_client(event.organizer)

        refused = side(first.entry_a).post(f"{MATCHES}/{first.pk}/reopen")
        response = organizer.post(f"{MATCHES}/{first.pk}/reopen")

        assert_error(refused, 403, "permission_denied")
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["status"], body["winner"], body["score_a"], body["score_b"]) == ("ready", None, None, None)
        final = match(event, "W2-1")
        assert (final.entry_a_id, final.status) == (None, Match.Status.PENDING)
        assert final.entry_b_id == match(event, "W1-2").winner_id  # the other semifinal stays

        # a report of the first attempt no longer counts: side a alone only makes it "reported"
        alone = report(side(first.entry_a), first, 0, 2)
        assert alone.json()["status"] == "reported"
        agreed = report(side(first.entry_b), first, 0, 2)
        assert agreed.json()["status"] == "completed"
        final = match(event, "W2-1")
        assert (final.entry_a_id, final.status) == (first.entry_b_id, Match.Status.READY)

    def test_reopening_is_refused_once_the_next_match_has_a_report(self):
        event = started_event()
        first = play(event, "W1-1", 2, 0)
        play(event, "W1-2", 2, 1)
        final = match(event, "W2-1")
        assert report(side(final.entry_a), final, 2, 0).status_code == 200

        response = bearer_client(event.organizer).post(f"{MATCHES}/{first.pk}/reopen")

        assert_error(response, 409, "reopen_refused")
        first.refresh_from_db()
        assert (first.status, first.winner_id) == (Match.Status.COMPLETED, first.entry_a_id)
        assert match(event, "W2-1").entry_a_id == first.entry_a_id

    def test_reopening_a_pending_or_ready_match_is_not_possible(self):
        event = started_event()

        response = bearer_client(event.organizer).post(f"{MATCHES}/{match(event, 'W1-1').pk}/reopen")

        assert_error(response, 409, "match_not_playable")

    def test_reopening_in_double_elimination_takes_the_loser_out_of_the_losers_bracket_too(self):
        event = started_event(format="double_elimination", bracket_reset=False)
        first = play(event, "W1-1", 2, 0)
        play(event, "W1-2", 0, 2)
        losers = match(event, "L1-1")
        assert (losers.entry_a_id, losers.entry_b_id, losers.status) == (
            first.entry_b_id,
            match(event, "W1-2").entry_a_id,
            Match.Status.READY,
        )

        response = bearer_client(event.organizer).post(f"{MATCHES}/{first.pk}/reopen")

        assert response.status_code == 200, response.json()
        losers = match(event, "L1-1")
        assert (losers.entry_a_id, losers.status) == (None, Match.Status.PENDING)
        assert losers.entry_b_id == match(event, "W1-2").entry_a_id
        assert match(event, "W2-1").entry_a_id is None

        # the upset now sends the other player down
        play(event, "W1-1", 0, 2)
        assert match(event, "L1-1").entry_a_id == first.entry_a_id
        assert match(event, "W2-1").entry_a_id == first.entry_b_id


class TestDisputes:
    @pytest.fixture(autouse=True)
    def _media(self, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.DISPUTE_EVIDENCE_MAX_BYTES = 1024
        self.media = tmp_path

    def dispute(self, client, current: Match, *, size: int | None = None, reason: str = "The score is wrong."):
        data = {"reason": reason}
        if size is not None:
            data["evidence"] = SimpleUploadedFile("clip.png", b"\x89PNG" + b"0" * (size - 4), content_type="image/png")
        return client.post(f"{MATCHES}/{current.pk}/disputes", data, format="multipart")

    def test_a_player_disputes_a_result_with_an_evidence_file(self):
        event = started_event()
        current = play(event, "W1-1", 2, 0)

        response = self.dispute(side(current.entry_b), current, size=1024)

        assert response.status_code == 201, response.json()
        dispute = Dispute.objects.get()
        assert response.json() == {
            "id": dispute.pk,
            "match_id": current.pk,
            "status": "open",
            "reason": "The score is wrong.",
            "has_evidence": True,
            "evidence_url": f"http://testserver/api/v1/disputes/{dispute.pk}/evidence",
        }
        assert dispute.opened_by == current.entry_b.registration.user
        assert (self.media / dispute.evidence.name).read_bytes()[:4] == b"\x89PNG"
        assert (self.media / dispute.evidence.name).stat().st_size == 1024
        assert Notification.objects.filter(user=event.organizer, kind="dispute_opened").exists()

        # one open dispute per match
        again = self.dispute(side(current.entry_a), current)
        assert_error(again, 409, "dispute_open")

    def test_evidence_over_the_size_limit_is_refused_and_nothing_is_created(self):
        event = started_event()
        current = play(event, "W1-1", 2, 0)

        response = self.dispute(side(current.entry_b), current, size=1025)

        assert_error(response, 400, "invalid")
        assert not Dispute.objects.exists()
        assert list(self.media.rglob("*.png")) == []
        assert match(event, "W1-1").status == Match.Status.COMPLETED

    def test_only_the_matchs_players_may_dispute_it(self):
        event = started_event()
        current = play(event, "W1-1", 2, 0)
        other = match(event, "W1-2")

        assert_error(self.dispute(side(other.entry_a), current), 403, "permission_denied")
        assert_error(self.dispute(bearer_client(UserFactory()), current), 403, "permission_denied")
        assert not Dispute.objects.exists()

    @pytest.mark.parametrize("upheld", [False, True], ids=["result-stands", "result-reversed"])
    def test_an_open_dispute_on_the_final_holds_the_prizes_until_resolved(self, upheld):
        event = started_event(2, prize_pool="100.00", distribution=[70, 30])
        final = play(event, "W1-1", 2, 0)
        champion, runner_up = final.entry_a.registration.user, final.entry_b.registration.user
        assert Event.objects.get(pk=event.pk).status == Event.Status.COMPLETED
        assert self.dispute(side(final.entry_b), final).status_code == 201
        # the dispute window is over, but the dispute is still open
        Event.objects.filter(pk=event.pk).update(completed_at=timezone.now() - timedelta(hours=25))

        call_command("process_results", stdout=io.StringIO())

        event.refresh_from_db()
        assert event.prizes_paid_at is None
        assert not PrizePayout.objects.exists()
        assert escrow_wallet(event).usable_balance == Decimal("100.00")

        # when the organizer resolves it (keeping or reversing the result)
        score = (0, 2) if upheld else (2, 0)
        resolved = bearer_client(event.organizer).post(
            f"{MATCHES}/{final.pk}/resolve",
            {"score_a": score[0], "score_b": score[1], "resolution": "Decided."},
            format="json",
        )
        assert resolved.status_code == 200, resolved.json()
        dispute = Dispute.objects.get()
        assert (dispute.status, dispute.resolution, dispute.resolved_by_id) == (
            "resolved",
            "Decided.",
            event.organizer_id,
        )
        if upheld:
            champion, runner_up = runner_up, champion
            # A reversed final completed again just now: its own dispute window starts over.
            call_command("process_results", stdout=io.StringIO())
            assert not PrizePayout.objects.exists()
            Event.objects.filter(pk=event.pk).update(completed_at=timezone.now() - timedelta(hours=25))

        call_command("process_results", stdout=io.StringIO())

        # then the prizes follow the final result
        event.refresh_from_db()
        assert event.status == Event.Status.COMPLETED
        assert event.prizes_paid_at is not None
        assert {payout.user_id: payout.amount for payout in PrizePayout.objects.all()} == {
            champion.pk: Decimal("70.00"),
            runner_up.pk: Decimal("30.00"),
        }
        assert Wallet.objects.get(owner=champion).usable_balance == Decimal("70.00")
        assert Wallet.objects.get(owner=runner_up).usable_balance == Decimal("30.00")
        assert escrow_wallet(event).current_balance == Decimal("0.00")
