"""Dispute evidence as an attacker would try it (issue 13): uploads are told by their bytes,
served only as sandboxed downloads to the people involved, and files stored before the check
are quarantined by `manage.py quarantine_evidence`.

The finding: `x.html` (or an SVG with a script) uploaded as evidence was served inline as
text/html on the site's origin, so opening it ran the uploader's script as the organizer.
"""

import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from tests.conftest import bearer_client
from tests.factories import EventFactory, UserFactory
from tournaments import evidence
from tournaments.brackets.services.matches import dispute_open, match_report
from tournaments.brackets.services.start import event_start
from tournaments.models import Dispute, Match
from tournaments.services.registrations import registration_join

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("plain_static_storage")]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 56
HTML = b"<!doctype html><title>x</title><script>document.title = 'pwned'; fetch('/wallet/')</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(document.cookie)</script></svg>'
SAMPLES = {
    "image/png": PNG,
    "image/jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 32,
    "image/gif": b"GIF89a\x01\x00\x01\x00" + b"\x00" * 32,
    "image/webp": b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32,
    "application/pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + b"\x00" * 32,
    "video/mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41" + b"\x00" * 32,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def reported():
    """A started four-player event whose W1-1 side A reported 2-0; (match, player a, player b)."""
    event = EventFactory(entry_fee=0, check_in_minutes=0, max_participants=4)
    for player in UserFactory.create_batch(4):
        registration_join(event_id=event.pk, user=player)
    event_start(event_id=event.pk, actor=event.organizer)
    current = Match.objects.select_related("event", "entry_a__registration", "entry_b__registration").get(
        event=event, key="W1-1"
    )
    player_a, player_b = current.entry_a.registration.user, current.entry_b.registration.user
    match_report(match_id=current.pk, actor=player_a, score_a=2, score_b=0)
    return current, player_a, player_b


def dispute_by_api(client, current: Match, name: str | None = None, content: bytes = b"", content_type="image/png"):
    data = {"reason": "They used a banned hero."}
    if name is not None:
        data["evidence"] = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(f"/api/v1/matches/{current.pk}/disputes", data, format="multipart")


def stored_before_the_fix(current: Match, opener, name: str, content: bytes) -> Dispute:
    """A dispute whose file was written straight to storage, as uploads were before the byte check."""
    dispute = dispute_open(match_id=current.pk, actor=opener, reason="Old upload.")
    path = default_storage.save(f"disputes/{current.event_id}/{current.pk}/{name}", ContentFile(content))
    Dispute.objects.filter(pk=dispute.pk).update(evidence=path)
    return Dispute.objects.get(pk=dispute.pk)


def session_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- Uploads are told by their bytes


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("x.html", HTML, "text/html"),
        ("x.svg", SVG, "image/svg+xml"),
        ("notes.png", b"just some text, renamed to look like a screenshot", "image/png"),
        ("photo.heic", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
        ("empty-ish.png", b"\x89P", "image/png"),
        ("empty.png", b"", "image/png"),
    ],
    ids=["html", "svg-with-script", "text-renamed-png", "heic-is-not-mp4", "truncated-signature", "empty"],
)
def test_anything_but_the_allowed_formats_is_refused_and_nothing_is_stored(
    reported, media, name, content, content_type
):
    current, _player_a, player_b = reported

    response = dispute_by_api(bearer_client(player_b), current, name, content, content_type)

    assert response.status_code == 400, response.json()
    assert response.json()["code"] == "unsupported_file"
    assert response.json()["errors"] == {"evidence": ["Upload an image (PNG, JPEG, GIF, WebP), a PDF or an MP4 video."]}
    assert response.json()["path"] == f"/api/v1/matches/{current.pk}/disputes"
    assert not Dispute.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []
    current.refresh_from_db()
    assert current.status == Match.Status.REPORTED


@pytest.mark.parametrize(("content_type", "content"), list(SAMPLES.items()), ids=list(SAMPLES))
def test_each_allowed_format_is_taken_and_served_as_what_its_bytes_are(reported, content_type, content):
    current, _player_a, player_b = reported

    # the name and the declared type say nothing true
    response = dispute_by_api(bearer_client(player_b), current, "upload.bin", content, "application/octet-stream")

    assert response.status_code == 201, response.json()
    dispute = Dispute.objects.get()
    kind = evidence.BY_CONTENT_TYPE[content_type]
    assert dispute.evidence_type == content_type
    assert dispute.evidence.name.endswith(f"/upload{kind.extension}")
    served = bearer_client(current.event.organizer).get(response.json()["evidence_url"])
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    assert body(served) == content


def test_a_png_named_html_is_accepted_only_as_a_png(reported, media):
    current, _player_a, player_b = reported

    response = dispute_by_api(bearer_client(player_b), current, "x.html", PNG + HTML, "text/html")

    assert response.status_code == 201, response.json()
    dispute = Dispute.objects.get()
    assert dispute.evidence.name == f"disputes/{current.event_id}/{current.pk}/x.png"
    assert [path.name for path in media.rglob("*") if path.is_file()] == ["x.png"]
    served = session_client(current.event.organizer).get(f"/events/disputes/{dispute.pk}/evidence/")
    assert served["Content-Type"] == "image/png"
    assert served["Content-Disposition"] == f'attachment; filename="dispute-{dispute.pk}-evidence.png"'


# --- Serving: a sandboxed download, for the people involved only


def test_the_evidence_is_served_as_a_sandboxed_attachment_to_the_people_involved(reported):
    current, player_a, player_b = reported
    response = dispute_by_api(bearer_client(player_b), current, "proof.png", PNG)
    dispute = Dispute.objects.get()
    api_url = f"http://testserver/api/v1/disputes/{dispute.pk}/evidence"
    assert response.json()["evidence_url"] == api_url
    page_url = f"/events/disputes/{dispute.pk}/evidence/"
    staff = UserFactory(is_staff=True)

    for person in (player_a, player_b, current.event.organizer, staff):
        for served in (bearer_client(person).get(api_url), session_client(person).get(page_url)):
            assert served.status_code == 200
            assert body(served) == PNG
            assert served["Content-Type"] == "image/png"
            assert served["Content-Disposition"].startswith("attachment;")
            assert served["X-Content-Type-Options"] == "nosniff"
            assert served["Content-Security-Policy"].split(";")[0] == "sandbox"
            assert "private" in served["Cache-Control"]

    # an image's Accept header does not turn the answer into a 406
    accepts_images = bearer_client(player_a).get(api_url, HTTP_ACCEPT="image/avif,image/webp,image/*")
    assert accepts_images.status_code == 200


def test_a_stranger_or_an_anonymous_visitor_gets_404(reported):
    current, _player_a, player_b = reported
    dispute_by_api(bearer_client(player_b), current, "proof.png", PNG)
    dispute = Dispute.objects.get()
    api_url = f"/api/v1/disputes/{dispute.pk}/evidence"
    page_url = f"/events/disputes/{dispute.pk}/evidence/"
    other_match_player = Match.objects.get(event=current.event, key="W1-2").entry_a.registration.user

    for stranger in (UserFactory(), other_match_player):
        refused = bearer_client(stranger).get(api_url)
        assert refused.status_code == 404
        assert refused.json()["code"] == "not_found"
        assert session_client(stranger).get(page_url).status_code == 404
    assert APIClient().get(api_url).status_code == 404
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert forged.get(api_url).status_code == 401
    assert Client().get(page_url).status_code == 404
    assert bearer_client(current.event.organizer).get("/api/v1/disputes/999999/evidence").status_code == 404


def test_evidence_url_is_null_without_a_file_and_in_the_schema(reported):
    current, _player_a, player_b = reported

    response = dispute_by_api(bearer_client(player_b), current)

    assert response.status_code == 201
    assert response.json()["evidence_url"] is None
    assert response.json()["has_evidence"] is False
    schema = APIClient().get("/api/schema/?format=json").json()
    dispute_schema = schema["components"]["schemas"]["Dispute"]
    assert dispute_schema["properties"]["evidence_url"]["format"] == "uri"
    assert dispute_schema["properties"]["evidence_url"]["nullable"] is True
    assert "evidence_url" in dispute_schema["required"]
    evidence_operation = schema["paths"]["/api/v1/disputes/{dispute_id}/evidence"]["get"]
    assert set(evidence_operation["responses"]["200"]["content"]) == set(SAMPLES)
    assert {"401", "404"} <= set(evidence_operation["responses"])
    assert (
        "unsupported_file"
        in schema["paths"]["/api/v1/matches/{match_id}/disputes"]["post"]["responses"]["400"]["description"]
    )


def test_a_file_stored_before_the_check_is_not_served_even_before_the_quarantine(reported):
    current, _player_a, player_b = reported
    dispute = stored_before_the_fix(current, player_b, "x.html", HTML)

    organizer = current.event.organizer
    assert session_client(organizer).get(f"/events/disputes/{dispute.pk}/evidence/").status_code == 404
    assert bearer_client(organizer).get(f"/api/v1/disputes/{dispute.pk}/evidence").status_code == 404
    # and the match page never embeds it
    page = session_client(organizer).get(f"/events/matches/{current.pk}/").content.decode()
    assert "<img" not in page.split('id="disputes-title"')[1].split("</section>")[0]


# --- Re-checking files already stored


def test_the_command_quarantines_stored_html_and_svg_and_keeps_good_files(
    reported, media, django_capture_on_commit_callbacks
):
    current, player_a, player_b = reported
    bad_html = stored_before_the_fix(current, player_b, "x.html", HTML)
    # a match holds one open dispute at a time: close each by hand before the next
    Dispute.objects.filter(pk=bad_html.pk).update(status=Dispute.Status.RESOLVED)
    bad_svg = stored_before_the_fix(current, player_a, "proof.png", SVG)
    Dispute.objects.filter(pk=bad_svg.pk).update(status=Dispute.Status.RESOLVED)
    good = stored_before_the_fix(current, player_b, "old.png", PNG)
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("quarantine_evidence", stdout=out)

    report = out.getvalue()
    assert f"Dispute {bad_html.pk}: quarantined" in report
    assert f"Dispute {bad_svg.pk}: quarantined" in report
    assert "Checked 3 evidence files: 1 allowed, 2 quarantined, 0 already quarantined, 0 missing." in report
    for bad, name in ((bad_html, "x.html"), (bad_svg, "proof.png")):
        bad.refresh_from_db()
        assert bad.evidence_quarantined_at is not None
        assert bad.evidence.name == f"quarantine/disputes/{current.event_id}/{current.pk}/{name}"
        assert not (media / "disputes" / str(current.event_id) / str(current.pk) / name).exists()
        assert (media / bad.evidence.name).exists()
        assert session_client(current.event.organizer).get(f"/events/disputes/{bad.pk}/evidence/").status_code == 404
    good.refresh_from_db()
    assert (good.evidence_quarantined_at, good.evidence_type) == (None, "image/png")
    assert session_client(current.event.organizer).get(f"/events/disputes/{good.pk}/evidence/").status_code == 200
    page = session_client(current.event.organizer).get(f"/events/matches/{current.pk}/").content.decode()
    assert page.count("The evidence file was withheld") == 2
    assert f'<img src="/events/disputes/{good.pk}/evidence/"' in page

    # running it again changes nothing and says so
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("quarantine_evidence", stdout=again)
    assert "Checked 3 evidence files: 1 allowed, 0 quarantined, 2 already quarantined, 0 missing." in again.getvalue()
    assert sorted(str(path.relative_to(media)) for path in media.rglob("*") if path.is_file()) == sorted(
        [
            f"disputes/{current.event_id}/{current.pk}/old.png",
            f"quarantine/disputes/{current.event_id}/{current.pk}/proof.png",
            f"quarantine/disputes/{current.event_id}/{current.pk}/x.html",
        ]
    )


def test_a_dry_run_reports_without_moving_and_missing_files_are_reported(reported, media):
    current, _player_a, player_b = reported
    bad = stored_before_the_fix(current, player_b, "x.html", HTML)
    out = io.StringIO()

    call_command("quarantine_evidence", "--dry-run", stdout=out)

    assert f"Dispute {bad.pk}: would quarantine" in out.getvalue()
    assert "Dry run: checked 1 evidence file: 0 allowed, 1 quarantined" in out.getvalue()
    bad.refresh_from_db()
    assert bad.evidence_quarantined_at is None
    assert (media / bad.evidence.name).exists()

    (media / bad.evidence.name).unlink()
    missing = io.StringIO()
    call_command("quarantine_evidence", stdout=missing)
    assert f"Dispute {bad.pk}: the file is missing from storage." in missing.getvalue()
    assert "0 quarantined, 0 already quarantined, 1 missing." in missing.getvalue()


# --- The signatures themselves


@pytest.mark.parametrize(("content_type", "content"), list(SAMPLES.items()), ids=list(SAMPLES))
def test_each_signature_is_recognised(content_type, content):
    assert evidence.kind_of_head(content[: evidence.HEAD_BYTES]).content_type == content_type


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"<html>",
        b"<?xml version='1.0'?><svg",
        b"RIFF\x00\x00\x00\x00WAVEfmt ",
        b"\x00\x00\x00\x1cftypqt  ",
        b"PK\x03\x04",
    ],
    ids=["empty", "html", "svg", "wav-riff", "quicktime", "zip"],
)
def test_lookalikes_are_not_recognised(head):
    assert evidence.kind_of_head(head) is None
