"""Start-up objects out of the garbage collector's way (Instagram's `gc.freeze()`).

A loaded Django process holds a couple of hundred thousand container objects (modules, classes,
functions, the URL resolver, the settings, the app registry) that live as long as the process.
Every full collection scans them all, ~100 ms of CPU on this machine, and a WebSocket server is
stalled for that long for every socket it holds. Moved to the permanent generation once the app is
loaded, they are never scanned again; in gunicorn, where the arbiter loads the app before it forks
(`preload_app`), frozen objects also stay untouched in the workers, so their memory pages remain
shared with the arbiter instead of being copied when a collection writes the objects' headers.
"""

import gc


def freeze_startup_objects() -> int:
    """Collect what start-up left behind, then freeze every object still alive; returns how many are frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
