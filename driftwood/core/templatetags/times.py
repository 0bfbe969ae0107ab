"""`{% load times %}`: `{{ moment|malaysia_time }}` -> "12 Dec 2026, 20:00 MYT" (driftwood.core.times)."""

from django import template

from driftwood.core.times import malaysia_time as _malaysia_time

register = template.Library()


@register.filter
def malaysia_time(moment) -> str:
    return _malaysia_time(moment) if moment else ""
