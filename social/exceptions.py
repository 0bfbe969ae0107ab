from django.utils.translation import gettext_lazy as _

from driftwood.core.exceptions import Conflict, DomainError, NotFound, PermissionDenied


class SelfAction(DomainError):
    code = "invalid"
    default_message = _("You cannot do that to yourself.")


class UserNotFound(NotFound):
    default_message = _("Player not found.")


class FriendshipNotFound(UserNotFound):
    default_message = _("Friend request not found.")


class NotRecipient(PermissionDenied):
    default_message = _("Only the player who received this request can answer it.")


class AlreadyFriends(Conflict):
    code = "already_friends"
    default_message = _("You are already friends.")


class NotPending(Conflict):
    code = "not_pending"
    default_message = _("This request has already been answered.")


class NotFriends(UserNotFound):
    default_message = _("You are not friends with this player.")


class NotRequester(NotRecipient):
    default_message = _("Only the player who sent this request can cancel it.")


class ReportClosed(Conflict):
    code = "already_handled"
    default_message = _("This report has already been handled.")


class AlreadyBanned(Conflict):
    code = "already_banned"
    default_message = _("This player is already banned.")


class NotShutOut(Conflict):
    code = "not_shut_out"
    default_message = _("Nothing to lift: the player is not held out that way.")
