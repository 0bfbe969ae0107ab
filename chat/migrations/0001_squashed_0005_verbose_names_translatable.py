"""Chat migrations 0001-0005 in one, for new databases.

Made as `manage.py squashmigrations` makes them (`replaces`: a database that applied any of the
replaced migrations goes on with those; only a fresh one runs this), but written from the app's
final migration state: one CreateModel per model, columns in the order the replaced migrations left
them. Django's optimizer cannot fold a later AddField/AlterField/AddIndex into a CreateModel across
a RunPython, a RunSQL or a trigger, so those run last, in their original order; on the new, empty
tables each does what it did in chat 0003_message_seq (the SQL is copied from there unchanged).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


BACKFILL = """
CREATE TEMPORARY TABLE chat_seq_backfill ON COMMIT DROP AS
    SELECT id, room_id, row_number() OVER (PARTITION BY room_id ORDER BY created_at, id) AS seq
    FROM (
        SELECT id, room_id, created_at FROM chat_archivedchatmessage
        UNION ALL
        SELECT id, room_id, created_at FROM chat_chatmessage
    ) AS every_message;
UPDATE chat_chatmessage AS message SET seq = numbered.seq
    FROM chat_seq_backfill AS numbered WHERE numbered.id = message.id;
UPDATE chat_archivedchatmessage AS message SET seq = numbered.seq
    FROM chat_seq_backfill AS numbered WHERE numbered.id = message.id;
UPDATE chat_chatroom AS room SET last_seq = counted.last_seq
    FROM (SELECT room_id, max(seq) AS last_seq FROM chat_seq_backfill GROUP BY room_id) AS counted
    WHERE counted.room_id = room.id;
DROP TABLE chat_seq_backfill;
"""


NEXT_SEQ = """
CREATE FUNCTION chat_message_next_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NULL THEN
        UPDATE chat_chatroom SET last_seq = last_seq + 1 WHERE id = NEW.room_id RETURNING last_seq INTO NEW.seq;
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER chat_message_next_seq BEFORE INSERT ON chat_chatmessage
    FOR EACH ROW EXECUTE FUNCTION chat_message_next_seq();
"""


DROP_NEXT_SEQ = """
DROP TRIGGER chat_message_next_seq ON chat_chatmessage;
DROP FUNCTION chat_message_next_seq();
"""


class Migration(migrations.Migration):

    replaces = [('chat', '0001_initial'), ('chat', '0002_list_indexes'), ('chat', '0003_message_seq'), ('chat', '0004_message_pinned'), ('chat', '0005_verbose_names_translatable')]

    initial = True

    dependencies = [
        ('tournaments', '0013_verbose_names_translatable'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ChatRoom',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('room_id', models.CharField(max_length=64, unique=True, verbose_name='room ID')),
                ('kind', models.CharField(choices=[('dm', 'Direct message'), ('event', 'Event'), ('team', 'Team')], max_length=10, verbose_name='kind')),
                ('title', models.CharField(blank=True, max_length=140, verbose_name='title')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('last_message_at', models.DateTimeField(blank=True, null=True, verbose_name='last message at')),
                ('last_message_id', models.BigIntegerField(default=0, verbose_name='last message ID')),
                ('last_message_preview', models.CharField(blank=True, max_length=140, verbose_name='last message preview')),
                ('event', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tournaments.event', verbose_name='event')),
                ('team', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='tournaments.team', verbose_name='team')),
                ('last_seq', models.BigIntegerField(default=0, verbose_name='last sequence number')),
            ],
            options={
                'indexes': [models.Index(models.OrderBy(models.F('last_message_at'), descending=True, nulls_last=True), name='chatroom_recent')],
                'constraints': [models.CheckConstraint(condition=models.Q(('last_seq__gte', 0)), name='chatroom_last_seq_gte_0')],
                'verbose_name': 'chat room',
                'verbose_name_plural': 'chat rooms',
            },
        ),
        migrations.CreateModel(
            name='ChatMessage',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField(max_length=2000, verbose_name='text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('edited', models.BooleanField(default=False, verbose_name='edited')),
                ('deleted', models.BooleanField(default=False, verbose_name='deleted')),
                ('sender', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sender')),
                ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='chat.chatroom', verbose_name='room')),
                ('seq', models.BigIntegerField(verbose_name='sequence number')),
                ('pinned', models.BooleanField(db_default=False, default=False, verbose_name='pinned')),
            ],
            options={
                'indexes': [models.Index(models.F('room'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='chatmessage_room_recent'), models.Index(fields=['created_at'], name='chatmessage_created'), models.Index(fields=['room', 'id'], name='chatmessage_room_id'), models.Index(models.F('room'), models.OrderBy(models.F('created_at'), descending=True), condition=models.Q(('pinned', True)), name='chatmessage_room_pinned')],
                'constraints': [models.UniqueConstraint(fields=('room', 'seq'), name='chatmessage_room_seq')],
                'verbose_name': 'chat message',
                'verbose_name_plural': 'chat messages',
            },
        ),
        migrations.CreateModel(
            name='ArchivedChatMessage',
            fields=[
                ('text', models.TextField(max_length=2000, verbose_name='text')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
                ('edited', models.BooleanField(default=False, verbose_name='edited')),
                ('deleted', models.BooleanField(default=False, verbose_name='deleted')),
                ('id', models.BigIntegerField(primary_key=True, serialize=False, verbose_name='id')),
                ('archived_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='archived at')),
                ('sender', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='sender')),
                ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='chat.chatroom', verbose_name='room')),
                ('seq', models.BigIntegerField(verbose_name='sequence number')),
                ('pinned', models.BooleanField(db_default=False, default=False, verbose_name='pinned')),
            ],
            options={
                'indexes': [models.Index(models.F('room'), models.OrderBy(models.F('created_at'), descending=True), models.OrderBy(models.F('id'), descending=True), name='chatarchive_room_recent')],
                'constraints': [models.UniqueConstraint(fields=('room', 'seq'), name='chatarchive_room_seq')],
                'verbose_name': 'archived chat message',
                'verbose_name_plural': 'archived chat messages',
            },
        ),
        migrations.CreateModel(
            name='RoomMember',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('joined_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='joined at')),
                ('last_read_message_id', models.BigIntegerField(default=0, verbose_name='last read message ID')),
                ('last_read_at', models.DateTimeField(blank=True, null=True, verbose_name='last read at')),
                ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='members', to='chat.chatroom', verbose_name='room')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='chat_memberships', to=settings.AUTH_USER_MODEL, verbose_name='user')),
            ],
            options={
                'indexes': [models.Index(fields=['user', 'room'], name='room_member_user')],
                'constraints': [models.UniqueConstraint(fields=('room', 'user'), name='room_member_once')],
                'verbose_name': 'room member',
                'verbose_name_plural': 'room members',
            },
        ),
        migrations.RunSQL(
            sql=BACKFILL,
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.RunSQL(
            sql=NEXT_SEQ,
            reverse_sql=DROP_NEXT_SEQ,
        ),
    ]
