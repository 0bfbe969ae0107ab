"""The moderation screens' pieces: the forms their actions ask for, and a player's record as the
report queue shows it (reports made and received, the latest sanctions)."""

from django import forms
from django.utils import dateformat, timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from driftwood.core.i18n import lazy_format
from driftwood.core.text import FormTextField
from social.models import Sanction
from social.moderation import MAX_SUSPENSION_DAYS

SANCTIONS_SHOWN = 3
TOLD_TO_PLAYER = gettext_lazy(
    "Recorded with your name, and told to the player (e-mail, notification and the log-in page)."
)


class ReasonForm(forms.Form):
    reason = FormTextField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        strip=True,
    )

    def __init__(self, *args, help_text: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = help_text


class SuspendForm(ReasonForm):
    days = forms.IntegerField(
        label=gettext_lazy("Days"),
        min_value=1,
        max_value=MAX_SUSPENSION_DAYS,
        initial=7,
        help_text=lazy_format(
            gettext_lazy("1 to %(max)s. The account comes back by itself when they are over."), max=MAX_SUSPENSION_DAYS
        ),
    )
    field_order = ["days", "reason"]


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "d M Y")


def _sanction_line(sanction: Sanction) -> str:
    kind, when = sanction.get_kind_display(), _day(sanction.created_at)
    if sanction.kind == Sanction.Kind.SUSPEND:
        return _("%(kind)s %(when)s until %(ends)s") % {"kind": kind, "when": when, "ends": _day(sanction.until)}
    return f"{kind} {when}"


def players_count(count: int) -> str:
    return ngettext("%(count)d player", "%(count)d players", count) % {"count": count}


def player_record(user, *, made: int, received: int, sanctions: list[Sanction]) -> str:
    status = "" if user.is_active else " " + _("(account off)")
    lines = format_html_join("", "<li>{}</li>", ((_sanction_line(s),) for s in sanctions[:SANCTIONS_SHOWN]))
    return format_html(
        "<strong>{}</strong>{}<br>{} · {}{}",
        user.username,
        status,
        ngettext("%(count)d report received", "%(count)d reports received", received) % {"count": received},
        _("%(count)d made") % {"count": made},
        format_html("<ul>{}</ul>", lines) if sanctions else "",
    )
