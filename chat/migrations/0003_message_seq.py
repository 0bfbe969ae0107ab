"""Per-room sequence numbers: `ChatRoom.last_seq` and `seq` on every (live or archived) message.

Existing messages are numbered 1, 2, 3... per room in (created_at, id) order, archived ones
first-class (they are a room's oldest), and each room's `last_seq` is set to its count; then
the column becomes NOT NULL and unique per room.

A trigger gives a message inserted without a seq (bulk loads, the admin, scripts) the room's next
one, so every writer keeps the numbering; `services.message_post` passes its own.
"""

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
    dependencies = [("chat", "0002_list_indexes")]

    operations = [
        migrations.AddField(model_name="chatroom", name="last_seq", field=models.BigIntegerField(default=0)),
        migrations.AddField(model_name="chatmessage", name="seq", field=models.BigIntegerField(null=True)),
        migrations.AddField(model_name="archivedchatmessage", name="seq", field=models.BigIntegerField(null=True)),
        migrations.RunSQL(BACKFILL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(model_name="chatmessage", name="seq", field=models.BigIntegerField()),
        migrations.AlterField(model_name="archivedchatmessage", name="seq", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="chatroom",
            constraint=models.CheckConstraint(condition=models.Q(last_seq__gte=0), name="chatroom_last_seq_gte_0"),
        ),
        migrations.AddConstraint(
            model_name="chatmessage",
            constraint=models.UniqueConstraint(fields=["room", "seq"], name="chatmessage_room_seq"),
        ),
        migrations.AddConstraint(
            model_name="archivedchatmessage",
            constraint=models.UniqueConstraint(fields=["room", "seq"], name="chatarchive_room_seq"),
        ),
        migrations.RunSQL(NEXT_SEQ, reverse_sql=DROP_NEXT_SEQ),
    ]
