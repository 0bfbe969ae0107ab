import pytest

from tests.wallet.bank_support import FakeBank


@pytest.fixture(scope="session")
def fake_bank_server():
    bank = FakeBank()
    yield bank
    bank.stop()


@pytest.fixture
def fake_bank(fake_bank_server, settings):
    """The fake bank, accepting and with no payouts yet, and the settings pointing at it."""
    fake_bank_server.mode("accept", reset=True)
    settings.BANK_API_URL = fake_bank_server.url
    settings.BANK_API_KEY = fake_bank_server.api_key
    settings.BANK_API_TIMEOUT_SECONDS = 5.0
    return fake_bank_server
