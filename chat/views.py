"""Chat pages (session auth): the inbox, a room, and "message this player" (opens the DM).

The room page renders the newest messages itself; static/js/chat.js then connects to the
room's WebSocket for live messages, typing and presence, and pages back through history.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from chat import presence, selectors, services
from chat.exceptions import CannotMessage, RoomNotFound
from chat.models import ChatRoom, RoomMember
from driftwood.core.paging import paginate

ROOMS_PER_PAGE = 20
HISTORY_PAGE = 50
# A big event room lists this many players beside the messages; the rest still chat.
PEOPLE_SHOWN = 100
MAX_USER_ID = 2**63 - 1
API_ROOT = "/api/v1/chat"


@login_required
@never_cache
@require_GET
def room_list(request):
    """The inbox: the player's rooms, most recent first, with unread counts."""
    services.rooms_ensure_for(user_id=request.user.pk)
    page = paginate(request, selectors.inbox(user_id=request.user.pk), ROOMS_PER_PAGE)
    context = {"rooms": selectors.with_unread(page.items, user_id=request.user.pk), "page": page}
    return render(request, "chat/rooms.html", context)


@login_required
@never_cache
@require_GET
def room_detail(request, room_id: str):
    try:
        room = services.room_for(user_id=request.user.pk, room_id=room_id)
    except RoomNotFound:
        raise Http404(_("No such chat room.")) from None
    room = selectors.with_unread([selectors.inbox(user_id=request.user.pk).get(pk=room.pk)], user_id=request.user.pk)[0]
    history, has_more, next_before = selectors.history(room=room, limit=HISTORY_PAGE)
    readers = [request.user.pk] + ([room.other_user_id] if room.other_user_id else [])
    markers = dict(
        RoomMember.objects.filter(room=room, user_id__in=readers).values_list("user_id", "last_read_message_id")
    )
    people = list(selectors.room_people(room=room)[:PEOPLE_SHOWN])
    context = {
        "room": room,
        "is_dm": room.kind == ChatRoom.Kind.DM,
        "history": history[::-1],  # oldest at the top, like any chat
        "pinned": selectors.pinned(room=room) if room.kind == ChatRoom.Kind.EVENT else [],
        "has_more": has_more,
        "next_before": next_before or "",
        "last_read_id": markers.get(request.user.pk, 0),
        # In a DM, how far the other player has read (the page shows "Seen").
        "other_read_id": markers.get(room.other_user_id, 0),
        "people": people,
        # The viewer is here, so online, even before their socket is counted.
        "online_ids": presence.online([person.pk for person in people]) | {request.user.pk},
        "people_shown": PEOPLE_SHOWN,
        "socket_path": f"/ws/chat/{room.room_id}",
        "history_api_url": f"{API_ROOT}/{room.room_id}/history",
        "read_api_url": f"{API_ROOT}/{room.room_id}/read",
    }
    return render(request, "chat/room.html", context)


def _back(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("chat:rooms")


@login_required
@require_POST
def dm_open_view(request, user_id: int):
    """Open (or create) the DM with a player and go there; if not allowed, back with the reason."""
    if user_id > MAX_USER_ID:
        raise Http404(_("No such player."))
    try:
        room, _created = services.dm_open(user=request.user, other_id=user_id)
    except RoomNotFound:
        raise Http404(_("No such player.")) from None
    except CannotMessage as exc:
        messages.error(request, exc.message)
        return _back(request)
    return redirect("chat:room", room_id=room.room_id)
