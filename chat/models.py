"""Chat rooms, their members and messages, and the archive of messages older than 90 days.

Room ids follow the contract: `dm_{low}_{high}` (two players), `event_{id}` (an event's
confirmed players and organizer), `team_{id}` (a team's members). The room id is unique,
so two players opening a DM at the same moment get one room.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MESSAGE_MAX_LENGTH = 2000


class ChatRoom(models.Model):
    class Kind(models.TextChoices):
        DM = "dm", _("Direct message")
        EVENT = "event", _("Event")
        TEAM = "team", _("Team")

    room_id = models.CharField(max_length=64, unique=True, verbose_name=_("room ID"))
    kind = models.CharField(max_length=10, choices=Kind.choices, verbose_name=_("kind"))
    title = models.CharField(max_length=140, blank=True, verbose_name=_("title"))
    event = models.ForeignKey(
        "tournaments.Event", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("event")
    )
    team = models.ForeignKey(
        "tournaments.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    last_message_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last message at"))
    last_message_id = models.BigIntegerField(default=0, verbose_name=_("last message ID"))
    last_message_preview = models.CharField(max_length=140, blank=True, verbose_name=_("last message preview"))
    # The seq of the room's newest message: each message takes the next one (1, 2, 3... no gaps).
    last_seq = models.BigIntegerField(default=0, verbose_name=_("last sequence number"))

    class Meta:
        verbose_name = _("chat room")
        verbose_name_plural = _("chat rooms")
        indexes = [models.Index(F("last_message_at").desc(nulls_last=True), name="chatroom_recent")]
        constraints = [models.CheckConstraint(condition=models.Q(last_seq__gte=0), name="chatroom_last_seq_gte_0")]

    def __str__(self) -> str:
        return self.room_id


class RoomMember(models.Model):
    """A player's place in a room and how far they have read (by message id)."""

    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="members", verbose_name=_("room"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chat_memberships", verbose_name=_("user")
    )
    joined_at = models.DateTimeField(default=timezone.now, verbose_name=_("joined at"))
    last_read_message_id = models.BigIntegerField(default=0, verbose_name=_("last read message ID"))
    last_read_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last read at"))

    class Meta:
        verbose_name = _("room member")
        verbose_name_plural = _("room members")
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="room_member_once")]
        indexes = [models.Index(fields=["user", "room"], name="room_member_user")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id}"


class AbstractMessage(models.Model):
    room = models.ForeignKey(ChatRoom, on_delete=models.CASCADE, related_name="+", verbose_name=_("room"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sender")
    )
    text = models.TextField(max_length=MESSAGE_MAX_LENGTH, verbose_name=_("text"))
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    edited = models.BooleanField(default=False, verbose_name=_("edited"))
    deleted = models.BooleanField(default=False, verbose_name=_("deleted"))
    # The message's place in its room: 1, 2, 3... without gaps, so a client that saw seq N and then
    # N + 2 knows it missed one and fetches it (history `?after_seq=`).
    seq = models.BigIntegerField(verbose_name=_("sequence number"))
    # An organizer's announcement, shown above the messages of the event's room.
    pinned = models.BooleanField(default=False, db_default=False, verbose_name=_("pinned"))

    class Meta:
        abstract = True


class ChatMessage(AbstractMessage):
    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        indexes = [
            models.Index(F("room"), F("created_at").desc(), F("id").desc(), name="chatmessage_room_recent"),
            models.Index(fields=["created_at"], name="chatmessage_created"),
            # Unread counts: the messages after a reader's marker (by id), at most UNREAD_CAP of them.
            models.Index(fields=["room", "id"], name="chatmessage_room_id"),
            models.Index(
                F("room"), F("created_at").desc(), condition=models.Q(pinned=True), name="chatmessage_room_pinned"
            ),
        ]
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="chatmessage_room_seq")]

    def __str__(self) -> str:
        return _("#%(pk)s in %(room_id)s") % {"pk": self.pk, "room_id": self.room_id}


class ArchivedChatMessage(AbstractMessage):
    """Messages older than 90 days, moved here with their original id (history still finds them)."""

    id = models.BigIntegerField(primary_key=True, verbose_name=_("id"))
    archived_at = models.DateTimeField(default=timezone.now, verbose_name=_("archived at"))

    class Meta:
        verbose_name = _("archived chat message")
        verbose_name_plural = _("archived chat messages")
        indexes = [
            models.Index(F("room"), F("created_at").desc(), F("id").desc(), name="chatarchive_room_recent"),
        ]
        constraints = [models.UniqueConstraint(fields=["room", "seq"], name="chatarchive_room_seq")]

    def __str__(self) -> str:
        return _("archived #%(pk)s in %(room_id)s") % {"pk": self.pk, "room_id": self.room_id}
