from driftwood.core.exceptions import DomainError, NotFound, PermissionDenied


class RoomNotFound(NotFound):
    default_message = "Chat room not found."


class CannotMessage(PermissionDenied):
    default_message = "You cannot message this player."


class InvalidMessage(DomainError):
    code = "invalid"
    default_message = "A message is 1 to 2000 characters."


class InvalidCursor(DomainError):
    code = "invalid"
    default_message = "`before` is not a cursor this API gave out."
