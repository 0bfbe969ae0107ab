"""Text written for someone else: translated when it is read in their language, not the caller's.

A notification or an e-mail is composed in a request (or task) that runs in the actor's language,
yet goes to players who each chose theirs. `lazy_format` keeps the message unevaluated until the
sender renders it under `translation.override(<recipient's language>)`:

    title = lazy_format(gettext_lazy("Your match %(key)s is ready"), key=match.key)
    body = lazy_format(gettext_lazy("Starts %(when)s."), when=lazy_malaysia_time(event.starts_at))

`driftwood.notifications.services.notify` renders such texts once per language among the recipients.
"""

from django.conf import settings
from django.utils.functional import Promise, lazy

from driftwood.core.times import malaysia_time


def _render(template, params: dict) -> str:
    text = str(template)
    if not params:
        return text
    return text % {name: str(value) if isinstance(value, Promise) else value for name, value in params.items()}


_lazy_render = lazy(_render, str)


def lazy_format(template, /, **params) -> str:
    """`template % params`, evaluated each time it is turned into text (in the active language)."""
    return _lazy_render(template, params)


def _join(parts, separator: str) -> str:
    return separator.join(str(part) for part in parts if part)


_lazy_join = lazy(_join, str)


def lazy_join(parts, separator: str = " ") -> str:
    """Non-empty parts joined, each translated when the whole is read."""
    return _lazy_join(list(parts), separator)


lazy_malaysia_time = lazy(malaysia_time, str)


def is_lazy(value) -> bool:
    return isinstance(value, Promise)


def user_language(user) -> str:
    """The language to write to `user` in: their choice (User.language), else the site's default."""
    return getattr(user, "language", "") or settings.LANGUAGE_CODE


def _composed(compose) -> str:
    return compose()


# One proxy class for every text (`lazy()` builds a class each time it is called).
_lazy_composed = lazy(_composed, str)


def lazy_text(compose) -> str:
    """`compose()` (a function that builds the text with gettext, malaysia_time...), called each time
    the result is turned into text: once per recipient language by `notify`."""
    return _lazy_composed(compose)
