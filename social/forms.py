"""Browser forms for the social pages. They validate input; the services do the writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from driftwood.core.text import FormTextField
from social.models import Report


class PlayerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search players"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Username or display name"), "autocapitalize": "none"}
        ),
    )

    def query(self) -> str:
        """The cleaned search text, or "" when there is none (or it was too long to use)."""
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""


class FriendSearchForm(PlayerSearchForm):
    q = forms.CharField(
        label=_("Search your friends"),
        max_length=50,
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Username or display name"), "autocapitalize": "none"}
        ),
    )


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you reporting this player?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    description = FormTextField(
        label=_("What happened?"),
        max_length=Report._meta.get_field("description").max_length,
        required=False,
        help_text=_("Up to 2000 characters. Only moderators read it."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
