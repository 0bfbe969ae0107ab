from rest_framework import status

from driftwood.core.exceptions import Conflict, DomainError


class SelfAction(DomainError):
    code = "invalid"
    default_message = "You cannot do that to yourself."


class UserNotFound(DomainError):
    status_code = status.HTTP_404_NOT_FOUND
    code = "not_found"
    default_message = "Player not found."


class FriendshipNotFound(UserNotFound):
    default_message = "Friend request not found."


class NotRecipient(DomainError):
    status_code = status.HTTP_403_FORBIDDEN
    code = "permission_denied"
    default_message = "Only the player who received this request can answer it."


class AlreadyFriends(Conflict):
    code = "already_friends"
    default_message = "You are already friends."


class NotPending(Conflict):
    code = "not_pending"
    default_message = "This request has already been answered."


class NotFriends(UserNotFound):
    default_message = "You are not friends with this player."


class NotRequester(NotRecipient):
    default_message = "Only the player who sent this request can cancel it."


class ReportClosed(Conflict):
    code = "already_handled"
    default_message = "This report has already been handled."


class AlreadyBanned(Conflict):
    code = "already_banned"
    default_message = "This player is already banned."
