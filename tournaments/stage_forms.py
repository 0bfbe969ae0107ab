"""The event form's playoff fields (tournaments.forms.EventForm declares them through this base)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tournaments.models import Event


class PlayoffFieldsForm(forms.Form):
    """A second stage after round robin or Swiss groups: its format, who advances, its games."""

    playoff_format = forms.ChoiceField(
        label=_("Playoff"),
        choices=Event.PlayoffFormat.choices,
        required=False,
        help_text=_("Round robin or Swiss: the best of each group then play an elimination bracket."),
    )
    playoff_advance = forms.IntegerField(
        label=_("Advance per group"),
        required=False,
        min_value=1,
        max_value=64,
        initial=2,
        help_text=_("How many of each group reach the playoff."),
    )
    playoff_best_of = forms.IntegerField(
        label=_("Playoff best of"),
        required=False,
        min_value=1,
        max_value=9,
        initial=1,
        help_text=_("Games per playoff match: 1, 3, 5..."),
    )
