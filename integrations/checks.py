"""`manage.py check --deploy`: webhooks in production go to public https addresses only."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def webhook_targets_check(app_configs=None, **kwargs) -> list[Warning]:
    if settings.DEBUG:
        return []
    warnings = []
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        warnings.append(
            Warning(
                "WEBHOOK_ALLOW_PRIVATE_ADDRESSES is on: an organizer's webhook can reach private, loopback and "
                "link-local addresses (this network, cloud metadata services) through the server.",
                hint="Unset WEBHOOK_ALLOW_PRIVATE_ADDRESSES in production.",
                id="integrations.W001",
            )
        )
    if not settings.WEBHOOK_REQUIRE_HTTPS:
        warnings.append(
            Warning(
                "WEBHOOK_REQUIRE_HTTPS is off: webhook bodies may travel over plain http.",
                hint="Leave WEBHOOK_REQUIRE_HTTPS unset (or true) in production.",
                id="integrations.W002",
            )
        )
    return warnings
