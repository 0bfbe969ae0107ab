"""The firebase-admin app for FIREBASE_CREDENTIALS, shared by push notifications and the chat mirror."""

import hashlib
import json
import threading
from pathlib import Path

from django.conf import settings

_firebase_lock = threading.Lock()


def firebase_app():
    """The app for FIREBASE_CREDENTIALS (a file path or the JSON itself), created once per credentials
    (the name carries their digest, so changed credentials get a fresh app)."""
    import firebase_admin
    from firebase_admin import credentials

    raw = settings.FIREBASE_CREDENTIALS.strip()
    name = f"driftwood-{hashlib.sha256(raw.encode()).hexdigest()[:16]}"
    with _firebase_lock:
        try:
            return firebase_admin.get_app(name)
        except ValueError:
            source = json.loads(raw) if raw.startswith("{") else Path(raw)
            return firebase_admin.initialize_app(credentials.Certificate(source), name=name)
