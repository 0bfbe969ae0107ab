"""Staff screens for brackets: matches with their reports, the open-disputes queue and its resolve
page (which goes through match_resolve), and read-only entries."""

from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import EventFactory, UserFactory
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Entry, Match
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

MATCHES_URL = "/admin/tournaments/match/"
DISPUTES_URL = "/admin/tournaments/dispute/"
ENTRIES_URL = "/admin/tournaments/entry/"


def started_event(count: int):
    event = EventFactory(entry_fee=Decimal("0.00"), check_in_minutes=0, max_participants=count)
    for player in UserFactory.create_batch(count):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    return event


def match(event, key: str) -> Match:
    return Match.objects.select_related("entry_a__registration", "entry_b__registration").get(event=event, key=key)


def disputed_match(event, key: str = "W1-1") -> tuple[Match, Dispute]:
    """Side A reports 2-0, side B reports 0-2 and opens a dispute."""
    disputed = match(event, key)
    player_a, player_b = disputed.entry_a.registration.user, disputed.entry_b.registration.user
    match_report(match_id=disputed.pk, actor=player_a, score_a=2, score_b=0)
    match_report(match_id=disputed.pk, actor=player_b, score_a=0, score_b=2)
    dispute = dispute_open(match_id=disputed.pk, actor=player_b, reason="Disconnect in game 2.")
    disputed.refresh_from_db()
    return disputed, dispute


def shown_messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_matches_list_with_sides_and_scores_filtered_by_status(admin_client):
    event = started_event(4)
    match_report(match_id=match(event, "W1-1").pk, actor=event.organizer, score_a=2, score_b=1)

    completed = admin_client.get(MATCHES_URL, {"status__exact": "completed"})
    searched = admin_client.get(MATCHES_URL, {"q": "W2-1"})

    [row] = completed.context["cl"].result_list
    assert row.key == "W1-1"
    assert f"{row.entry_a.name}" in completed.content.decode()
    assert "2 - 1" in completed.content.decode()
    assert [found.key for found in searched.context["cl"].result_list] == ["W2-1"]


def test_a_match_page_shows_every_report_version_and_cannot_be_edited(admin_client):
    event = started_event(4)
    disputed, _dispute = disputed_match(event)

    page = admin_client.get(f"{MATCHES_URL}{disputed.pk}/change/")
    edit = admin_client.post(f"{MATCHES_URL}{disputed.pk}/change/", {"status": "completed"})

    assert page.status_code == 200
    body = page.content.decode()
    assert "Disconnect in game 2." in body
    reports = page.context["inline_admin_formsets"][0].formset.queryset
    assert [(report.side, report.score_a, report.score_b) for report in reports] == [("a", 2, 0), ("b", 0, 2)]
    assert 'name="_save"' not in body
    assert edit.status_code == 403
    disputed.refresh_from_db()
    assert disputed.status == Match.Status.DISPUTED


def test_the_disputes_queue_opens_on_the_open_ones(admin_client):
    event = started_event(4)
    _open_match, open_dispute = disputed_match(event, "W1-1")
    _closed_match, closed_dispute = disputed_match(event, "W1-2")
    Dispute.objects.filter(pk=closed_dispute.pk).update(status=Dispute.Status.RESOLVED)

    default = admin_client.get(DISPUTES_URL)
    everything = admin_client.get(DISPUTES_URL, {"status": "all"})
    resolved = admin_client.get(DISPUTES_URL, {"status": "resolved"})

    assert [dispute.pk for dispute in default.context["cl"].result_list] == [open_dispute.pk]
    assert f"{DISPUTES_URL}{open_dispute.pk}/resolve/" in default.content.decode()
    assert {dispute.pk for dispute in everything.context["cl"].result_list} == {open_dispute.pk, closed_dispute.pk}
    assert [dispute.pk for dispute in resolved.context["cl"].result_list] == [closed_dispute.pk]


def test_staff_resolve_a_dispute_and_the_winner_advances(admin_client, admin_user):
    event = started_event(4)
    disputed, dispute = disputed_match(event)
    resolve_url = f"{DISPUTES_URL}{dispute.pk}/resolve/"

    page = admin_client.get(resolve_url)
    response = admin_client.post(resolve_url, {"score_a": "0", "score_b": "2", "resolution": "Video shows B won."})

    assert "Disconnect in game 2." in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == DISPUTES_URL
    disputed.refresh_from_db()
    assert (disputed.status, disputed.winner_id) == (Match.Status.COMPLETED, disputed.entry_b_id)
    assert match(event, "W2-1").entry_a_id == disputed.entry_b_id
    dispute.refresh_from_db()
    assert (dispute.status, dispute.resolution, dispute.resolved_by) == ("resolved", "Video shows B won.", admin_user)
    assert disputed.reports.filter(side="staff", score_a=0, score_b=2, reported_by=admin_user).exists()
    assert LogEntry.objects.filter(object_id=str(dispute.pk), user=admin_user).exists()


def test_a_refused_resolution_leaves_the_dispute_open(admin_client):
    event = started_event(4)
    disputed, dispute = disputed_match(event)

    response = admin_client.post(f"{DISPUTES_URL}{dispute.pk}/resolve/", {"score_a": "1", "score_b": "1"}, follow=True)

    assert any("the scores cannot be level" in message for message in shown_messages(response))
    dispute.refresh_from_db()
    disputed.refresh_from_db()
    assert (dispute.status, disputed.status) == ("open", Match.Status.DISPUTED)


def test_only_staff_reach_the_resolve_page(client):
    event = started_event(4)
    disputed, dispute = disputed_match(event)
    client.force_login(disputed.entry_a.registration.user)

    response = client.post(f"{DISPUTES_URL}{dispute.pk}/resolve/", {"score_a": "2", "score_b": "0"})

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN


def test_the_dispute_page_links_the_evidence_through_the_guarded_view(admin_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    event = started_event(4)
    disputed = match(event, "W1-1")
    player_a, player_b = disputed.entry_a.registration.user, disputed.entry_b.registration.user
    match_report(match_id=disputed.pk, actor=player_a, score_a=2, score_b=0)
    evidence = SimpleUploadedFile("proof.pdf", b"%PDF-1.4 test", "application/pdf")
    dispute = dispute_open(match_id=disputed.pk, actor=player_b, reason="Lag.", evidence=evidence)

    page = admin_client.get(f"{DISPUTES_URL}{dispute.pk}/change/").content.decode()

    assert f'href="/events/disputes/{dispute.pk}/evidence/"' in page
    assert "/media/" not in page


def test_entries_are_listed_with_seeds_and_are_read_only(admin_client):
    event = started_event(3)

    listing = admin_client.get(ENTRIES_URL, {"q": event.name})
    entry = Entry.objects.get(event=event, seed=1)
    edit = admin_client.post(f"{ENTRIES_URL}{entry.pk}/change/", {"seed": "3"})

    assert sorted(row.seed for row in listing.context["cl"].result_list) == [1, 2, 3]
    assert admin_client.get(f"{ENTRIES_URL}add/").status_code == 403
    assert edit.status_code == 403
    entry.refresh_from_db()
    assert entry.seed == 1
