"""Passwords (argon2id via argon2-cffi) and tokens (random, stored as SHA-256 only)."""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

#: argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): argon2-cffi's default
#: (64 MiB, 3 passes, 4 lanes) takes 0.6 s a hash on a busy 2-core server, which makes every
#: login a denial-of-service lever. Each hash stores its parameters, so they can be raised later.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)

#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 10


def hash_password(password: str) -> str:
    """The argon2id hash of `password` (salted; parameters stored in the hash)."""
    return _HASHER.hash(password)


def verify_password(stored: str, password: str) -> bool:
    """Whether `password` matches the stored hash."""
    try:
        return _HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: A hash to verify against when the user does not exist, so both paths cost the same time.
DUMMY_HASH = _HASHER.hash("not a password of anyone")


def new_token() -> str:
    """A random token for a session or an API client (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """The SHA-256 of a token, the only form the database keeps."""
    return hashlib.sha256(token.encode()).hexdigest()
