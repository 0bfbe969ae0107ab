"""What players and moderators hear about the graph: an in-app notification (same
transaction) and an e-mail task (after commit), for requests, acceptances, new followers
and new reports."""

from django.utils.translation import gettext as _

from driftwood.accounts.models import User
from driftwood.core.i18n import lazy_text
from driftwood.notifications.services import notify
from social.models import Friendship, Report


def _name(user) -> str:
    return user.display_name or user.username


def _tell(user, *, kind: str, title: str, body: str, url: str, data: dict) -> None:
    notify(users=[user], kind=kind, title=title, body=body, url=url, data=data)


def friend_request_received(friendship: Friendship) -> None:
    requester = friendship.requester
    _tell(
        friendship.addressee,
        kind="friend_request",
        title=lazy_text(lambda: _("%(name)s wants to be friends") % {"name": _name(requester)}),
        body=lazy_text(
            lambda: (
                _("%(name)s (@%(username)s) sent you a friend request.")
                % {"name": _name(requester), "username": requester.username}
            )
        ),
        url="/friends/",
        data={"friendship_id": friendship.pk, "user_id": requester.pk},
    )


def friend_request_accepted(friendship: Friendship) -> None:
    addressee = friendship.addressee
    _tell(
        friendship.requester,
        kind="friend_accepted",
        title=lazy_text(lambda: _("%(name)s accepted your friend request") % {"name": _name(addressee)}),
        body=lazy_text(
            lambda: (
                _("You and %(name)s (@%(username)s) are now friends.")
                % {"name": _name(addressee), "username": addressee.username}
            )
        ),
        url=f"/players/{addressee.pk}/",
        data={"friendship_id": friendship.pk, "user_id": addressee.pk},
    )


def new_follower(*, follower, followed) -> None:
    _tell(
        followed,
        kind="new_follower",
        title=lazy_text(lambda: _("%(name)s follows you") % {"name": _name(follower)}),
        body=lazy_text(
            lambda: (
                _("%(name)s (@%(username)s) started following you.")
                % {"name": _name(follower), "username": follower.username}
            )
        ),
        url=f"/players/{follower.pk}/",
        data={"user_id": follower.pk},
    )


def report_filed(report: Report) -> None:
    moderators = User.objects.filter(is_staff=True, is_active=True).values_list("pk", flat=True)
    # Each moderator reads it in their own language (the reporter's words stay as written).
    title = lazy_text(
        lambda: (
            _("New report: @%(username)s for %(reason)s")
            % {"username": report.reported.username, "reason": report.get_reason_display().lower()}
        )
    )
    notify(
        users=moderators,
        kind="report_filed",
        title=title,
        body=report.description[:500] or lazy_text(lambda: _("No description given.")),
        url=f"/admin/social/report/{report.pk}/change/",
        data={"report_id": report.pk},
        key=f"report:{report.pk}",
    )
