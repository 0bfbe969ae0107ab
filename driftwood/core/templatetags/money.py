"""`{% load money %}`: `{{ amount|ringgit }}` -> "RM 1,234.50" (every amount a page shows),
`|signed_ringgit` -> "+RM 50.00" (ledger rows), `|money:"wire"` -> "1234.50" (data attributes
a script reads). All of them are `format_money`."""

from django import template

from driftwood.core.money import format_money

register = template.Library()


@register.filter
def ringgit(value) -> str:
    return format_money(value, style="page")


@register.filter
def signed_ringgit(value) -> str:
    return format_money(value, style="signed")


@register.filter
def money(value, style: str = "wire") -> str:
    return format_money(value, style=style)
