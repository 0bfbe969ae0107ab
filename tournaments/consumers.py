"""ws/events/<id>/: live updates of one event (participant counts, status) for anyone who can see it."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils.translation import gettext as _

from driftwood.core.parsers import JSONFramesMixin
from driftwood.core.websocket import UserSocketMixin
from tournaments import selectors
from tournaments.notifications import event_group

CLOSE_BAD_TOKEN = 4401
CLOSE_NOT_FOUND = 4404


@database_sync_to_async
def _can_see(user, event_id: int) -> bool:
    return selectors.events_visible_to(user).filter(pk=event_id).exists()


class EventUpdatesConsumer(UserSocketMixin, JSONFramesMixin, AsyncJsonWebsocketConsumer):
    """Joins group `event_{id}` and forwards every `event.update` as a JSON frame. Listen-only.

    The socket is accepted before it is refused, so that browsers see the close code: 4401 for
    a bad token, 4404 for an event that does not exist or that the caller may not see (drafts).
    A listener is accepted only once it is in the group: pages re-read their state when the
    socket opens, and no update sent after that read can miss them.
    """

    group: str | None = None

    async def connect(self):
        if self.scope.get("auth_error"):
            await self._refuse(CLOSE_BAD_TOKEN)
            return
        event_id = self.scope["url_route"]["kwargs"]["event_id"]
        if not await _can_see(self.scope.get("user"), event_id):
            await self._refuse(CLOSE_NOT_FOUND)
            return
        self.group = event_group(event_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def _refuse(self, code: int):
        await self.accept()
        await self.close(code=code)

    async def disconnect(self, code):
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        await self.send_error("invalid", _("This socket only sends event updates."))

    async def event_update(self, message: dict):
        await self.send_json(message)
