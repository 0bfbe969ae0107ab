"""`manage.py check --deploy`: the development tools must not ship."""

from django.core.checks import Error, Tags, register


@register(Tags.security, deploy=True)
def dev_tools_check(app_configs=None, **kwargs) -> list[Error]:
    # Registered only while this app is installed, so its presence is the finding.
    return [
        Error(
            "The development tools (driftwood.dev: fake bank, localstripe card step, FPX/GrabPay stand-in, "
            "Firebase doubles, demo data) are installed.",
            hint="Unset DRIFTWOOD_DEV_TOOLS (and keep DJANGO_DEBUG=false) in production.",
            id="dev.E001",
        )
    ]
