"""Dispute evidence: what a file is, told by its first bytes, and how it is served back.

Evidence is uploaded by one player and opened by the other, the organizer and staff, so only
formats that cannot carry a page script are taken (OWASP ASVS V5, file upload): PNG, JPEG,
WebP, GIF, PDF and MP4, recognised by their magic numbers, never by the name or the type the
client claims. The file is stored under the extension of what it is, and served only by
`evidence_response`: as an attachment of the recognised type, with `nosniff` and a sandboxing
Content-Security-Policy, so even a polyglot (an image that is also HTML) never runs as a page.
"""

import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.http import FileResponse
from django.utils.text import get_valid_filename

logger = logging.getLogger("driftwood.evidence")

# Enough bytes for every signature below (an MP4's `ftyp` box brand ends at byte 12).
HEAD_BYTES = 16
# What the evidence responses say on top of the site's headers.
SANDBOX_POLICY = "sandbox; default-src 'none'"


@dataclass(frozen=True)
class EvidenceKind:
    label: str
    content_type: str
    extension: str

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


PNG = EvidenceKind("PNG image", "image/png", ".png")
JPEG = EvidenceKind("JPEG image", "image/jpeg", ".jpg")
GIF = EvidenceKind("GIF image", "image/gif", ".gif")
WEBP = EvidenceKind("WebP image", "image/webp", ".webp")
PDF = EvidenceKind("PDF", "application/pdf", ".pdf")
MP4 = EvidenceKind("MP4 video", "video/mp4", ".mp4")
KINDS = (PNG, JPEG, GIF, WEBP, PDF, MP4)
BY_CONTENT_TYPE = {kind.content_type: kind for kind in KINDS}

# ISO base media brands of MP4 video (not HEIC/AVIF stills, QuickTime or 3GP, which share `ftyp`).
MP4_BRANDS = {b"isom", b"iso2", b"iso3", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"dash", b"M4V "}


def kind_of_head(head: bytes) -> EvidenceKind | None:
    """The kind the file's first bytes say it is, or None when it is none of the allowed ones."""
    if head.startswith(b"\x89PNG"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"%PDF-"):
        return PDF
    if head[4:8] == b"ftyp" and head[8:12] in MP4_BRANDS:
        return MP4
    return None


def kind_of_file(file) -> EvidenceKind | None:
    """`kind_of_head` of an open file (an upload or a stored file), leaving it at its start."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    return kind_of_head(head)


def stored_name(original: str, kind: EvidenceKind) -> str:
    """The upload's name under the extension of what it really is: `x.html` holding a PNG -> `x.png`."""
    stem = get_valid_filename(PurePath(original or "").stem)[:80] or "evidence"
    return f"{stem}{kind.extension}"


def evidence_response(dispute) -> FileResponse | None:
    """The dispute's file as a download, or None when there is nothing safe to serve.

    Checked again on every read: a file stored before the allow-list (or changed on disk since),
    or one that `quarantine_evidence` set aside, is never served."""
    if not dispute.evidence or dispute.evidence_quarantined_at is not None:
        return None
    try:
        handle = dispute.evidence.open("rb")
    except FileNotFoundError:
        return None
    kind = kind_of_file(handle)
    if kind is None:
        handle.close()
        logger.warning("dispute %s: evidence %s is not an allowed type; not served", dispute.pk, dispute.evidence.name)
        return None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"dispute-{dispute.pk}-evidence{kind.extension}",
        content_type=kind.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response
