"""Notification services: callers write their rows, these queue what leaves the database."""

from functools import partial

from django.db import transaction

from driftwood.notifications.tasks import send_email


def email_send(*, to: list[str], subject: str, body: str) -> None:
    """Queue an e-mail once the surrounding transaction commits; a rollback sends nothing."""
    transaction.on_commit(partial(send_email.delay, to=list(to), subject=subject, body=body))
