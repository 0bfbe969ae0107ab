"""`{% stripe_js %}`: the Stripe.js script tag (and, with localstripe, the development tools' card-step shim)."""

from django import template
from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def stripe_js() -> str:
    tags = format_html('<script src="{}" defer></script>', settings.STRIPE_JS_URL)
    if settings.STRIPE_LOCAL_CARD_SHIM:
        tags += format_html(
            '<script src="{}" data-endpoint="{}" defer></script>',
            static("js/localstripe-card.js"),
            reverse("dev:localstripe_card"),
        )
    return tags
