"""The webhook tests' receiver, and settings that let webhooks reach it."""

import pytest

from tests.integrations.receiver import Receiver


@pytest.fixture
def receiver():
    receiving = Receiver()
    yield receiving
    receiving.close()


@pytest.fixture
def local_webhooks(settings):
    """Webhooks may reach a receiver on this machine over plain http, and are sent at once on commit."""
    settings.WEBHOOK_REQUIRE_HTTPS = False
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 5.0
    settings.CELERY_TASK_ALWAYS_EAGER = True
    return settings


@pytest.fixture
def production_rules(settings):
    """Webhooks as production has them: https only, public addresses only."""
    settings.WEBHOOK_REQUIRE_HTTPS = True
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
