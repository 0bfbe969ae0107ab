from rest_framework import status

from driftwood.core.exceptions import DomainError


class RoomNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = "Chat room not found."


class CannotMessage(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_message = "You cannot message this player."


class InvalidMessage(DomainError):
    code = "invalid"
    default_message = "A message is 1 to 2000 characters."


class InvalidCursor(DomainError):
    code = "invalid"
    default_message = "`before` is not a cursor this API gave out."
