"""`{% load money %}`: `{{ amount|ringgit }}` -> "RM 1,234.50", `|signed_ringgit` -> "+RM 50.00",
`|money:"text"` -> "RM 1234.50" (any style of `format_money`)."""

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
