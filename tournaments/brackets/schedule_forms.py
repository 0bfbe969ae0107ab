"""The manage page's part of match scheduling: a plan form per round of the drawn stages, and the
queue of forfeits waiting for the organizer (`schedule_context`, added by `render_manage`)."""

from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from driftwood.core.forms import ServiceErrorsMixin
from tournaments.brackets.schedule_models import BEST_OF_CHOICES
from tournaments.brackets.schedule_selectors import event_rounds, forfeits_of_event
from tournaments.brackets.services.schedule import MAX_MINUTES
from tournaments.models import Event, Match

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class RoundPlanForm(ServiceErrorsMixin, forms.Form):
    stage = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    bracket = forms.ChoiceField(choices=Match.Bracket.choices, widget=forms.HiddenInput)
    round = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    starts_at = forms.DateTimeField(
        label=gettext_lazy("Starts at"),
        required=False,
        input_formats=[LOCAL_INPUT],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_INPUT),
    )
    best_of = forms.TypedChoiceField(
        label=gettext_lazy("Best of"),
        choices=[("", gettext_lazy("Event's")), *BEST_OF_CHOICES],
        coerce=int,
        empty_value=None,
        required=False,
    )
    check_in_minutes = forms.IntegerField(
        label=gettext_lazy("Check-in (minutes before)"), min_value=0, max_value=MAX_MINUTES, initial=0
    )
    deadline_minutes = forms.IntegerField(
        label=gettext_lazy("Deadline (minutes after)"), min_value=0, max_value=MAX_MINUTES, initial=15
    )

    @classmethod
    def for_round(cls, row: dict) -> "RoundPlanForm":
        initial = {"stage": row["stage"], "bracket": row["bracket"], "round": row["round"]}
        plan = row["plan"]
        if plan is not None:
            initial.update(
                starts_at=plan.starts_at,
                best_of=plan.best_of,
                check_in_minutes=plan.check_in_minutes,
                deadline_minutes=plan.deadline_minutes,
            )
        return cls(initial=initial, prefix=_prefix(row))


def _prefix(row: dict) -> str:
    return f"round-{row['stage']}-{row['bracket']}-{row['round']}"


@dataclass
class RoundRow:
    stage: int
    bracket: str
    round: int
    form: RoundPlanForm
    is_lobbies: bool = False  # a free-for-all round: a start time only

    @property
    def label(self) -> str:
        if self.is_lobbies:
            return _("Round %(round)s") % {"round": self.round}
        bracket = Match.Bracket(self.bracket).label
        return _("%(bracket)s, round %(round)s") % {"bracket": bracket, "round": self.round}


def schedule_context(event: Event, *, plan_form: RoundPlanForm | None = None) -> dict:
    """The manage page's round plans (a form per round of the drawn stages) and forfeit queue."""
    if event.status != Event.Status.ONGOING:
        return {"round_rows": [], "forfeits": []}
    rows = []
    for row in event_rounds(event):
        form = RoundPlanForm.for_round(row)
        if plan_form is not None and plan_form.prefix == form.prefix:
            form = plan_form
        lobbies = row["format"] == Event.Format.FREE_FOR_ALL
        rows.append(RoundRow(row["stage"], row["bracket"], row["round"], form, is_lobbies=lobbies))
    return {"round_rows": rows, "forfeits": list(forfeits_of_event(event.pk))}
