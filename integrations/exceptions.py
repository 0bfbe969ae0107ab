from django.utils.translation import gettext_lazy as _

from driftwood.core.exceptions import Conflict


class TooManyEndpoints(Conflict):
    code = "too_many_endpoints"
    default_message = _("You have as many webhook endpoints as allowed: remove one first.")


class EndpointPaused(Conflict):
    code = "endpoint_paused"
    default_message = _("This endpoint is paused: resume it first.")
