from django.utils.translation import gettext_lazy as _

from driftwood.core.exceptions import DomainError, NotFound, PermissionDenied


class RoomNotFound(NotFound):
    default_message = _("Chat room not found.")


class CannotMessage(PermissionDenied):
    default_message = _("You cannot message this player.")


class InvalidMessage(DomainError):
    code = "invalid"
    default_message = _("A message is 1 to 2000 characters.")


class InvalidCursor(DomainError):
    code = "invalid"
    default_message = _("`before` is not a cursor this API gave out.")
