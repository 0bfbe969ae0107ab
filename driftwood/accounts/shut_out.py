"""Why an inactive account may not log in.

Accounts are shut out by moderation (social's sanctions), which accounts knows nothing about: the
app that shuts accounts out registers how to explain it (`explain_with`, from its AppConfig), and
log-in asks (`explanation`) only after the right password, so a stranger learns nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from driftwood.accounts.models import User


@dataclass(frozen=True)
class ShutOut:
    until: datetime | None  # None: banned (or disabled by staff), no end
    reason: str


_explainer: Callable[[User], ShutOut | None] | None = None


def explain_with(explainer: Callable[[User], ShutOut | None]) -> None:
    global _explainer
    _explainer = explainer


def explanation(user: User) -> ShutOut:
    """Why `user` (inactive) is shut out; an account disabled by hand in admin has no sanction."""
    found = _explainer(user) if _explainer is not None else None
    return found or ShutOut(until=None, reason="The account was disabled by the staff.")
