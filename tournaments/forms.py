"""Browser forms for the tournament pages. They check input; the services enforce the rules again."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError

from driftwood.accounts.forms import ServiceErrorsMixin
from driftwood.accounts.models import USERNAME_PATTERN
from tournaments import selectors
from tournaments.models import Event

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
LISTED_STATUSES = [(status, label) for status, label in Event.Status.choices if status != Event.Status.DRAFT]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's own date and time picker, in the site's time zone (MYT)."""

    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format=DATETIME_FORMAT, **kwargs)


class MoneyInput(forms.NumberInput):
    def __init__(self):
        super().__init__(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "autocomplete": "off"})


def ringgit_field(label: str, help_text: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.00"),
        initial=Decimal("0.00"),
        help_text=help_text,
        error_messages={
            "invalid": 'Enter an amount such as "10.00".',
            "min_value": "Cannot be negative.",
            "max_decimal_places": "Use at most two decimal places.",
        },
        widget=MoneyInput(),
    )


class EventFilterForm(forms.Form):
    """The event list's filters (GET). Anything it cannot read is simply not applied."""

    search = forms.CharField(
        required=False,
        max_length=100,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Event or game name"}),
    )
    game = forms.ModelChoiceField(
        queryset=selectors.games(), required=False, to_field_name="slug", empty_label="All games"
    )
    status = forms.ChoiceField(choices=[("", "Upcoming"), *LISTED_STATUSES], required=False)


class PrizeDistributionField(forms.CharField):
    """ "60, 30, 10" -> [60, 30, 10]: whole percentages for 1st, 2nd, ... (the service checks the sum)."""

    def to_python(self, value) -> list[int]:
        text = super().to_python(value)
        if not text:
            return []
        try:
            shares = [int(part) for part in text.replace(";", ",").split(",") if part.strip()]
        except ValueError as exc:
            raise ValidationError('Whole percentages separated by commas, e.g. "60, 30, 10".') from exc
        return shares

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(str(share) for share in value)
        return value


class EventForm(ServiceErrorsMixin, forms.Form):
    """Create or edit a draft. The fields are the API's writable ones."""

    name = forms.CharField(max_length=120)
    game = forms.ModelChoiceField(queryset=selectors.games(), empty_label="Choose a game")
    description = forms.CharField(
        label="Rules and details",
        required=False,
        max_length=10_000,
        help_text="Format details, map pool, check-in, anything players must know.",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    tier = forms.ChoiceField(choices=Event.Tier.choices, initial=Event.Tier.COMMUNITY)
    event_type = forms.ChoiceField(label="Where", choices=Event.EventType.choices, initial=Event.EventType.ONLINE)
    format = forms.ChoiceField(choices=Event.Format.choices, initial=Event.Format.SINGLE_ELIMINATION)
    is_solo = forms.TypedChoiceField(
        label="Entries",
        choices=[("true", "Solo players"), ("false", "Teams")],
        coerce=lambda value: value == "true",
        initial="true",
        widget=forms.RadioSelect,
    )
    team_size = forms.IntegerField(
        min_value=1, max_value=10, initial=1, help_text="Players per team. Solo events use 1."
    )
    max_participants = forms.IntegerField(
        label="Maximum entries", min_value=2, max_value=1024, initial=16, help_text="Players (or teams) in the bracket."
    )
    entry_fee = ringgit_field("Entry fee (RM)", "Per player, or per team for team events. 0 for a free event.")
    prize_pool = ringgit_field("Prize pool (RM)", "Held from your wallet when you publish, and returned if you cancel.")
    prize_distribution = PrizeDistributionField(
        label="Prize split (%)",
        required=False,
        max_length=200,
        help_text='Percentages for 1st, 2nd, ... adding up to 100, e.g. "60, 30, 10".',
    )
    starts_at = forms.DateTimeField(label="Starts", input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput())
    registration_closes_at = forms.DateTimeField(
        label="Registration closes", input_formats=[DATETIME_FORMAT], widget=DateTimeLocalInput()
    )
    check_in_minutes = forms.IntegerField(
        label="Check-in (minutes before start)", min_value=0, max_value=1440, initial=60
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("is_solo"):
            cleaned["team_size"] = 1
        return cleaned

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        initial = {name: getattr(event, name) for name in cls.base_fields}
        initial["is_solo"] = "true" if event.is_solo else "false"
        return initial


class JoinForm(forms.Form):
    """The page posts only wallet entries; card entries go through the join API from the page's script."""

    team = forms.ModelChoiceField(queryset=None, required=False, empty_label="Choose your team")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = selectors.teams_of(user=user).filter(captain=user)


class CancelEventForm(forms.Form):
    penalty_percent = forms.DecimalField(
        label="Cancellation penalty (%)",
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        initial=Decimal(0),
        help_text="Kept from each paid entry fee; the rest is refunded. 0 refunds everything.",
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.01", "min": "0", "max": "100"}),
    )


class TeamForm(forms.Form):
    name = forms.CharField(label="Team name", max_length=60, strip=True)


class MemberAddForm(forms.Form):
    username = forms.RegexField(
        regex=USERNAME_PATTERN,
        max_length=30,
        label="Player's username",
        error_messages={"invalid": "Usernames are 3-30 letters, digits and underscores."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}),
    )
