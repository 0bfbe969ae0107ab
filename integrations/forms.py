"""Browser forms of the organizer's webhook page. They check input; the services enforce the rules again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from driftwood.core.forms import ServiceErrorsMixin
from driftwood.core.text import FormTextField
from integrations.models import WebhookEvent
from integrations.services.endpoints import DESCRIPTION_MAX_LENGTH


class WebhookEndpointForm(ServiceErrorsMixin, forms.Form):
    url = forms.URLField(
        label=_("Endpoint URL"),
        max_length=2000,
        assume_scheme="https",
        help_text=_(
            "Where we POST each event, e.g. https://example.com/hooks/driftwood. It must be public and use https."
        ),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    description = FormTextField(label=_("Description"), max_length=DESCRIPTION_MAX_LENGTH, required=False)
    event_types = forms.MultipleChoiceField(
        label=_("Events to send"),
        choices=WebhookEvent.choices,
        initial=list(WebhookEvent.values),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event to send.")},
    )
