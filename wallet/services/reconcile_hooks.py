"""How other apps take part in the wallet's reconciliation, registered from their AppConfig.ready().

The wallet app never imports them: they hand it a card income source (their card payments that
Stripe captured, e.g. entry fees) or a check of their own (it returns problems as sentences).
"""

from collections.abc import Callable
from decimal import Decimal

_card_income_sources: list[Callable[[], Decimal]] = []
_checks: list[Callable[[], list[str]]] = []


def card_income_source_register(source: Callable[[], Decimal]) -> None:
    """Let another app's card payments count as money Stripe captured."""
    if source not in _card_income_sources:
        _card_income_sources.append(source)


def reconcile_check_register(check: Callable[[], list[str]]) -> None:
    """Add another app's own check to every reconciliation."""
    if check not in _checks:
        _checks.append(check)


def card_income_sources() -> tuple[Callable[[], Decimal], ...]:
    return tuple(_card_income_sources)


def reconcile_checks() -> tuple[Callable[[], list[str]], ...]:
    return tuple(_checks)
