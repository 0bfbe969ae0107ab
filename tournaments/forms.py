"""Browser forms for the tournament pages. They check input; the services enforce the rules again."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from driftwood.accounts.models import User
from driftwood.core.forms import ServiceErrorsMixin
from driftwood.core.money import MoneyFormField
from driftwood.core.text import FormTextField
from tournaments import selectors
from tournaments.brackets.ffa.forms import FfaEventFieldsForm
from tournaments.brackets.ffa.selectors import ffa_settings_of
from tournaments.evidence import kind_of_file
from tournaments.exceptions import UnsupportedFile
from tournaments.models import Announcement, Event
from tournaments.services.events import EVENT_WRITE_FIELDS, event_write_defaults
from tournaments.stage_forms import PlayoffFieldsForm

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
# The event list's status filter, as players say it. "" (the default) is every event not started yet.
LISTED_STATUSES = [
    ("", _("Upcoming")),
    (Event.Status.ONGOING, _("Live now")),
    (Event.Status.REGISTRATION_OPEN, _("Open for registration")),
    (Event.Status.REGISTRATION_CLOSED, _("Registration closed")),
    (Event.Status.COMPLETED, _("Completed")),
    (Event.Status.CANCELLED, _("Cancelled")),
]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker, in the site's time zone (MYT)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MoneyInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "autocomplete": "off"})


def ringgit_field(label: str, help_text: str) -> MoneyFormField:
    return MoneyFormField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        initial=Decimal("0.00"),
        help_text=help_text,
        error_messages={
            "invalid": _('Enter an amount such as "10.00".'),
            "min_value": _("Cannot be negative."),
            "max_decimal_places": _("Use at most two decimal places."),
        },
        widget=MoneyInput(),
    )


class EventFilterForm(forms.Form):
    """The event list's filters (GET). Anything it cannot read is simply not applied."""

    search = forms.CharField(
        required=False,
        max_length=100,
        label=_("Search"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Event or game name")}),
    )
    game = forms.ModelChoiceField(
        label=_("Game"), queryset=selectors.games(), required=False, to_field_name="slug", empty_label=_("All games")
    )
    status = forms.ChoiceField(label=_("Status"), choices=LISTED_STATUSES, required=False)


class PrizeDistributionField(forms.CharField):
    """ "60, 30, 10" -> [60, 30, 10]: whole percentages for 1st, 2nd, ... (the service checks the sum)."""

    def to_python(self, value) -> list[int]:
        if isinstance(value, list):  # a disabled field's initial value (an event's own split)
            return value
        text = super().to_python(value)
        if not text:
            return []
        try:
            shares = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise ValidationError(_('Whole percentages separated by commas, e.g. "60, 30, 10".')) from exc
        return shares

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(share) for share in value)
        return value


class EventForm(ServiceErrorsMixin, PlayoffFieldsForm, FfaEventFieldsForm):
    """Create or edit an event: one field for each of the service's `EVENT_WRITE_FIELDS`.

    `locked` ({field: reason}, from `event_rules.edit_locks`) disables what a published event can
    no longer change: those fields show the reason and post back the event's own values.
    """

    name = FormTextField(label=_("Name"), max_length=120)
    game = forms.ModelChoiceField(label=_("Game"), queryset=selectors.games(), empty_label=_("Choose a game"))
    description = FormTextField(
        label=_("Rules and details"),
        required=False,
        max_length=10_000,
        help_text=_("Format details, map pool, check-in, anything players must know."),
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    stream_url = forms.URLField(
        label=_("Stream link"),
        required=False,
        max_length=300,
        assume_scheme="https",
        help_text=_("Where players and fans watch the matches (Twitch, YouTube...)."),
    )
    tier = forms.ChoiceField(label=_("Tier"), choices=Event.Tier.choices, initial=Event.Tier.COMMUNITY)
    event_type = forms.ChoiceField(label=_("Where"), choices=Event.EventType.choices, initial=Event.EventType.ONLINE)
    format = forms.ChoiceField(label=_("Format"), choices=Event.Format.choices, initial=Event.Format.SINGLE_ELIMINATION)
    is_solo = forms.TypedChoiceField(
        label=_("Entries"),
        choices=[("true", _("Solo players")), ("false", _("Teams"))],
        coerce=lambda value: value == "true",
        initial="true",
        widget=forms.RadioSelect,
    )
    team_size = forms.IntegerField(
        label=_("Team size"), min_value=1, max_value=10, initial=1, help_text=_("Players per team. Solo events use 1.")
    )
    max_participants = forms.IntegerField(
        label=_("Maximum entries"),
        min_value=2,
        max_value=1024,
        initial=16,
        help_text=_("Players (or teams) in the bracket."),
    )
    entry_fee = ringgit_field(_("Entry fee (RM)"), _("Per player, or per team for team events. 0 for a free event."))
    prize_pool = ringgit_field(
        _("Prize pool (RM)"), _("Held from your wallet when you publish, and returned if you cancel.")
    )
    prize_distribution = PrizeDistributionField(
        label=_("Prize split (%)"),
        required=False,
        max_length=200,
        help_text=_('Percentages for 1st, 2nd, ... adding up to 100, e.g. "60, 30, 10".'),
    )
    starts_at = forms.DateTimeField(label=_("Starts"), input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput())
    registration_closes_at = forms.DateTimeField(
        label=_("Registration closes"), input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput()
    )
    check_in_minutes = forms.IntegerField(
        label=_("Check-in (minutes before start)"),
        min_value=0,
        max_value=1440,
        initial=60,
        help_text=_("Entries that have not checked in when you start are dropped. 0 means no check-in."),
    )
    no_show_refund_percent = forms.IntegerField(
        label=_("No-show refund (%)"),
        required=False,
        min_value=0,
        max_value=100,
        initial=100,
        help_text=_("Share of the entry fee refunded to an entry dropped for not checking in."),
    )
    best_of = forms.IntegerField(
        label=_("Best of"),
        required=False,
        min_value=1,
        max_value=9,
        initial=1,
        help_text=_("Games per match: 1, 3, 5..."),
    )
    seeding = forms.ChoiceField(
        label=_("Seeding"), choices=Event.Seeding.choices, initial=Event.Seeding.REGISTRATION, required=False
    )
    third_place_match = forms.BooleanField(
        label=_("Third-place match"),
        required=False,
        help_text=_("Single elimination: the semifinal losers play for 3rd."),
    )
    bracket_reset = forms.BooleanField(
        label=_("Bracket reset"),
        required=False,
        initial=True,
        help_text=_("Double elimination: a second grand final if the losers-bracket finalist wins the first."),
    )
    groups = forms.IntegerField(
        label=_("Groups"), required=False, min_value=1, max_value=32, initial=1, help_text=_("Round robin or Swiss.")
    )
    swiss_rounds = forms.IntegerField(
        label=_("Swiss rounds"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_("Swiss only. Leave empty for the usual number (log2 of the entries, rounded up)."),
    )

    def __init__(self, *args, locked: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.locked = locked or {}
        for name, reason in self.locked.items():
            self.fields[name].disabled = True
            self.fields[name].help_text = reason

    def clean(self):
        cleaned = super().clean()
        for name in ("starts_at", "registration_closes_at"):
            shown = self.initial.get(name)
            if shown and cleaned.get(name) == shown.replace(second=0, microsecond=0):
                cleaned[name] = shown  # left as it was: the picker shows minutes, the event may hold seconds
        if cleaned.get("is_solo"):
            cleaned["team_size"] = 1
        # A field left out of the post (an older page, a script) keeps the model's default.
        for name, default in event_write_defaults().items():
            if name in cleaned and cleaned[name] in (None, ""):
                cleaned[name] = default
        return cleaned

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        initial = {name: getattr(event, name) for name in EVENT_WRITE_FIELDS}
        initial["is_solo"] = "true" if event.is_solo else "false"
        return initial | cls.ffa_initial(ffa_settings_of(event))


class AnnouncementForm(forms.Form):
    title = FormTextField(label=_("Title"), max_length=Announcement.TITLE_MAX_LENGTH)
    body = FormTextField(
        label=_("Message"),
        max_length=Announcement.BODY_MAX_LENGTH,
        help_text=_(
            "Plain text. Every entrant is notified; it is pinned in the event chat and shown on the event page."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class JoinForm(forms.Form):
    """The page posts only wallet entries; card entries go through the join API from the page's script."""

    team = forms.ModelChoiceField(label=_("Team"), queryset=None, required=False, empty_label=_("Choose your team"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.teams_of(user=user).filter(captain=user)


class CancelEventForm(forms.Form):
    penalty_percent = forms.DecimalField(
        label=_("Cancellation penalty (%)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        help_text=_("Kept from each paid entry fee; the rest is refunded. 0 refunds everything."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}),
    )


class TeamForm(forms.Form):
    name = FormTextField(label=_("Team name"), max_length=60, strip=True)


class MemberAddForm(forms.Form):
    username = forms.RegexField(
        regex=User.username_validator.regex,
        max_length=30,
        label=_("Player's username"),
        error_messages={"invalid": _("Usernames are 3-30 letters, digits and underscores.")},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )


# --- Brackets


def score_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": "999", "autocomplete": "off"}),
    )


class ScoreForm(forms.Form):
    """A side's (or the organizer's) score; `name_a`/`name_b` label the boxes with who played."""

    score_a = score_field(_("Score A"))
    score_b = score_field(_("Score B"))

    def __init__(self, *args, name_a: str = _("Side A"), name_b: str = _("Side B"), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score_a"].label = name_a
        self.fields["score_b"].label = name_b


class ResolveForm(ScoreForm):
    resolution = FormTextField(
        label=_("Resolution"),
        required=False,
        max_length=2000,
        help_text=_("What you decided and why. Both sides see it."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Evidence is recognised by its first bytes (tournaments/evidence.py), never by its name or the
# type the browser claims; the picker only suggests the matching extensions.
EVIDENCE_ACCEPT = ".png,.jpg,.jpeg,.gif,.webp,.pdf,.mp4"


class DisputeForm(forms.Form):
    reason = FormTextField(
        label=_("What is wrong with the result?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = forms.FileField(
        label=_("Evidence"),
        required=False,
        help_text=_("A screenshot, PDF or MP4 clip, up to {limit}. Only the organizer, staff and the players see it."),
        widget=forms.ClearableFileInput(attrs={"accept": EVIDENCE_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["evidence"]
        field.help_text = field.help_text.format(limit=self.size_limit_text())

    @staticmethod
    def size_limit_text() -> str:
        limit = settings.DISPUTE_EVIDENCE_MAX_BYTES
        return f"{limit / (1024 * 1024):g} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"

    def clean_evidence(self):
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        if upload.size > settings.DISPUTE_EVIDENCE_MAX_BYTES:
            raise ValidationError(
                _("The file is too large: evidence is limited to %(size_limit_text)s.")
                % {"size_limit_text": self.size_limit_text()}
            )
        if kind_of_file(upload) is None:
            raise ValidationError(UnsupportedFile.default_message, code=UnsupportedFile.code)
        return upload


class SeedingForm(forms.Form):
    """The method, and for a manual order one seed number per entry (1 = best)."""

    method = forms.ChoiceField(label=_("Seed by"), choices=Event.Seeding.choices)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for position, entry in enumerate(self.entries, start=1):
            self.fields[self.field_name(entry)] = forms.IntegerField(
                label=entry.name,
                required=False,
                min_value=1,
                max_value=len(self.entries),
                initial=entry.seed or position,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "seed-input"}),
            )

    @staticmethod
    def field_name(entry) -> str:
        return f"seed_{entry.pk}"

    def seed_fields(self):
        return [(entry, self[self.field_name(entry)]) for entry in self.entries]

    def clean(self):
        cleaned = super().clean()
        cleaned["order"] = None
        if cleaned.get("method") != Event.Seeding.MANUAL:
            return cleaned
        seeds = {entry.pk: cleaned.get(self.field_name(entry)) for entry in self.entries}
        if sorted(seed or 0 for seed in seeds.values()) != list(range(1, len(self.entries) + 1)):
            raise ValidationError(
                _("Give each entry a different seed from 1 to %(entries)s.") % {"entries": len(self.entries)}
            )
        cleaned["order"] = sorted(seeds, key=seeds.__getitem__)
        return cleaned
