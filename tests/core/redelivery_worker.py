"""Driftwood's Celery app for a worker that takes over a dead worker's unacknowledged tasks at once.

    celery -A tests.core.redelivery_worker worker ...

Redis keeps a task a worker has received but not acknowledged (`acks_late`) in a set of its own;
any worker puts it back in its queue once it is older than the broker's `visibility_timeout`
(an hour by default, Driftwood keeps it), at start and then every `unacked_restore_interval`.
A test cannot wait an hour: this worker does it after a second.
"""

from driftwood.celery import app

app.conf.broker_transport_options = {
    "visibility_timeout": 1,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
