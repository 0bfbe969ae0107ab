"""Field encryption at rest: Fernet tokens under MultiFernet over settings.FIELD_ENCRYPTION_KEYS.

The first key encrypts; every key decrypts. Rotating is: put a new key first, deploy,
run `manage.py rotate_encryption_keys` (re-encrypts every row with the first key), then
drop the old key. Errors never carry the plaintext or the token.
"""

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class DecryptionFailed(Exception):
    """A token none of the configured keys can open (wrong keys, or a damaged value)."""


@lru_cache(maxsize=4)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ValueError("FIELD_ENCRYPTION_KEYS is empty: at least one Fernet key is needed.")
    return MultiFernet([Fernet(key) for key in keys])


def _fernet() -> MultiFernet:
    # Keyed on the current setting, so a changed key list (tests, rotation) takes effect at once.
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("No configured encryption key can decrypt this value.") from None


def rotate(token: str) -> str:
    """The same plaintext, re-encrypted under the first (newest) key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise DecryptionFailed("No configured encryption key can decrypt this value.") from None
