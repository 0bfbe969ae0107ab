"""The free-for-all pages' forms: the organizer's settings (on the lobbies page, and on the event form),
a lobby's results, a lobby's host."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from driftwood.core.exceptions import DomainError
from tournaments.brackets.ffa.models import FreeForAllSettings, Lobby
from tournaments.brackets.ffa.services import SETTINGS_OPEN, ffa_settings_update
from tournaments.brackets.formats.ffa import MAX_LOBBY_SIZE, MAX_POINTS, MAX_ROUNDS
from tournaments.models import Event

FREE_FOR_ALL = Event.Format.FREE_FOR_ALL

PRESET_CHOICES = [
    ("", _("Keep the points below")),
    ("pubg_mobile", _("PUBG Mobile: 10, 6, 5, 4, 3, 2, 1, 1 and 1 a kill")),
    ("free_fire", _("Free Fire: 12, 9, 8, 7, 6, 5, 4, 3, 2, 1 and 1 a kill")),
    ("apex", _("Apex Legends: 12, 9, 7, 5, 4, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1 and 1 a kill")),
]


class FfaSettingsForm(forms.Form):
    lobby_size = forms.IntegerField(
        label=_("Lobby size"),
        min_value=2,
        max_value=MAX_LOBBY_SIZE,
        help_text=_("Most entries in one lobby: 100 solos or 25 squads in PUBG Mobile."),
    )
    rounds = forms.IntegerField(label=_("Rounds"), min_value=1, max_value=MAX_ROUNDS)
    reshuffle = forms.BooleanField(label=_("Reshuffle the lobbies by the standings before every round"), required=False)
    preset = forms.ChoiceField(label=_("Standard points table"), choices=PRESET_CHOICES, required=False)
    placement_points = forms.CharField(
        label=_("Placement points"),
        max_length=600,
        help_text=_("Points for 1st, 2nd, 3rd..., separated by commas; places past the list score 0."),
    )
    kill_points = forms.IntegerField(label=_("Points per kill"), min_value=0, max_value=MAX_POINTS)

    @classmethod
    def for_settings(cls, settings: FreeForAllSettings) -> "FfaSettingsForm":
        return cls(
            initial={
                "lobby_size": settings.lobby_size,
                "rounds": settings.rounds,
                "reshuffle": settings.reshuffle,
                "placement_points": ", ".join(str(points) for points in settings.placement_points),
                "kill_points": settings.kill_points,
            }
        )

    def clean_placement_points(self) -> list[int]:
        raw = [part.strip() for part in self.cleaned_data["placement_points"].split(",") if part.strip()]
        if not raw or not all(part.isdigit() for part in raw):
            raise forms.ValidationError(_("Whole numbers separated by commas, e.g. 10, 6, 5, 4."))
        return [int(part) for part in raw]

    def service_arguments(self) -> dict:
        data = dict(self.cleaned_data)
        data["preset"] = data.get("preset") or None
        if data["preset"]:
            # A chosen table replaces the points typed in.
            data.pop("placement_points")
            data.pop("kill_points")
        return data


class LobbyResultsForm(forms.Form):
    """A placement and a kill count per entry of the lobby (fields `placement_<entry id>`, `kills_<entry id>`)."""

    def __init__(self, *args, lobby: Lobby, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = list(lobby.slots.all())
        size = len(self.slots)
        for slot in self.slots:
            name = slot.entry.name
            self.fields[f"placement_{slot.entry_id}"] = forms.IntegerField(
                label=_("Placement of %(name)s") % {"name": name},
                min_value=1,
                max_value=size,
                initial=slot.placement,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "ffa-num"}),
            )
            self.fields[f"kills_{slot.entry_id}"] = forms.IntegerField(
                label=_("Kills of %(name)s") % {"name": name},
                min_value=0,
                max_value=1000,
                initial=slot.kills if slot.kills is not None else 0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "ffa-num"}),
            )

    @property
    def rows(self) -> list[tuple]:
        """(slot, placement field, kills field) per entry, for the template's table."""
        return [(slot, self[f"placement_{slot.entry_id}"], self[f"kills_{slot.entry_id}"]) for slot in self.slots]

    def results(self) -> list[dict]:
        return [
            {
                "entry_id": slot.entry_id,
                "placement": self.cleaned_data[f"placement_{slot.entry_id}"],
                "kills": self.cleaned_data[f"kills_{slot.entry_id}"],
            }
            for slot in self.slots
        ]


class LobbyHostForm(forms.Form):
    username = forms.CharField(
        label=_("Host's username"),
        required=False,
        max_length=150,
        help_text=_("They may enter this lobby's results. Leave empty for no host."),
    )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if not username:
            return None
        user = get_user_model().objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(_("No player with that username."))
        return user.pk


class FfaEventFieldsForm(forms.Form):
    """The free-for-all settings on the event form (tournaments.forms.EventForm declares them through
    this base), so an organizer creates a free-for-all in one go; saved with the event, in one
    transaction, by `ffa_settings_save`. Empty keeps the default (or what was chosen before)."""

    ffa_lobby_size = forms.IntegerField(
        label=_("Lobby size"),
        required=False,
        min_value=2,
        max_value=MAX_LOBBY_SIZE,
        help_text=_("Free-for-all: most entries in one lobby (default 100 solos or 25 squads)."),
    )
    ffa_rounds = forms.IntegerField(
        label=_("Rounds"), required=False, min_value=1, max_value=MAX_ROUNDS, help_text=_("Free-for-all: default 3.")
    )
    ffa_reshuffle = forms.BooleanField(
        label=_("Reshuffle the lobbies by the standings before every round"), required=False
    )
    ffa_preset = forms.ChoiceField(label=_("Points table"), choices=PRESET_CHOICES, required=False)

    @staticmethod
    def ffa_initial(settings: FreeForAllSettings) -> dict:
        return {
            "ffa_lobby_size": settings.lobby_size,
            "ffa_rounds": settings.rounds,
            "ffa_reshuffle": settings.reshuffle,
        }

    def split_values(self) -> tuple[dict, dict]:
        """(the event's values, the free-for-all settings' as `ffa_settings_update` takes them)."""
        values = dict(self.cleaned_data)
        ffa = {name.removeprefix("ffa_"): values.pop(name, None) for name in FFA_EVENT_FIELDS}
        ffa["preset"] = ffa["preset"] or None
        return values, ffa


FFA_EVENT_FIELDS = ("ffa_lobby_size", "ffa_rounds", "ffa_reshuffle", "ffa_preset")


def ffa_settings_save(event, actor, ffa: dict) -> None:
    """The event form's free-for-all settings, for a free-for-all event (nothing for other formats);
    a refusal is the form's ValidationError on the field it concerns (the caller's transaction rolls
    the event back with it)."""
    if event.format != FREE_FOR_ALL or event.status not in SETTINGS_OPEN:
        return
    try:
        ffa_settings_update(event_id=event.pk, actor=actor, **ffa)
    except DomainError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in (exc.errors or {"preset": [exc.message]}).items():
            field = f"ffa_{name}" if f"ffa_{name}" in FFA_EVENT_FIELDS else "ffa_preset"
            errors.setdefault(field, []).extend(messages)
        raise ValidationError(errors) from exc
