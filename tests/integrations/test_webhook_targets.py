"""Where webhooks may go: never inside our network (SSRF), https only in production, and the request
goes to the address that was checked."""

import ipaddress
import ssl
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.exceptions import ValidationError
from django.core.management import call_command

from integrations.checks import webhook_targets_check
from integrations.models import WebhookDelivery, WebhookEndpoint
from integrations.services.signing import secret_reveal
from integrations.services.targets import UnsafeTarget, target_check
from tests.factories import UserFactory
from tests.integrations.support import ALL_EVENTS, endpoint_for, prize_event
from tournaments.services.registrations import registration_join

PRIVATE_URLS = [
    "https://127.0.0.1/hook",
    "https://localhost/hook",
    "https://10.1.2.3/hook",
    "https://172.16.5.4/hook",
    "https://192.168.0.10:8443/hook",
    "https://169.254.169.254/latest/meta-data/",
    "https://100.64.0.1/hook",
    "https://0.0.0.0/hook",
    "https://[::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[fd00::1]/hook",
    "https://[fe80::1]/hook",
    "https://224.0.0.1/hook",
]
PUBLIC_URL = "https://93.184.215.14/hooks/driftwood"


def refusal(url: str) -> str:
    with pytest.raises(ValidationError) as refused:
        endpoint_for(UserFactory(), url)
    return " ".join(refused.value.message_dict["url"])


@pytest.mark.django_db
@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_an_endpoint_inside_a_private_network_is_refused(url):
    assert "points to a private or local address" in refusal(url)
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("production_rules")
@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.215.14/hook", "must use https://"),
        ("https://organizer:hunter2@93.184.215.14/hook", "Leave user names and passwords out"),
        ("ftp://93.184.215.14/hook", "Enter a full URL"),
        ("not a url", "Enter a full URL"),
        ("https://no-such-host.invalid/hook", "could not be found"),
    ],
)
def test_plain_http_credentials_and_unknown_hosts_are_refused(url, why):
    assert why in refusal(url)


@pytest.mark.django_db
@pytest.mark.usefixtures("production_rules")
def test_a_public_https_endpoint_is_accepted_with_a_secret_made_for_it():
    owner = UserFactory()

    endpoint, secret = endpoint_for(owner, PUBLIC_URL)

    assert endpoint.url == PUBLIC_URL and endpoint.owner == owner and endpoint.active
    assert sorted(endpoint.event_types) == sorted(ALL_EVENTS)
    assert secret.startswith("whsec_") and len(secret) == 70
    assert secret not in endpoint.secret  # stored encrypted


def test_the_request_goes_to_the_checked_address_with_the_host_name_kept(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True

    target = target_check("https://localhost:8081/hooks?source=driftwood#ignored")

    assert target.url == "https://127.0.0.1:8081/hooks?source=driftwood"
    assert (target.host, target.host_header) == ("localhost", "localhost:8081")
    assert target_check("https://[::1]/x").url == "https://[::1]/x"


def test_private_addresses_are_allowed_only_by_the_setting(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    with pytest.raises(UnsafeTarget):
        target_check("https://127.0.0.1:9/x")

    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    assert target_check("https://127.0.0.1:9/x").host == "127.0.0.1"


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("local_webhooks")
def test_an_endpoint_that_now_points_inside_is_not_called_at_delivery(settings, receiver):
    # given an endpoint saved while local addresses were allowed
    event = prize_event()
    endpoint_for(event.organizer, receiver.url, ["registration.confirmed"])

    # when they no longer are (as in production) and an event happens
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    registration_join(event_id=event.pk, user=UserFactory())

    # then the receiver was never called and the delivery failed for good, saying why
    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == WebhookDelivery.Status.FAILED
    assert "private or local address" in delivery.last_error


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("local_webhooks")
def test_the_receiver_sees_the_host_name_it_was_given(receiver):
    event = prize_event()
    endpoint_for(event.organizer, receiver.url.replace("127.0.0.1", "localhost"), ["registration.confirmed"])

    registration_join(event_id=event.pk, user=UserFactory())

    [request] = receiver.requests
    assert request.headers["host"] == f"localhost:{receiver.server.port}"


@pytest.mark.django_db
@pytest.mark.usefixtures("production_rules")
def test_key_rotation_re_encrypts_the_signing_secrets(settings):
    # given an endpoint whose secret was encrypted with the old key
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old_key]
    endpoint, secret = endpoint_for(UserFactory(), PUBLIC_URL)

    # when the new key is put first and the command runs
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]
    out = StringIO()
    call_command("rotate_encryption_keys", stdout=out)

    # then the new key alone opens it, and it is the same secret
    assert "Re-encrypted 1 webhook signing secret(s)" in out.getvalue()
    settings.FIELD_ENCRYPTION_KEYS = [new_key]
    endpoint.refresh_from_db()
    assert secret_reveal(endpoint) == secret


def test_the_deploy_check_warns_when_production_lets_webhooks_inside(settings):
    settings.DEBUG = False
    settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True, False
    assert webhook_targets_check() == []

    settings.WEBHOOK_REQUIRE_HTTPS, settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False, True

    assert [warning.id for warning in webhook_targets_check()] == ["integrations.W001", "integrations.W002"]


def self_signed(tmp_path: Path) -> ssl.SSLContext:
    """A server context with a certificate for 127.0.0.1 that no authority signed."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=1))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    return context


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("local_webhooks")
def test_a_receiver_whose_certificate_no_authority_signed_is_told_nothing(settings, receiver, tmp_path):
    # given an https endpoint on a receiver that speaks TLS with a self-signed certificate
    settings.WEBHOOK_REQUIRE_HTTPS = True
    receiver.server.server.socket = self_signed(tmp_path).wrap_socket(receiver.server.server.socket, server_side=True)
    event = prize_event()
    endpoint_for(event.organizer, receiver.url.replace("http://", "https://"), ["registration.confirmed"])

    # when two events happen (the second delivery reuses the process's TLS context)
    registration_join(event_id=event.pk, user=UserFactory())
    registration_join(event_id=event.pk, user=UserFactory())

    # then no request reached it: each delivery waits for a retry, saying why
    assert receiver.requests == []
    deliveries = WebhookDelivery.objects.all()
    assert len(deliveries) == 2
    for delivery in deliveries:
        assert delivery.status == WebhookDelivery.Status.PENDING
        assert "CERTIFICATE_VERIFY_FAILED" in delivery.last_error
