"""Who is online, across every server process, and who is typing where.

Each open chat socket holds a presence entry: (connection id -> deadline) in a per-user sorted
set, refreshed by the socket's heartbeat. A user is online while any entry's deadline lies ahead,
so the per-user count is the number of live entries. Opening and closing change it atomically (one
Lua script each, with Redis' own clock so machines need not agree on the time). A plain INCR/DECR
counter could not forget the connections of a process that crashed while another of the user's
connections kept the key alive; here each entry expires on its own, and `sweep()` (run by every
live socket's heartbeat) finds the ones that did so, so that "offline" is still announced.

`last_seen` is kept in the cache (Redis) for LAST_SEEN_DAYS, written at each open, heartbeat and
close: presence changes far too often to be a PostgreSQL write, and losing it only shows
"last seen: unknown".

While Redis is unreachable, `online()` says nobody is and `last_seen()` does not know (pages keep
working); the socket-side calls raise, and the socket is closed with a reconnect hint.

Without Redis (embedded mode: one process, local-memory cache) the same operations run on the
cache API under a lock, which is exact within that process.
"""

import threading
import time
from datetime import UTC, datetime

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache

from chat.models import RoomMember
from driftwood.core import redis_outage

LAST_SEEN_DAYS = 90
SWEEP_BATCH = 500

# KEYS: user's entries, all deadlines, last seen. ARGV: connection, ttl, member tag, last-seen ttl.
# Returns the number of live connections the user had before this one was (re)counted.
_TOUCH = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local deadline = now + tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local had = redis.call('ZSCORE', KEYS[1], ARGV[1])
local before = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], deadline, ARGV[1])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2]) * 1000))
redis.call('ZADD', KEYS[2], deadline, ARGV[3])
redis.call('SET', KEYS[3], tostring(now), 'EX', ARGV[4])
if had then return -1 end
return before
"""

# Same KEYS and ARGV as _TOUCH. Returns the live connections left, or -1 if this one was already
# gone (swept after its deadline, so its "offline" was announced then).
_LEAVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local removed = redis.call('ZREM', KEYS[1], ARGV[1]) + redis.call('ZREM', KEYS[2], ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('SET', KEYS[3], tostring(now), 'EX', ARGV[4])
if removed == 0 then return -1 end
return redis.call('ZCARD', KEYS[1])
"""

# KEYS: all deadlines. ARGV: batch size, prefix of the per-user keys. Removes the expired
# entries and returns the users left without any live connection.
_SWEEP = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local gone = {}
local seen = {}
for _, tag in ipairs(expired) do
    redis.call('ZREM', KEYS[1], tag)
    local sep = string.find(tag, '|', 1, true)
    local user = string.sub(tag, 1, sep - 1)
    local key = ARGV[2] .. user
    redis.call('ZREM', key, string.sub(tag, sep + 1))
    redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
    if redis.call('ZCARD', key) == 0 and not seen[user] then
        seen[user] = true
        table.insert(gone, tonumber(user))
    end
end
return gone
"""

# KEYS: users' entries. Returns 1/0 per key: any live entry.
_ONLINE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local result = {}
for i, key in ipairs(KEYS) do
    result[i] = redis.call('ZCOUNT', key, '(' .. now, '+inf') > 0 and 1 or 0
end
return result
"""

_local_lock = threading.Lock()
USER_PREFIX = "presence:user:"
DEADLINES = "presence:deadlines"


def _user_key(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def _last_seen_key(user_id: int) -> str:
    return f"presence:last_seen:{user_id}"


def _tag(user_id: int, connection_id: str) -> str:
    return f"{user_id}|{connection_id}"


def _redis():
    """The raw Redis connection behind django-redis, or None for other backends."""
    if not hasattr(cache, "client") or not hasattr(cache.client, "get_client"):
        return None
    return cache.client.get_client(write=True)


def _ttl() -> float:
    return settings.CHAT_PRESENCE_TTL_SECONDS


def _last_seen_ttl() -> int:
    return LAST_SEEN_DAYS * 86400


def _run(script: str, user_id: int, connection_id: str) -> int:
    redis = _redis()
    keys = [cache.make_key(_user_key(user_id)), cache.make_key(DEADLINES), cache.make_key(_last_seen_key(user_id))]
    args = [connection_id, _ttl(), _tag(user_id, connection_id), _last_seen_ttl()]
    return int(redis.eval(script, len(keys), *keys, *args))


def _local_entries(user_id: int, now: float) -> dict[str, float]:
    entries = cache.get(_user_key(user_id)) or {}
    return {conn: deadline for conn, deadline in entries.items() if deadline > now}


def _local_touch(user_id: int, connection_id: str) -> int:
    now = time.time()
    with _local_lock:
        entries = _local_entries(user_id, now)
        had = connection_id in entries
        before = len(entries)
        entries[connection_id] = now + _ttl()
        cache.set(_user_key(user_id), entries, _ttl())
        deadlines = cache.get(DEADLINES) or {}
        deadlines[_tag(user_id, connection_id)] = now + _ttl()
        cache.set(DEADLINES, deadlines, None)
        cache.set(_last_seen_key(user_id), now, _last_seen_ttl())
    return -1 if had else before


def _local_leave(user_id: int, connection_id: str) -> int:
    now = time.time()
    with _local_lock:
        entries = _local_entries(user_id, now)
        deadlines = cache.get(DEADLINES) or {}
        removed = entries.pop(connection_id, None) is not None
        removed = deadlines.pop(_tag(user_id, connection_id), None) is not None or removed
        cache.set(_user_key(user_id), entries, _ttl())
        cache.set(DEADLINES, deadlines, None)
        cache.set(_last_seen_key(user_id), now, _last_seen_ttl())
    return len(entries) if removed else -1


def _local_sweep() -> list[int]:
    now = time.time()
    gone = []
    with _local_lock:
        deadlines = cache.get(DEADLINES) or {}
        expired = [tag for tag, deadline in deadlines.items() if deadline <= now][:SWEEP_BATCH]
        for tag in expired:
            del deadlines[tag]
            user_id = int(tag.partition("|")[0])
            if not _local_entries(user_id, now) and user_id not in gone:
                gone.append(user_id)
        cache.set(DEADLINES, deadlines, None)
    return gone


def connection_opened(*, user_id: int, connection_id: str) -> bool:
    """Count a new socket of the user; True if that brought them online."""
    redis = _redis()
    before = _run(_TOUCH, user_id, connection_id) if redis else _local_touch(user_id, connection_id)
    return before == 0


def connection_alive(*, user_id: int, connection_id: str) -> bool:
    """The heartbeat: push the socket's deadline on. True if it had lapsed and the user was offline
    (a long stall): they are back online."""
    return connection_opened(user_id=user_id, connection_id=connection_id)


def connection_closed(*, user_id: int, connection_id: str) -> bool:
    """Stop counting a socket; True if it was the user's last one (they went offline)."""
    left = _run(_LEAVE, user_id, connection_id) if _redis() else _local_leave(user_id, connection_id)
    return left == 0


def sweep() -> list[int]:
    """Forget connections whose heartbeat stopped (their process died); the users this left offline."""
    redis = _redis()
    if redis is None:
        return _local_sweep()
    return [
        int(user_id)
        for user_id in redis.eval(_SWEEP, 1, cache.make_key(DEADLINES), SWEEP_BATCH, cache.make_key(USER_PREFIX))
    ]


def online(user_ids) -> set[int]:
    """Which of these users have at least one live connection."""
    user_ids = list(dict.fromkeys(user_ids))
    if not user_ids:
        return set()
    redis = _redis()
    if redis is None:
        now = time.time()
        return {user_id for user_id in user_ids if _local_entries(user_id, now)}
    keys = [cache.make_key(_user_key(user_id)) for user_id in user_ids]
    # Redis down: nobody counts as online (their sockets are closed meanwhile anyway).
    flags = redis_outage.call("presence.online", [0] * len(keys), lambda: redis.eval(_ONLINE, len(keys), *keys))
    return {user_id for user_id, flag in zip(user_ids, flags, strict=True) if flag}


def is_online(user_id: int) -> bool:
    return user_id in online([user_id])


def connection_count(user_id: int) -> int:
    """Live connections of the user, on every process."""
    redis = _redis()
    if redis is None:
        return len(_local_entries(user_id, time.time()))
    seconds, micros = redis.time()
    return int(redis.zcount(cache.make_key(_user_key(user_id)), f"({seconds + micros / 1_000_000}", "+inf"))


def last_seen(user_id: int) -> datetime | None:
    """When the user last had a socket open (their latest heartbeat while online), or None if unknown."""
    redis = _redis()
    if redis is None:
        raw = cache.get(_last_seen_key(user_id))
    else:
        raw = redis_outage.call("presence.last_seen", None, lambda: redis.get(cache.make_key(_last_seen_key(user_id))))
    return datetime.fromtimestamp(float(raw), tz=UTC) if raw is not None else None


def _typing_key(room_id: str, user_id: int) -> str:
    return f"typing:{room_id}:{user_id}"


def typing_set(*, room_id: str, user_id: int, is_typing: bool) -> bool:
    """Mark (with CHAT_TYPING_SECONDS to live) or clear the user's typing state; True if it changed."""
    key = _typing_key(room_id, user_id)
    if not is_typing:
        return bool(cache.delete(key))
    ttl = settings.CHAT_TYPING_SECONDS
    if cache.add(key, 1, timeout=ttl):
        return True
    # Still typing: only extend. If it lapsed between the two calls, this is a fresh start.
    return not cache.touch(key, ttl) and cache.add(key, 1, timeout=ttl)


def is_typing(*, room_id: str, user_id: int) -> bool:
    return cache.get(_typing_key(room_id, user_id)) is not None


def chat_group(room_id: str) -> str:
    return f"chat_{room_id}"


@database_sync_to_async
def _room_ids_of(user_id: int) -> list[str]:
    return list(RoomMember.objects.filter(user_id=user_id).values_list("room__room_id", flat=True))


async def presence_broadcast(*, user_id: int, online: bool) -> None:
    """Tell every room the user belongs to that they came online or went offline."""
    layer = get_channel_layer()
    for room_id in await _room_ids_of(user_id):
        await layer.group_send(chat_group(room_id), {"type": "chat.presence", "user_id": user_id, "online": online})
