import pytest
from django.core import mail
from django.db import transaction

from driftwood.celery import app
from driftwood.notifications.services import email_send
from driftwood.notifications.tasks import send_email


class Rollback(Exception):
    pass


@pytest.fixture
def eager_locmem_mail(settings):
    """Tasks run in-process and mail lands in `mail.outbox`.

    The Celery app reads CELERY_* from Django's settings object on every lookup, so the
    settings fixture is enough (the first test below proves it).
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CELERY_TASK_EAGER_PROPAGATES = True


def test_celery_follows_the_eager_setting(eager_locmem_mail):
    # given the settings fixture switched eager mode on
    # then the Celery app sees it
    assert app.conf.task_always_eager is True


@pytest.mark.django_db
def test_email_is_sent_when_the_transaction_commits(eager_locmem_mail, django_capture_on_commit_callbacks):
    # given a transaction that queues an e-mail
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        email_send(to=["player1@example.com"], subject="Check-in open", body="Your match starts at 20:00.")
        # then nothing leaves before the commit
        assert mail.outbox == []

    # when it commits, then exactly one message is delivered
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["player1@example.com"]
    assert message.subject == "Check-in open"
    assert message.body == "Your match starts at 20:00."
    assert message.from_email == "Driftwood <no-reply@driftwood.my>"


@pytest.mark.django_db
def test_no_email_is_sent_when_the_transaction_rolls_back(eager_locmem_mail, django_capture_on_commit_callbacks):
    # given a transaction that queues an e-mail and then fails
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Rollback),
        transaction.atomic(),
    ):
        email_send(to=["player1@example.com"], subject="Prize paid", body="RM 100.00 is in your wallet.")
        raise Rollback

    # then nothing was queued and nothing delivered
    assert callbacks == []
    assert mail.outbox == []


def test_send_email_task_returns_the_number_of_messages_sent(eager_locmem_mail):
    # when the task runs
    result = send_email.delay(to=["a@example.com", "b@example.com"], subject="Hi", body="Hello")

    # then one message (to two recipients) went out and the task says so
    assert result.get() == 1
    assert mail.outbox[0].to == ["a@example.com", "b@example.com"]


def test_send_email_is_routed_to_the_high_queue():
    # when the app's router resolves the task by its registered name
    route = app.amqp.router.route({}, send_email.name)

    # then it goes to the `high` queue, one of the queues workers consume
    assert send_email.name == "driftwood.notifications.tasks.send_email"
    assert route["queue"].name == "high"
    assert "high" in {queue.name for queue in app.conf.task_queues}
